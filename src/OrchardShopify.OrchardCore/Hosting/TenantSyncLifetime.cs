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
/// </summary>
internal sealed partial class TenantSyncLifetime
{
    private readonly ShopifySyncRunner _runner;
    private readonly ShopifySyncReadiness _readiness;
    private readonly ShopifySyncSettingsSnapshot _snapshot;
    private readonly IOptionsMonitor<ShopifyHostOptions> _hostOptions;
    private readonly ILogger _logger;

    public TenantSyncLifetime(
        ShopifySyncRunner runner,
        ShopifySyncReadiness readiness,
        ShopifySyncSettingsSnapshot snapshot,
        IOptionsMonitor<ShopifyHostOptions> hostOptions,
        ILogger<TenantSyncLifetime> logger)
    {
        _runner = runner;
        _readiness = readiness;
        _snapshot = snapshot;
        _hostOptions = hostOptions;
        _logger = logger;
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
        if (_runner.IsRunning)
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

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Shopify sync workers started for this tenant")]
        public static partial void Started(ILogger logger);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Shopify sync is not configured on this tenant ({Count} problems, listed in Settings › Shopify)")]
        public static partial void NotConfigured(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Error, Message = "Shopify sync workers could not start on this tenant; retrying within a minute")]
        public static partial void StartFailed(ILogger logger, Exception exception);
    }
}
