using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrchardShopify.AspNetCore.Settings;

/// <summary>
/// Reads the saved settings once the schema exists (it starts after the migrator), then looks for saves made on other
/// nodes every <see cref="ShopifySettingsOptions.RefreshInterval"/>, with one read of the revision.
/// </summary>
internal sealed partial class ShopifySettingsLoader(ShopifySettingsStore store, IOptionsMonitor<ShopifySettingsOptions> options, TimeProvider time, ILogger<ShopifySettingsLoader> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.RefreshAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.RefreshFailed(logger, ex);
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.CurrentValue.RefreshInterval, time, stoppingToken);
                if (await store.ReadRevisionAsync(stoppingToken) != store.Current.Revision)
                {
                    await store.RefreshAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // A failed look is repeated on the next tick; the last settings stay in force.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.RefreshFailed(logger, ex);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify settings saved on the site could not be read; the last ones stay in force")]
        public static partial void RefreshFailed(ILogger logger, Exception exception);
    }
}

/// <summary>The <c>Shopify:Settings</c> section.</summary>
public sealed class ShopifySettingsOptions
{
    /// <summary>How often a node looks for settings saved on another node.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(10);
}
