using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Workers;

namespace OrchardShopify.AspNetCore.CatchUp;

/// <summary>
/// Looks for stores whose catch-up is due every <c>Shopify:CatchUp:Interval</c> (at least once a minute) and runs the
/// ones this node claims (<see cref="CatchUpScheduler"/>).
/// </summary>
internal sealed class CatchUpWorker(CatchUpScheduler scheduler, IOptionsMonitor<ShopifyHostOptions> options, TimeProvider time, ILogger<CatchUpWorker> logger)
    : PollingWorker(time, logger)
{
    protected override string Work => "Shopify catch-up: looking for due stores";

    protected override TimeSpan NextPoll()
    {
        var interval = options.CurrentValue.CatchUp.Interval;
        return interval < MaxPoll ? interval : MaxPoll;
    }

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => scheduler.RunDueAsync(cancellationToken);
}
