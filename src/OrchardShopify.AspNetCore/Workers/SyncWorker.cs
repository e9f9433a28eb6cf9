using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Diagnostics;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>
/// Claims due items of one kind and hands them to the handler. On shutdown it stops claiming, and an
/// item interrupted half-way is released without counting the attempt.
/// </summary>
internal sealed partial class SyncWorker(
    IWorkItemHandler handler,
    WorkQueue queue,
    SyncDatabase database,
    IUserDirectory users,
    WorkSignals signals,
    EfSyncLog syncLog,
    ShopifySyncMetrics metrics,
    ShopifySyncEventDispatcher events,
    IOptionsMonitor<ShopifyHostOptions> options,
    TimeProvider time,
    ILogger<SyncWorker> logger) : BackgroundService
{
    /// <summary>Longest a batch transaction stays open: other writers (webhook appends, the site's user saves) wait for it.</summary>
    internal static readonly TimeSpan MaxTransactionTime = TimeSpan.FromMilliseconds(100);

    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{handler.Kind}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        Log.Started(logger, handler.Kind, Owner);
        while (!stoppingToken.IsCancellationRequested)
        {
            int claimed;
            try
            {
                claimed = await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The worker must outlive a database outage; it logs and tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.ClaimFailed(logger, ex, handler.Kind);
                claimed = 0;
            }

            if (claimed == 0)
            {
                try
                {
                    await signals.WaitAsync(handler.Kind, options.CurrentValue.Queue.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Claims one batch and works it: inbound items in one transaction where possible, else one by one.</summary>
    /// <returns>How many items were claimed.</returns>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var claimed = await queue.ClaimAsync(handler.Kind, Owner, options.CurrentValue.Queue.BatchSize, cancellationToken);
        var items = handler is IBulkWorkItemHandler bulk && claimed.Count > 1 ? await ProcessInBulkAsync(bulk, claimed, cancellationToken) : claimed;
        var next = 0;
        while (next < items.Count)
        {
            var batch = handler.Kind == WorkKind.InboundDelivery ? await TryBeginBatchAsync() : null;
            next = batch is null
                ? await ProcessOneByOneAsync(items, next, cancellationToken)
                : await ProcessInTransactionAsync(batch, items, next, cancellationToken);
        }

        return claimed.Count;
    }

    /// <summary>
    /// Works what the handler can do at once (new customers) in one transaction, and records those items' outcomes in
    /// it. When anything of it fails nothing of it is stored, and every item is worked one by one instead.
    /// </summary>
    /// <returns>The items left to work one by one, in their order.</returns>
    private async Task<IReadOnlyList<WorkItem>> ProcessInBulkAsync(IBulkWorkItemHandler bulk, IReadOnlyList<WorkItem> items, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || await TryBeginBatchAsync() is not { } batch)
        {
            return items;
        }

        var reports = new List<ItemReport>();
        var rest = new List<WorkItem>(items.Count);
        using var raised = ShopifySyncEventDispatcher.Defer();
        await using (batch)
        {
            batch.Enter();
            try
            {
                var results = await bulk.HandleBulkAsync(items, cancellationToken);
                var done = new List<(WorkItem Item, WorkResult Result)>(items.Count);
                for (var i = 0; i < items.Count; i++)
                {
                    if (results[i] is { } result)
                    {
                        done.Add((items[i], result));
                    }
                    else
                    {
                        rest.Add(items[i]);
                    }
                }

                var kept = await queue.CompleteManyAsync([.. done.Select(d => (d.Item, d.Result.Outcome, d.Result.CustomerId, d.Result.UserId))], Owner, CancellationToken.None);
                for (var i = 0; i < done.Count; i++)
                {
                    reports.Add(new ItemReport(done[i].Item, kept[i] ? done[i].Result : null, LeaseLost: !kept[i]));
                }

                if (reports.Count > 0)
                {
                    await batch.CommitAsync(CancellationToken.None);
                }
            }
#pragma warning disable CA1031 // Nothing of the bulk step was stored (the batch rolls back): every item is worked one by one.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (!cancellationToken.IsCancellationRequested)
                {
                    Log.BulkFailed(logger, ex, handler.Kind, items.Count);
                }

                return items;
            }
            finally
            {
                WorkBatch.Leave();
            }
        }

        foreach (var report in reports)
        {
            await ReportAsync(report);
        }

        // The sync events of what was applied at once, now that it is committed.
        raised.Dispose();
        await events.DispatchAsync(raised, CancellationToken.None);
        return rest;
    }

    private async Task<WorkBatch?> TryBeginBatchAsync()
    {
        try
        {
            return await WorkBatch.TryBeginAsync(database, users, CancellationToken.None);
        }
#pragma warning disable CA1031 // The items are already claimed: they are worked one by one instead.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.BatchNotStarted(logger, ex, handler.Kind);
            return null;
        }
    }

    /// <summary>
    /// Works items outside a batch transaction. On PostgreSQL, inbound deliveries of different customers are worked
    /// <c>Queue:Concurrency</c> at a time (each item waits mostly on its own round trips and commits); deliveries of one
    /// customer stay in their order, and one without a customer (shop/redact) waits for those before it and holds
    /// back those after it. SQLite has one writer: there, items are worked one after another.
    /// </summary>
    private async Task<int> ProcessOneByOneAsync(IReadOnlyList<WorkItem> items, int start, CancellationToken cancellationToken)
    {
        var concurrency = database.IsPostgres && handler.Kind == WorkKind.InboundDelivery ? options.CurrentValue.Queue.Concurrency : 1;
        var segment = new List<(WorkItem Item, long Customer)>();
        for (var i = start; i < items.Count; i++)
        {
            var customer = concurrency > 1 ? handler.CustomerOf(items[i]) : null;
            if (customer is { } id)
            {
                segment.Add((items[i], id));
                continue;
            }

            await WorkLanesAsync(segment, concurrency, cancellationToken);
            segment.Clear();
            await WorkAsync(items[i], cancellationToken);
        }

        await WorkLanesAsync(segment, concurrency, cancellationToken);
        return items.Count;
    }

    /// <summary>
    /// Works the items in up to <paramref name="concurrency"/> lanes: customers are dealt to the lanes in turn as they
    /// first appear, and all items of one customer go to that customer's lane, in order.
    /// </summary>
    private Task WorkLanesAsync(List<(WorkItem Item, long Customer)> items, int concurrency, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return Task.CompletedTask;
        }

        var lanes = new List<List<WorkItem>>(Math.Min(concurrency, items.Count));
        var laneOf = new Dictionary<(string Store, long Customer), List<WorkItem>>();
        foreach (var (item, customer) in items)
        {
            if (!laneOf.TryGetValue((item.StoreHandle, customer), out var lane))
            {
                var index = laneOf.Count % concurrency;
                if (index == lanes.Count)
                {
                    lanes.Add([]);
                }

                lane = lanes[index];
                laneOf.Add((item.StoreHandle, customer), lane);
            }

            lane.Add(item);
        }

        return Task.WhenAll(lanes.Select(lane => Task.Run(
            async () =>
            {
                foreach (var item in lane)
                {
                    await WorkAsync(item, cancellationToken);
                }
            },
            CancellationToken.None)));
    }

    private async Task WorkAsync(WorkItem item, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            await queue.ReleaseAsync(item, Owner, CancellationToken.None);
            return;
        }

        await ReportAsync(await ProcessAsync(item, cancellationToken));
    }

    /// <summary>
    /// Works items from <paramref name="start"/> in <paramref name="batch"/>'s transaction until they run out or the
    /// transaction has been open for <see cref="MaxTransactionTime"/>, then commits.
    /// </summary>
    /// <returns>The index of the first item not worked.</returns>
    private async Task<int> ProcessInTransactionAsync(WorkBatch batch, IReadOnlyList<WorkItem> items, int start, CancellationToken cancellationToken)
    {
        var reports = new List<ItemReport>();
        var began = time.GetTimestamp();
        var next = start;
        await using (batch)
        {
            batch.Enter();
            try
            {
                while (next < items.Count)
                {
                    var item = items[next++];
                    if (cancellationToken.IsCancellationRequested)
                    {
                        await queue.ReleaseAsync(item, Owner, CancellationToken.None);
                        continue;
                    }

                    await batch.BeginItemAsync(CancellationToken.None);
                    var report = await ProcessAsync(item, cancellationToken, succeeded => batch.EndItemAsync(succeeded));
                    reports.Add(report);
                    if (time.GetElapsedTime(began) >= MaxTransactionTime)
                    {
                        break;
                    }
                }

                await batch.CommitAsync(CancellationToken.None);
            }
#pragma warning disable CA1031 // Nothing of this run was stored: every item worked in it is failed (retried) outside the transaction.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                WorkBatch.Leave();
                Log.BatchFailed(logger, ex, handler.Kind, next - start);
                for (var i = start; i < next; i++)
                {
                    await ReportAsync(await FailAsync(items[i], ex, permanent: false));
                }

                return next;
            }
            finally
            {
                WorkBatch.Leave();
            }
        }

        // Counted, logged and raised as sync events only once the transaction holding them has committed.
        foreach (var report in reports)
        {
            await ReportAsync(report);
        }

        return next;
    }

    /// <summary>Works one item and records its outcome on it (in the running batch, if any).</summary>
    /// <param name="endItem">Keeps or undoes the item's own writes before its outcome is recorded (batches only).</param>
    private async Task<ItemReport> ProcessAsync(WorkItem item, CancellationToken cancellationToken, Func<bool, Task>? endItem = null)
    {
        // The item's sync events wait for its writes to be kept; an item that fails drops them.
        using var raised = ShopifySyncEventDispatcher.Defer();
        try
        {
            var result = await handler.HandleAsync(item, cancellationToken);
            var kept = await queue.CompleteAsync(item, Owner, result.Outcome, result.CustomerId, result.UserId, CancellationToken.None);
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

            await queue.ReleaseAsync(item, Owner, CancellationToken.None);
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

            var permanent = handler.IsPermanent(ex);
            return await FailAsync(item, ex, permanent);
        }
    }

    private async Task<ItemReport> FailAsync(WorkItem item, Exception ex, bool permanent)
    {
        // A wrapper's message ("see the inner exception") says nothing: the innermost cause is kept too.
        var cause = ex.GetBaseException();
        var error = ReferenceEquals(cause, ex) ? $"{ex.GetType().Name}: {ex.Message}" : $"{ex.GetType().Name}: {ex.Message} ({cause.GetType().Name}: {cause.Message})";
        var customerId = item.CustomerId ?? handler.CustomerOf(item);
        var status = await queue.FailAsync(item, Owner, error, permanent, CancellationToken.None, customerId);
        var deadLettered = status == WorkStatus.DeadLetter;
        await syncLog.AppendAsync(
            new SyncLogRow
            {
                At = UnixTime.From(time.GetUtcNow()),
                Direction = handler.Kind == WorkKind.InboundDelivery ? "inbound" : "outbound",
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

    private async Task ReportAsync(ItemReport report)
    {
        var item = report.Item;
        if (report.Events is { } raised)
        {
            await events.DispatchAsync(raised, CancellationToken.None);
        }

        if (report.DeadLettered && handler.Kind == WorkKind.OutboundPush && item.UserId is { } userId)
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
            metrics.Processed(handler.Kind, item.StoreHandle, item.Topic, result.Outcome, time.GetUtcNow() - UnixTime.To(item.ReceivedAt));
        }
        else if (report.LeaseLost)
        {
            Log.LeaseLost(logger, handler.Kind, item.Id);
        }
        else if (report.Failure is { } failure)
        {
            metrics.Failed(handler.Kind, item.StoreHandle, item.Topic, report.DeadLettered);
            Log.ItemFailed(logger, handler.Kind, item.Id, item.StoreHandle, item.Topic, item.Attempts, report.DeadLettered, failure);
        }
    }

    /// <summary>What became of one item, reported (metrics, logs) once it is stored.</summary>
    private sealed record ItemReport(WorkItem Item, WorkResult? Result, bool LeaseLost = false, string? Failure = null, bool DeadLettered = false)
    {
        /// <summary>The sync events the item raised, dispatched once its writes are committed.</summary>
        public SyncEventBuffer? Events { get; init; }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Shopify {Kind} worker {Owner} started")]
        public static partial void Started(ILogger logger, WorkKind kind, string owner);

        [LoggerMessage(Level = LogLevel.Error, Message = "Shopify {Kind} worker could not claim work; trying again")]
        public static partial void ClaimFailed(ILogger logger, Exception exception, WorkKind kind);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify {Kind} items could not be worked in one transaction; working them one by one")]
        public static partial void BatchNotStarted(ILogger logger, Exception exception, WorkKind kind);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify {Kind} items could not be worked at once ({Count} claimed); working them one by one")]
        public static partial void BulkFailed(ILogger logger, Exception exception, WorkKind kind, int count);

        [LoggerMessage(Level = LogLevel.Error, Message = "Shopify {Kind} transaction of {Count} items failed; none of them was stored and each will be retried")]
        public static partial void BatchFailed(ILogger logger, Exception exception, WorkKind kind, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify {Kind} item {ItemId}: the lease expired before it finished; another worker owns it now")]
        public static partial void LeaseLost(ILogger logger, WorkKind kind, long itemId);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify {Kind} item {ItemId} ({Store}, {Topic}) failed on attempt {Attempt} ({Error}); dead-lettered: {DeadLettered}")]
        public static partial void ItemFailed(ILogger logger, WorkKind kind, long itemId, string store, string topic, int attempt, bool deadLettered, string error);
    }
}
