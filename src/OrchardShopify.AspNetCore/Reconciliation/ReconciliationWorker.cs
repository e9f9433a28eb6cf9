using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Reconciliation;

/// <summary>
/// Looks for stores whose scheduled reconciliation is due every <c>Shopify:ScheduledReconciliation:Interval</c> (at least
/// once a minute) and runs the ones this node claims (<see cref="ReconciliationScheduler"/>).
/// </summary>
internal sealed partial class ReconciliationWorker(ReconciliationScheduler scheduler, IOptionsMonitor<ShopifyHostOptions> options, TimeProvider time, ILogger<ReconciliationWorker> logger) : BackgroundService
{
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await scheduler.RunDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The database may be briefly unavailable; the next poll tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.PollFailed(logger, ex);
            }

            var interval = options.CurrentValue.ScheduledReconciliation.Interval;
            await Task.Delay(interval < MaxPoll ? interval : MaxPoll, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled Shopify reconciliation: looking for due stores failed")]
        public static partial void PollFailed(ILogger logger, Exception exception);
    }
}
