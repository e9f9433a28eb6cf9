using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Workers;

namespace OrchardShopify.AspNetCore.Health;

/// <summary>
/// With <c>Shopify:AutoRegisterWebhooks</c> on (and the site's <c>PublicUrls</c> set), looks at each store's webhook
/// subscriptions every <c>HealthWebhookCheckInterval</c> without waiting for a health probe, so missing subscriptions are
/// registered again even when nobody reads the health check. The look is the monitor's, kept for the interval.
/// </summary>
internal sealed class WebhookCheckWorker(WebhookSubscriptionMonitor monitor, IOptionsMonitor<ShopifyHostOptions> options, TimeProvider time, ILogger<WebhookCheckWorker> logger)
    : PollingWorker(time, logger)
{
    private static readonly TimeSpan MinPoll = TimeSpan.FromSeconds(1);

    protected override string Work => "Shopify webhook check";

    protected override TimeSpan NextPoll() =>
        TimeSpan.FromTicks(Math.Clamp(options.CurrentValue.HealthWebhookCheckInterval.Ticks, MinPoll.Ticks, MaxPoll.Ticks));

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        if (current.AutoRegisterWebhooks && current.Queue.WorkersEnabled && current.PublicUrls.Count > 0)
        {
            await monitor.GetAsync(cancellationToken);
        }
    }
}
