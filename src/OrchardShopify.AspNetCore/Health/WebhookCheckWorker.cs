using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Health;

/// <summary>
/// With <c>Shopify:AutoRegisterWebhooks</c> on (and the site's <c>PublicUrls</c> set), looks at each store's webhook
/// subscriptions every <c>HealthWebhookCheckInterval</c> without waiting for a health probe, so missing subscriptions are
/// registered again even when nobody reads the health check. The look is the monitor's, kept for the interval.
/// </summary>
internal sealed partial class WebhookCheckWorker(WebhookSubscriptionMonitor monitor, IOptionsMonitor<ShopifyHostOptions> options, TimeProvider time, ILogger<WebhookCheckWorker> logger) : BackgroundService
{
    private static readonly TimeSpan MinPoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var current = options.CurrentValue;
            if (current.AutoRegisterWebhooks && current.Queue.WorkersEnabled && current.PublicUrls.Count > 0)
            {
                try
                {
                    await monitor.GetAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // The next look tries again.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.CheckFailed(logger, ex);
                }
            }

            var interval = Math.Clamp(current.HealthWebhookCheckInterval.Ticks, MinPoll.Ticks, MaxPoll.Ticks);
            await Task.Delay(TimeSpan.FromTicks(interval), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify webhook check failed")]
        public static partial void CheckFailed(ILogger logger, Exception exception);
    }
}
