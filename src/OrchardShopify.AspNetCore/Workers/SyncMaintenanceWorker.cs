using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>Prunes the sync log and finished inbox items older than <c>Shopify:SyncLogRetention</c>, hourly.</summary>
internal sealed partial class SyncMaintenanceWorker(EfSyncLog log, IOptionsMonitor<ShopifyHostOptions> options, TimeProvider time, ILogger<SyncMaintenanceWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var removed = await log.PruneAsync(time.GetUtcNow() - options.CurrentValue.SyncLogRetention, stoppingToken);
                Log.Pruned(logger, removed);
                await Task.Delay(TimeSpan.FromHours(1), time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // Pruning is best effort; the next run catches up.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.PruneFailed(logger, ex);
                await Task.Delay(TimeSpan.FromMinutes(5), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Pruned {Count} old Shopify sync records")]
        public static partial void Pruned(ILogger logger, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning old Shopify sync records failed")]
        public static partial void PruneFailed(ILogger logger, Exception exception);
    }
}
