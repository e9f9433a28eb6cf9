using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.CatchUp;

/// <summary>
/// Looks for stores whose catch-up is due every <c>Shopify:CatchUp:Interval</c> (at least once a minute) and runs the
/// ones this node claims (<see cref="CatchUpScheduler"/>).
/// </summary>
internal sealed partial class CatchUpWorker(CatchUpScheduler scheduler, IOptionsMonitor<ShopifyHostOptions> options, TimeProvider time, ILogger<CatchUpWorker> logger) : BackgroundService
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

            var interval = options.CurrentValue.CatchUp.Interval;
            await Task.Delay(interval < MaxPoll ? interval : MaxPoll, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify catch-up: looking for due stores failed")]
        public static partial void PollFailed(ILogger logger, Exception exception);
    }
}
