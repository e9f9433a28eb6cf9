using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Diagnostics;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>
/// The steps every processing strategy shares for one worker: work an item and record its outcome on it, record a
/// failure (retried or dead-lettered, and logged to the sync log), and report what became of an item once it is stored.
/// </summary>
internal sealed partial class WorkItemSteps(
    IWorkItemHandler handler,
    string owner,
    WorkQueue queue,
    EfSyncLog syncLog,
    ShopifySyncMetrics metrics,
    ShopifySyncEventDispatcher events,
    TimeProvider time,
    ILogger logger)
{
    public IWorkItemHandler Handler { get; } = handler;

    public WorkKind Kind => Handler.Kind;

    /// <summary>The worker that claimed the items: only its lease lets them be completed, failed or released.</summary>
    public string Owner { get; } = owner;

    public WorkQueue Queue { get; } = queue;

    /// <summary>Releases the item for the next claim without counting the attempt.</summary>
    public Task ReleaseAsync(WorkItem item) => Queue.ReleaseAsync(item, Owner, CancellationToken.None);

    /// <summary>Works one item on its own and reports it; on shutdown releases it instead.</summary>
    public async Task WorkAsync(WorkItem item, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            await ReleaseAsync(item);
            return;
        }

        await ReportAsync(await ProcessAsync(item, cancellationToken));
    }

    /// <summary>Works one item and records its outcome on it (in the running batch, if any).</summary>
    /// <param name="endItem">Keeps or undoes the item's own writes before its outcome is recorded (batches only).</param>
    public async Task<ItemReport> ProcessAsync(WorkItem item, CancellationToken cancellationToken, Func<bool, Task>? endItem = null)
    {
        // The item's sync events wait for its writes to be kept; an item that fails drops them.
        using var raised = ShopifySyncEventDispatcher.Defer();
        try
        {
            var result = await Handler.HandleAsync(item, cancellationToken);
            var kept = await Queue.CompleteAsync(item, Owner, result.Outcome, result.CustomerId, result.UserId, CancellationToken.None);
            if (endItem is not null)
            {
                await endItem(true);
            }

            return new ItemReport(item, kept ? result : null, LeaseLost: !kept) { Events = raised };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (endItem is not null)
            {
                await endItem(false);
            }

            await ReleaseAsync(item);
            return new ItemReport(item, null);
        }
#pragma warning disable CA1031 // Every failure is recorded on the item and retried or dead-lettered.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            if (endItem is not null)
            {
                await endItem(false);
            }

            var permanent = Handler.IsPermanent(ex);
            return await FailAsync(item, ex, permanent);
        }
    }

    /// <summary>Records a failed attempt on the item (retried, or dead-lettered when permanent or out of attempts) and in the sync log.</summary>
    public async Task<ItemReport> FailAsync(WorkItem item, Exception ex, bool permanent)
    {
        var error = FailureText.Of(ex);
        var customerId = item.CustomerId ?? Handler.CustomerOf(item);
        var status = await Queue.FailAsync(item, Owner, error, permanent, CancellationToken.None, customerId);
        var deadLettered = status == WorkStatus.DeadLetter;
        await syncLog.AppendAsync(
            new SyncLogRow
            {
                At = UnixTime.From(time.GetUtcNow()),
                Direction = Kind == WorkKind.InboundDelivery ? "inbound" : "outbound",
                StoreHandle = item.StoreHandle,
                Topic = item.Topic,
                CustomerId = customerId,
                UserId = item.UserId,
                Outcome = deadLettered ? "deadlettered" : "failed",
                Detail = error.Length > 2000 ? error[..2000] : error,
                WebhookId = item.DedupKey,
                Attempt = item.Attempts,
            },
            CancellationToken.None);
        return new ItemReport(item, null, Failure: ex.GetType().Name, DeadLettered: deadLettered);
    }

    /// <summary>Raises the item's sync events, counts and logs its outcome: called only once what it wrote is committed.</summary>
    public async Task ReportAsync(ItemReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var item = report.Item;
        if (report.Events is { } raised)
        {
            await events.DispatchAsync(raised, CancellationToken.None);
        }

        if (report.DeadLettered && Kind == WorkKind.OutboundPush && item.UserId is { } userId)
        {
            await events.DispatchAsync(
                new ShopifySyncEvent(ShopifySyncEventKind.PushFailed, item.StoreHandle, item.CustomerId, userId, OrchardShopify.Core.Customers.ProfileFields.None, null, time.GetUtcNow())
                {
                    Detail = $"The push failed on every attempt ({report.Failure}); it is dead-lettered.",
                },
                CancellationToken.None);
        }

        if (report.Result is { } result)
        {
            metrics.Processed(Kind, item.StoreHandle, item.Topic, result.Outcome, time.GetUtcNow() - UnixTime.To(item.ReceivedAt));
        }
        else if (report.LeaseLost)
        {
            Log.LeaseLost(logger, Kind, item.Id);
        }
        else if (report.Failure is { } failure)
        {
            metrics.Failed(Kind, item.StoreHandle, item.Topic, report.DeadLettered);
            Log.ItemFailed(logger, Kind, item.Id, item.StoreHandle, item.Topic, item.Attempts, report.DeadLettered, failure);
        }
    }

    /// <summary>The sync events raised meanwhile, dispatched once what raised them is committed (see <see cref="ShopifySyncEventDispatcher.Defer"/>).</summary>
    public Task DispatchAsync(SyncEventBuffer raised) => events.DispatchAsync(raised, CancellationToken.None);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify {Kind} item {ItemId}: the lease expired before it finished; another worker owns it now")]
        public static partial void LeaseLost(ILogger logger, WorkKind kind, long itemId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify {Kind} item {ItemId} ({Store}, {Topic}) failed on attempt {Attempt} ({Error}); dead-lettered: {DeadLettered}")]
        public static partial void ItemFailed(ILogger logger, WorkKind kind, long itemId, string store, string topic, int attempt, bool deadLettered, string error);
    }
}

/// <summary>What became of one item, reported (metrics, logs) once it is stored.</summary>
internal sealed record ItemReport(WorkItem Item, WorkResult? Result, bool LeaseLost = false, string? Failure = null, bool DeadLettered = false)
{
    /// <summary>The sync events the item raised, dispatched once its writes are committed.</summary>
    public SyncEventBuffer? Events { get; init; }
}
