using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Workers;

namespace OrchardShopify.AspNetCore.Reconciliation;

/// <summary>
/// Looks for stores whose scheduled reconciliation is due every <c>Shopify:ScheduledReconciliation:Interval</c> (at least
/// once a minute) and runs the ones this node claims (<see cref="ReconciliationScheduler"/>).
/// </summary>
internal sealed class ReconciliationWorker(ReconciliationScheduler scheduler, IOptionsMonitor<ShopifyHostOptions> options, TimeProvider time, ILogger<ReconciliationWorker> logger)
    : PollingWorker(time, logger)
{
    protected override string Work => "Scheduled Shopify reconciliation: looking for due stores";

    protected override TimeSpan NextPoll()
    {
        var interval = options.CurrentValue.ScheduledReconciliation.Interval;
        return interval < MaxPoll ? interval : MaxPoll;
    }

    protected override Task RunOnceAsync(CancellationToken cancellationToken) => scheduler.RunDueAsync(cancellationToken);
}
