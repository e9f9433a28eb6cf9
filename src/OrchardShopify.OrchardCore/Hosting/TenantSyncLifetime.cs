using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardCore.Settings;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.OrchardCore.Settings;

namespace OrchardShopify.OrchardCore.Hosting;

/// <summary>
/// Runs the tenant's sync workers while the tenant is active and its settings are valid: started when the
/// tenant activates or valid settings are saved, stopped when the tenant terminates (released, disabled or
/// shut down). The watchdog background task retries a start that failed (a database that was down).
/// On host shutdown the workers stop when the application starts stopping, while the tenant's services are
/// still alive: Orchard Core disposes the tenant containers afterwards without terminating their tenants first.
/// </summary>
internal sealed partial class TenantSyncLifetime : IDisposable
{
    private readonly ShopifySyncRunner _runner;
    private readonly ShopifySyncReadiness _readiness;
    private readonly ShopifySyncSettingsSnapshot _snapshot;
    private readonly IOptionsMonitor<ShopifyHostOptions> _hostOptions;
    private readonly ILogger _logger;
    private readonly CancellationTokenRegistration _hostStopping;
    private readonly CancellationToken _applicationStopping;

    public TenantSyncLifetime(
        ShopifySyncRunner runner,
        ShopifySyncReadiness readiness,
        ShopifySyncSettingsSnapshot snapshot,
        IOptionsMonitor<ShopifyHostOptions> hostOptions,
        ILogger<TenantSyncLifetime> logger,
        IHostApplicationLifetime? applicationLifetime = null)
    {
        _runner = runner;
        _readiness = readiness;
        _snapshot = snapshot;
        _hostOptions = hostOptions;
        _logger = logger;
        // Orchard Core tenants see the host's lifetime; a container without one (a bare service collection) has no shutdown to follow.
        _applicationStopping = applicationLifetime?.ApplicationStopping ?? CancellationToken.None;
        _hostStopping = _applicationStopping.Register(StopOnHostShutdown);
    }

    public bool IsRunning => _runner.IsRunning;

    /// <summary>Reads the saved settings (inside a tenant scope), then starts the workers if the settings are valid.</summary>
    public async Task RefreshAsync(ISiteService siteService, CancellationToken cancellationToken)
    {
        await _snapshot.ReloadAsync(siteService);
        await EnsureStartedAsync(cancellationToken);
    }

    public async Task EnsureStartedAsync(CancellationToken cancellationToken)
    {
        if (_runner.IsRunning || _applicationStopping.IsCancellationRequested)
        {
            return;
        }

        var problems = _readiness.Problems();
        if (problems.Count > 0)
        {
            Log.NotConfigured(_logger, problems.Count);
            return;
        }

        try
        {
            await TenantSyncStorage.EnsureSchemaAsync(_hostOptions.CurrentValue, cancellationToken);
            await _runner.StartAsync(cancellationToken);
            Log.Started(_logger);
        }
#pragma warning disable CA1031 // A tenant must activate even when the sync's database is down; the watchdog retries.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.StartFailed(_logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => _runner.StopAsync(cancellationToken);

    /// <summary>Stops listening for the host's shutdown when the tenant itself goes away first (released or disabled).</summary>
    public void Dispose() => _hostStopping.Dispose();

    // The host's stopping callbacks run synchronously; the workers finish their current item and stop.
    private void StopOnHostShutdown()
    {
        try
        {
            _runner.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // The host is shutting down: a worker that fails to stop is reported, not thrown into the host's stop.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.StopFailed(_logger, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Shopify sync workers started for this tenant")]
        public static partial void Started(ILogger logger);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Shopify sync is not configured on this tenant ({Count} problems, listed in Settings › Shopify)")]
        public static partial void NotConfigured(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Error, Message = "Shopify sync workers could not start on this tenant; retrying within a minute")]
        public static partial void StartFailed(ILogger logger, Exception exception);

        [LoggerMessage(Level = LogLevel.Error, Message = "Shopify sync workers did not stop cleanly on host shutdown")]
        public static partial void StopFailed(ILogger logger, Exception exception);
    }
}
