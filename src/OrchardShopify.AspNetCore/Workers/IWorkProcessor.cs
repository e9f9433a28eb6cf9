using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Diagnostics;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>How a <see cref="SyncWorker"/> works the items it claimed: one strategy per kind of work, chosen when the worker is made.</summary>
internal interface IWorkProcessor
{
    /// <summary>
    /// Works <paramref name="items"/> in their order, records each outcome on its item and reports it (metrics, logs, sync
    /// events once its writes are committed). On shutdown an item not begun is released without counting the attempt.
    /// </summary>
    Task ProcessAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken);
}

/// <summary>
/// Chooses a worker's processing strategy from its handler's kind: inbound deliveries are worked in batch transactions
/// where the stores allow (<see cref="InboundBatchProcessor"/>: SQLite, and PostgreSQL with the users in the sync's
/// database), else one by one, in customer lanes on PostgreSQL; pushes are worked one by one (<see cref="OneByOneProcessor"/>).
/// </summary>
internal sealed class WorkProcessorFactory(
    WorkQueue queue,
    SyncDatabase database,
    IUserDirectory users,
    ISyncLock customerLocks,
    EfSyncLog syncLog,
    ShopifySyncMetrics metrics,
    ShopifySyncEventDispatcher events,
    IOptionsMonitor<ShopifyHostOptions> options,
    TimeProvider time,
    ILogger<SyncWorker> logger)
{
    public IWorkProcessor For(IWorkItemHandler handler, string owner)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var steps = new WorkItemSteps(handler, owner, queue, syncLog, metrics, events, time, logger);
        if (handler.Kind != WorkKind.InboundDelivery)
        {
            return new OneByOneProcessor(steps, static () => 1);
        }

        var oneByOne = new OneByOneProcessor(steps, () => database.IsPostgres ? options.CurrentValue.Queue.Concurrency : 1);
        return new InboundBatchProcessor(steps, handler as IBulkWorkItemHandler, oneByOne, database, users, customerLocks, time, logger);
    }
}
