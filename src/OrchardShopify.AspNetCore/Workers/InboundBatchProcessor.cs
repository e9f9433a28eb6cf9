using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>
/// Works inbound deliveries in batch transactions: first what the handler can do at once (new customers), then the rest
/// item by item inside transactions of at most <see cref="SyncWorker.MaxTransactionTime"/>, each item with a savepoint
/// of its own. Where no batch can begin (users in another PostgreSQL database or in the sync's SQLite file, a user
/// store outside EF Core, a failure to begin) the items are
/// worked by <paramref name="oneByOne"/>. Sync events are raised only once the transaction holding their writes has committed.
/// A batch takes the locks of the customers it may work before it opens its transaction (<see cref="WorkBatch"/>), never
/// inside it: a push holding a customer's lock while it remembers Shopify's answer would otherwise wait for the batch's
/// write lock while the batch waits for that customer.
/// </summary>
internal sealed partial class InboundBatchProcessor(
    WorkItemSteps steps,
    IBulkWorkItemHandler? bulk,
    IWorkProcessor oneByOne,
    SyncDatabase database,
    IUserDirectory users,
    ISyncLock customerLocks,
    TimeProvider time,
    ILogger logger) : IWorkProcessor
{
    public async Task ProcessAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken)
    {
        if (bulk is not null && items.Count > 1)
        {
            items = await ProcessInBulkAsync(bulk, items, cancellationToken);
        }

        var next = 0;
        while (next < items.Count)
        {
            if (await TryBeginBatchAsync(items, next, cancellationToken) is { } batch)
            {
                next = await ProcessInTransactionAsync(batch, items, next, cancellationToken);
            }
            else
            {
                await oneByOne.ProcessAsync(next == 0 ? items : [.. items.Skip(next)], cancellationToken);
                next = items.Count;
            }
        }
    }

    /// <summary>
    /// Works what the handler can do at once (new customers) in one transaction, and records those items' outcomes in
    /// it. When anything of it fails nothing of it is stored, and every item is worked one by one instead.
    /// </summary>
    /// <returns>The items left to work one by one, in their order.</returns>
    private async Task<IReadOnlyList<WorkItem>> ProcessInBulkAsync(IBulkWorkItemHandler handler, IReadOnlyList<WorkItem> items, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || await TryBeginBatchAsync(items, 0, cancellationToken) is not { } batch)
        {
            return items;
        }

        var reports = new List<ItemReport>();
        var rest = new List<WorkItem>(items.Count);
        using var raised = ShopifySyncEventDispatcher.Defer();
        var bulkFailed = false;
        await InBatchAsync(batch, async () =>
        {
            try
            {
                var results = await handler.HandleBulkAsync(items, cancellationToken);
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

                var kept = await steps.Queue.CompleteManyAsync([.. done.Select(d => (d.Item, d.Result.Outcome, d.Result.CustomerId, d.Result.UserId))], steps.Owner, CancellationToken.None);
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
                    Log.BulkFailed(logger, ex, steps.Kind, items.Count);
                }

                bulkFailed = true;
            }
        });

        if (bulkFailed)
        {
            return items;
        }

        foreach (var report in reports)
        {
            await steps.ReportAsync(report);
        }

        // The sync events of what was applied at once, now that it is committed.
        raised.Dispose();
        await steps.DispatchAsync(raised);
        return rest;
    }

    /// <summary>
    /// Begins a batch holding the locks of the customers of the items from <paramref name="start"/> on (those it may work);
    /// waiting for them is cut short by <paramref name="cancellationToken"/>.
    /// </summary>
    /// <returns>Null when no batch can begin (or on shutdown): the items are worked one by one.</returns>
    private async Task<WorkBatch?> TryBeginBatchAsync(IReadOnlyList<WorkItem> items, int start, CancellationToken cancellationToken)
    {
        try
        {
            return await WorkBatch.TryBeginAsync(database, users, customerLocks, LockKeys(items, start), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
#pragma warning disable CA1031 // The items are already claimed: they are worked one by one instead.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.BatchNotStarted(logger, ex, steps.Kind);
            return null;
        }
    }

    /// <summary>The lock keys of the customers the items from <paramref name="start"/> on are about (as the handler reads them).</summary>
    private IEnumerable<string> LockKeys(IReadOnlyList<WorkItem> items, int start)
    {
        for (var i = start; i < items.Count; i++)
        {
            if (steps.Handler.CustomerOf(items[i]) is { } customerId)
            {
                yield return SyncLockKeys.Customer(items[i].StoreHandle, customerId);
            }
        }
    }

    /// <summary>
    /// Works items from <paramref name="start"/> in <paramref name="batch"/>'s transaction until they run out or the
    /// transaction has been open for <see cref="SyncWorker.MaxTransactionTime"/>, then commits.
    /// </summary>
    /// <returns>The index of the first item not worked.</returns>
    private async Task<int> ProcessInTransactionAsync(WorkBatch batch, IReadOnlyList<WorkItem> items, int start, CancellationToken cancellationToken)
    {
        var reports = new List<ItemReport>();
        var began = time.GetTimestamp();
        var next = start;
        Exception? failed = null;
        await InBatchAsync(batch, async () =>
        {
            try
            {
                while (next < items.Count)
                {
                    var item = items[next++];
                    if (cancellationToken.IsCancellationRequested)
                    {
                        await steps.ReleaseAsync(item);
                        continue;
                    }

                    await batch.BeginItemAsync(CancellationToken.None);
                    var report = await steps.ProcessAsync(item, cancellationToken, succeeded => batch.EndItemAsync(succeeded));
                    reports.Add(report);
                    if (time.GetElapsedTime(began) >= SyncWorker.MaxTransactionTime)
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
                failed = ex;
            }
        });

        if (failed is not null)
        {
            // Failed once the batch has ended: its transaction rolled back (its locks, and its rows on PostgreSQL, let go)
            // and its turn given up.
            Log.BatchFailed(logger, failed, steps.Kind, next - start);
            for (var i = start; i < next; i++)
            {
                await steps.ReportAsync(await steps.FailAsync(items[i], failed, permanent: false));
            }

            return next;
        }

        // Counted, logged and raised as sync events only once the transaction holding them has committed.
        foreach (var report in reports)
        {
            await steps.ReportAsync(report);
        }

        return next;
    }

    /// <summary>
    /// Runs <paramref name="work"/> (which catches its own failures) with <paramref name="batch"/> entered, then ends the
    /// batch: what was not committed is rolled back, its turn and locks are given up. A batch that cannot be ended
    /// cleanly (a lost connection) is logged; what <paramref name="work"/> recorded still stands, so its items are
    /// reported or failed as they would be otherwise.
    /// </summary>
    private async Task InBatchAsync(WorkBatch batch, Func<Task> work)
    {
        try
        {
            await using (batch)
            {
                batch.Enter();
                try
                {
                    await work();
                }
                finally
                {
                    WorkBatch.Leave();
                }
            }
        }
#pragma warning disable CA1031 // The work catches its own failures: this is the batch failing to end.
        catch (Exception ended)
#pragma warning restore CA1031
        {
            Log.BatchNotEnded(logger, ended, steps.Kind);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify {Kind} transaction could not be ended cleanly; its items' outcomes are recorded as they stand (a failed transaction's items are failed and retried)")]
        public static partial void BatchNotEnded(ILogger logger, Exception exception, WorkKind kind);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify {Kind} items could not be worked in one transaction; working them one by one")]
        public static partial void BatchNotStarted(ILogger logger, Exception exception, WorkKind kind);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify {Kind} items could not be worked at once ({Count} claimed); working them one by one")]
        public static partial void BulkFailed(ILogger logger, Exception exception, WorkKind kind, int count);

        [LoggerMessage(Level = LogLevel.Error, Message = "Shopify {Kind} transaction of {Count} items failed; none of them was stored and each will be retried")]
        public static partial void BatchFailed(ILogger logger, Exception exception, WorkKind kind, int count);
    }
}
