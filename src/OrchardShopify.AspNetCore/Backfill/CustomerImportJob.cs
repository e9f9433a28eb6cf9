using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Backfill;

/// <summary>
/// Streams a store's customers from Shopify and applies each with the inbound rules of webhooks
/// (<see cref="InboundCustomerSync.ApplyCustomerStateAsync"/>). Memory is bounded whatever the store's size: the
/// export is read row by row into a small channel that appliers drain, and only counters are kept. Where the host
/// stores a run of work in one transaction (<see cref="WorkBatch"/>: a user store that can join, on SQLite or in the
/// sync's PostgreSQL database), appliers store the customers a batch per transaction, each in its own savepoint – one
/// applier on SQLite, taking turns at the write lock with the inbound workers, and
/// <see cref="ShopifyBackfillOptions.Parallelism"/> on PostgreSQL; otherwise that many appliers store them one by one.
/// </summary>
internal sealed class CustomerImportJob(
    ShopifyStore store,
    CustomerImportMode mode,
    DateTimeOffset? since,
    BulkCustomerExport export,
    ShopifyCustomerClient customers,
    InboundCustomerSync inbound,
    CustomerViewCache cache,
    SyncDatabase database,
    IUserDirectory users,
    ISyncLock customerLocks,
    ShopifyBackfillOptions options,
    TimeProvider time,
    int workerNice,
    string logTopic = CustomerImportJob.LogTopic) : ISyncJob
{
    public const string Kind = "import";

    /// <summary>Sync log topic of the changes an import made (the scheduled catch-up gives its own).</summary>
    public const string LogTopic = "import/customers";

    /// <summary>
    /// Most customers stored in one transaction, which goes on while it is younger than
    /// <see cref="SyncWorker.MaxTransactionTime"/>. The new ones among them are created, linked and given their claims
    /// together (a few statements per table for a run of them), on SQLite in runs sized to the time left
    /// (<see cref="TogetherRun"/>); the others are stored one by one.
    /// </summary>
    internal const int MaxBatch = 200;

    private readonly ImportProgress _progress = new();

    private readonly TogetherRun _togetherRun = new();

    /// <summary>An import of <paramref name="store"/> with the site's services (the import service and the scheduled catch-up).</summary>
    public static CustomerImportJob Create(IServiceProvider services, ShopifyStore store, CustomerImportMode mode, DateTimeOffset? since, ShopifyBackfillOptions options, string logTopic = LogTopic) => new(
        store,
        mode,
        since,
        services.GetRequiredService<BulkCustomerExport>(),
        services.GetRequiredService<ShopifyCustomerClient>(),
        services.GetRequiredService<InboundCustomerSync>(),
        services.GetRequiredService<CustomerViewCache>(),
        services.GetRequiredService<SyncDatabase>(),
        services.GetRequiredService<IUserDirectory>(),
        services.GetRequiredService<ISyncLock>(),
        options,
        services.GetRequiredService<TimeProvider>(),
        services.GetRequiredService<IOptionsMonitor<ShopifyHostOptions>>().CurrentValue.Queue.WorkerNice,
        logTopic);

    public object Snapshot() => _progress.Snapshot();

    public async Task<object> RunAsync(CancellationToken cancellationToken)
    {
        using var pipeline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // Where the host stores a run of work in one transaction (WorkBatch), appliers store the customers a batch per
        // transaction: on SQLite one (it has one writer: a second would only wait for the first one's transaction), on
        // PostgreSQL Parallelism of them, each batch holding its customers' locks as a node's workers do. Each runs on a
        // thread of its own below the priority of the threads answering requests, as the workers do (WorkerThread),
        // which keeps it after each wait: webhooks arriving during an import are acknowledged first. With a user store
        // that cannot join at all, Parallelism appliers store them one by one on the thread pool, as the workers' items
        // that cannot go in a batch are: that path runs the host's own user store (Orchard Core's), which is not written
        // to keep to one thread.
        var batched = users is IBatchUserDirectory;
        var count = batched && !database.IsPostgres ? 1 : Math.Clamp(options.Parallelism, 1, 32);

        // Download and parse run ahead of the appliers by at most a batch each and one more: memory stays bounded whatever
        // the store's size.
        var channel = Channel.CreateBounded<ShopifyCustomer>(new BoundedChannelOptions((count + 1) * MaxBatch) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        await using var log = new SyncLogBatch(database);
        Exception? fatal = null;

        var producer = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var customer in ReadAsync(pipeline.Token))
                    {
                        await channel.Writer.WriteAsync(customer, pipeline.Token);
                    }

                    channel.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    channel.Writer.TryComplete(ex);
                    throw;
                }
            },
            CancellationToken.None);

        async Task StopWhenFailingAsync()
        {
            if (_progress.ConsecutiveFailures >= options.MaxConsecutiveFailures && fatal is null)
            {
                fatal = new InvalidOperationException($"Stopped after {_progress.ConsecutiveFailures} customers in a row failed; see the failures for the cause.");
                await pipeline.CancelAsync();
            }
        }

        Task[] appliers = [.. Enumerable.Range(0, count).Select(_ => batched
            ? WorkerThread.Run("Shopify import applier", workerNice, async _ =>
                {
                    try
                    {
                        var chunk = new List<ShopifyCustomer>(MaxBatch);
                        while (await channel.Reader.WaitToReadAsync(pipeline.Token))
                        {
                            while (chunk.Count < MaxBatch && channel.Reader.TryRead(out var customer))
                            {
                                chunk.Add(customer);
                            }

                            if (chunk.Count == 0)
                            {
                                // Another applier took what was there.
                                continue;
                            }

                            await ApplyChunkAsync(chunk, log, pipeline.Token);
                            chunk.Clear();
                            await StopWhenFailingAsync();
                        }
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        // An applier that cannot go on (the database is gone) stops the others and the download: the
                        // import fails with its error instead of waiting for appliers that are no longer there.
                        Interlocked.CompareExchange(ref fatal, ex, null);
                        await pipeline.CancelAsync();
                        throw;
                    }
                })
            : Task.Run(
                async () =>
                {
                    await foreach (var customer in channel.Reader.ReadAllAsync(pipeline.Token))
                    {
                        await ApplyAsync(customer, log, pipeline.Token);
                        await StopWhenFailingAsync();
                    }
                },
                CancellationToken.None))];

        try
        {
            await Task.WhenAll([producer, .. appliers]);
        }
        catch (OperationCanceledException) when (fatal is not null && !cancellationToken.IsCancellationRequested)
        {
            // The appliers stopped the pipeline; the reason is thrown below.
        }
        finally
        {
            await log.FlushAsync(CancellationToken.None);
        }

        if (fatal is not null)
        {
            throw fatal;
        }

        _progress.Stage = "finished";
        return _progress.Snapshot();
    }

    private async IAsyncEnumerable<ShopifyCustomer> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (mode == CustomerImportMode.Changed)
        {
            _progress.Stage = "applying";
            await foreach (var customer in customers.GetCustomersUpdatedSinceAsync(store, since ?? DateTimeOffset.UnixEpoch, cancellationToken))
            {
                yield return customer;
            }

            yield break;
        }

        _progress.Stage = "exporting";
        var id = await export.StartAsync(store, BulkCustomerFields.Profiles, cancellationToken);
        var operation = await export.WaitForCompletionAsync(store, id, cancellationToken);
        _progress.SetTotal(operation.RootObjectCount);
        _progress.Stage = "applying";
        if (operation.Url is null)
        {
            // Shopify gives no file when the store has no customers.
            yield break;
        }

        await foreach (var row in export.ReadAsync(store, operation.Url, cancellationToken))
        {
            if (row is BulkCustomerRow customer)
            {
                yield return customer.Customer;
            }
        }
    }

    /// <summary>
    /// Stores the customers in transactions of the host's <see cref="WorkBatch"/> (each at most
    /// <see cref="SyncWorker.MaxTransactionTime"/> long, so webhooks are not held up), and counts them once committed.
    /// A transaction that cannot commit is stored again customer by customer.
    /// </summary>
    private async Task ApplyChunkAsync(List<ShopifyCustomer> chunk, SyncLogBatch log, CancellationToken cancellationToken)
    {
        // Customers already applied at this updatedAt will most likely change nothing: they are applied without a
        // savepoint of their own, and should one fail after all, the transaction is dropped and its customers are applied
        // one by one. This only chooses how a customer is stored; the inbound rules decide what happens to it.
        var ids = chunk.Select(c => c.Id).ToList();
        Dictionary<long, long?> applied;
        await using (var db = await database.OpenAsync(cancellationToken))
        {
            applied = await db.Links.AsNoTracking()
                .Where(l => l.StoreHandle == store.Handle && ids.Contains(l.CustomerId))
                .ToDictionaryAsync(l => l.CustomerId, l => l.AppliedUpdatedAt, cancellationToken);
        }

        bool Current(ShopifyCustomer c) => applied.TryGetValue(c.Id, out var at) && at >= UnixTime.From(c.UpdatedAt);

        // Customers new to the site are created and linked together, a run at a time that fits in what is left of the
        // transaction's time (the host's validators run for each of them under the write lock); the results hold only
        // while that transaction's writes do. Customers before togetherFrom have had their run.
        var created = new InboundResult?[chunk.Count];
        var togetherFrom = 0;
        var next = 0;
        while (next < chunk.Count)
        {
            // On SQLite each transaction is a turn at the write lock (WorkBatch takes it once its customers are held): an
            // inbound worker waiting for one goes next, so webhooks arriving during an import are applied between its
            // transactions (SyncDatabase.TakeWriteTurnAsync).
            if (database.IsPostgres)
            {
                // On PostgreSQL the transactions of an import and of the inbound workers do not wait for each other, but
                // they share the processors and the server: the import lets the deliveries this node's workers have
                // claimed be applied first.
                await database.YieldToInboundAsync(TimeSpan.FromSeconds(1), cancellationToken);
            }

            WorkBatch? batch;
            try
            {
                // The customers' locks are taken before the transaction begins (see WorkBatch), never inside it.
                batch = await WorkBatch.TryBeginAsync(database, users, customerLocks, chunk.Skip(next).Select(c => SyncLockKeys.Customer(store.Handle, c.Id)), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                batch = null;
            }

            if (batch is null)
            {
                for (; next < chunk.Count; next++)
                {
                    await ApplyAsync(chunk[next], log, cancellationToken);
                }

                return;
            }

            var start = next;
            var outcomes = new List<(ShopifyCustomer Customer, InboundResult? Result, Exception? Error)>();
            var committed = false;
            var began = time.GetTimestamp();
            await using (batch)
            {
                batch.Enter();
                try
                {
                    while (next < chunk.Count && (next == start || time.GetElapsedTime(began) < SyncWorker.MaxTransactionTime))
                    {
                        if (next == togetherFrom)
                        {
                            // The next run of new customers: on SQLite, as many as the time left is likely to hold (at
                            // least one), since every other writer waits for this transaction; on PostgreSQL, which it
                            // holds up only for these customers, the rest of the chunk (timed by wall clock, runs of
                            // parallel appliers sharing the processors would only look slower and shrink). Their
                            // outcomes, and so their sync log rows and counts, go with this transaction: one that ends
                            // before all of them are reached still logs and counts those it created.
                            var size = database.IsPostgres ? MaxBatch : _togetherRun.Size(SyncWorker.MaxTransactionTime - time.GetElapsedTime(began));
                            togetherFrom = Math.Min(chunk.Count, next + size);
                            var runStarted = time.GetTimestamp();
                            await CreateTogetherAsync(chunk, next, togetherFrom, Current, created, cancellationToken);
                            if (!database.IsPostgres)
                            {
                                // Only SQLite's runs are sized from the time the runs before took.
                                _togetherRun.Took(togetherFrom - next, time.GetElapsedTime(runStarted));
                            }
                            for (var i = next; i < togetherFrom; i++)
                            {
                                if (created[i] is { } together)
                                {
                                    outcomes.Add((chunk[i], together, null));
                                }
                            }
                        }

                        var index = next;
                        var customer = chunk[next++];
                        if (created[index] is not null)
                        {
                            // Stored, logged and counted with the transaction that created it.
                            continue;
                        }

                        if (Current(customer))
                        {
                            // A failure here ends the transaction uncommitted (caught below).
                            outcomes.Add((customer, await inbound.ApplyCustomerStateAsync(store, customer, CustomerStateSource.Import, CustomerApplyMode.NewerOnly, cancellationToken), null));
                            continue;
                        }

                        await batch.BeginItemAsync(CancellationToken.None);
                        try
                        {
                            var result = await inbound.ApplyCustomerStateAsync(store, customer, CustomerStateSource.Import, CustomerApplyMode.NewerOnly, cancellationToken);
                            await batch.EndItemAsync(succeeded: true);
                            outcomes.Add((customer, result, null));
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                        {
                            await batch.EndItemAsync(succeeded: false);
                            outcomes.Add((customer, null, ex));
                        }
                    }

                    // The sync log rows of what this transaction stored are written in it (one prepared insert run per
                    // row): a committed customer always has its row, and the log costs no transaction of its own.
                    var rows = outcomes.Where(o => o.Error is null && IsLogged(o.Result!)).Select(o => LogRow(o.Customer.Id, o.Result!)).ToList();
                    if (rows.Count > 0)
                    {
                        // Every item's writes are saved; nothing tracked is left to go in with the rows.
                        batch.Db.ChangeTracker.Clear();
                        batch.Db.SyncLog.AddRange(rows);
                        await AddedRowWriter.SaveAsync(batch.Db, CancellationToken.None);
                    }

                    await batch.CommitAsync(CancellationToken.None);
                    committed = true;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // Nothing of this transaction was stored: its customers are applied again below, one by one.
                }
                finally
                {
                    WorkBatch.Leave();
                }
            }

            if (!committed)
            {
                // Whatever was created together went with the transaction: those not reached yet get a run again.
                Array.Clear(created);
                togetherFrom = next;
                for (var i = start; i < next; i++)
                {
                    await ApplyAsync(chunk[i], log, cancellationToken);
                }

                continue;
            }

            // Counted once committed: the stored ones first, so that a cancellation while the others are applied again
            // leaves none of them uncounted.
            foreach (var (customer, result, error) in outcomes)
            {
                if (error is null)
                {
                    // Logged in the transaction.
                    await RecordAsync(customer, result!, null, cancellationToken);
                }
            }

            foreach (var (customer, _, error) in outcomes)
            {
                if (error is DbUpdateException refused && SyncDatabase.IsUniqueViolation(refused))
                {
                    // Its savepoint was undone: nothing of it is stored. The database refused a row another writer had
                    // stored meanwhile (a user with its email, created by an import of another store or by another node):
                    // applied once more on its own, outside any transaction, that user is found and linked.
                    try
                    {
                        await ApplyAsync(customer, log, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        await RecordFailureAsync(customer, error, log, CancellationToken.None);
                        throw;
                    }
                }
                else if (error is not null)
                {
                    await RecordFailureAsync(customer, error, log, cancellationToken);
                }
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="created"/> for the customers from <paramref name="from"/> to before <paramref name="to"/> that the inbound rules create a
    /// user for and that can be created together (<see cref="InboundCustomerSync.ApplyNewCustomerStatesAsync"/>).
    /// </summary>
    private async Task CreateTogetherAsync(List<ShopifyCustomer> chunk, int from, int to, Func<ShopifyCustomer, bool> current, InboundResult?[] created, CancellationToken cancellationToken)
    {
        var indexes = Enumerable.Range(from, to - from).Where(i => !current(chunk[i])).ToList();
        if (indexes.Count == 0)
        {
            return;
        }

        var results = await inbound.ApplyNewCustomerStatesAsync(store, indexes.Select(i => chunk[i]).ToList(), cancellationToken);
        for (var i = 0; i < indexes.Count; i++)
        {
            created[indexes[i]] = results[i];
        }
    }

    private async Task ApplyAsync(ShopifyCustomer customer, SyncLogBatch log, CancellationToken cancellationToken)
    {
        InboundResult result;
        try
        {
            result = await inbound.ApplyCustomerStateAsync(store, customer, CustomerStateSource.Import, CustomerApplyMode.NewerOnly, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // One customer's failure is counted and shown; the import goes on with the next.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await RecordFailureAsync(customer, ex, log, cancellationToken);
            return;
        }

        await RecordAsync(customer, result, log, cancellationToken);
    }

    private async Task RecordFailureAsync(ShopifyCustomer customer, Exception error, SyncLogBatch log, CancellationToken cancellationToken)
    {
        _progress.RecordFailure(error, customer.Id);
        await log.AddAsync(LogRow(customer.Id, null, "failed", FailureText.Of(error)), cancellationToken);
    }

    /// <param name="log">Where the customer's sync log row goes; null when it was written with the customer.</param>
    private async Task RecordAsync(ShopifyCustomer customer, InboundResult result, SyncLogBatch? log, CancellationToken cancellationToken)
    {
        _progress.Record(result, customer.Id);
        if (result.Outcome == InboundOutcome.Updated)
        {
            // Shopify has newer data than was applied: a cached customer page is out of date, as after a webhook.
            cache.Invalidate(store.Handle, customer.Id);
        }

        if (log is not null && IsLogged(result))
        {
            await log.AddAsync(LogRow(customer.Id, result), cancellationToken);
        }
    }

    /// <summary>Changes, skips (and failures) are logged; unchanged customers are only counted.</summary>
    private static bool IsLogged(InboundResult result)
        => result.Outcome is InboundOutcome.Created or InboundOutcome.Linked or InboundOutcome.Updated or InboundOutcome.Skipped;

    private SyncLogRow LogRow(long customerId, InboundResult result)
        => LogRow(customerId, result.UserId, InboundResult.OutcomeName(result.Outcome), result.Detail);

    private SyncLogRow LogRow(long customerId, string? userId, string outcome, string? detail) => new()
    {
        At = UnixTime.From(time.GetUtcNow()),
        Direction = "inbound",
        StoreHandle = store.Handle,
        Topic = logTopic,
        CustomerId = customerId,
        UserId = userId,
        Outcome = outcome,
        Detail = detail is { Length: > 2000 } ? detail[..2000] : detail,
    };

    /// <summary>
    /// How many new customers a run creates together: as many as the time left in the transaction is likely to hold, from
    /// the time the runs before took per customer (the host's validators and user store decide it, and can take
    /// milliseconds a user), so an import's transaction on SQLite keeps to <see cref="SyncWorker.MaxTransactionTime"/> and
    /// the single writes waiting for their turn wait no longer.
    /// </summary>
    internal sealed class TogetherRun
    {
        /// <summary>The first run's size, before any run has been timed.</summary>
        internal const int First = MaxBatch / 4;

        private readonly Lock _lock = new();
        private double _ticksPerCustomer = double.NaN;

        /// <summary>The next run's size for <paramref name="left"/> of the transaction's time: 1 to <see cref="MaxBatch"/>.</summary>
        public int Size(TimeSpan left)
        {
            lock (_lock)
            {
                if (double.IsNaN(_ticksPerCustomer))
                {
                    return First;
                }

                return left <= TimeSpan.Zero ? 1 : (int)Math.Clamp(left.Ticks / Math.Max(_ticksPerCustomer, 1), 1, MaxBatch);
            }
        }

        /// <summary>Records that a run of <paramref name="customers"/> took <paramref name="elapsed"/>; the estimate follows the recent runs.</summary>
        public void Took(int customers, TimeSpan elapsed)
        {
            if (customers <= 0)
            {
                return;
            }

            var perCustomer = (double)elapsed.Ticks / customers;
            lock (_lock)
            {
                _ticksPerCustomer = double.IsNaN(_ticksPerCustomer) ? perCustomer : (_ticksPerCustomer + perCustomer) / 2;
            }
        }
    }
}
