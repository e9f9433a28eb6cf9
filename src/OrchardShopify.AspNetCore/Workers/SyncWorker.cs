using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>
/// Claims due items of one kind and hands them to its processing strategy (<see cref="IWorkProcessor"/>, chosen from the
/// handler's kind by <see cref="WorkProcessorFactory"/>), which works, records and reports each. On shutdown it stops
/// claiming, and an item interrupted half-way is released without counting the attempt.
/// </summary>
internal sealed partial class SyncWorker : BackgroundService
{
    /// <summary>Longest a batch transaction stays open: other writers (webhook appends, the site's user saves) wait for it.</summary>
    internal static readonly TimeSpan MaxTransactionTime = TimeSpan.FromMilliseconds(100);

    private readonly WorkKind _kind;
    private readonly WorkQueue _queue;
    private readonly SyncDatabase _database;
    private readonly IWorkProcessor _processor;
    private readonly WorkSignals _signals;
    private readonly IOptionsMonitor<ShopifyHostOptions> _options;
    private readonly ILogger<SyncWorker> _logger;
    private SyncDatabase.InboundInHand? _inHand;

    public SyncWorker(
        IWorkItemHandler handler,
        WorkQueue queue,
        SyncDatabase database,
        WorkProcessorFactory processors,
        WorkSignals signals,
        IOptionsMonitor<ShopifyHostOptions> options,
        ILogger<SyncWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(processors);
        _kind = handler.Kind;
        _queue = queue;
        _database = database;
        _signals = signals;
        _options = options;
        _logger = logger;
        Owner = $"{Environment.MachineName}/{Environment.ProcessId}/{handler.Kind}/{Guid.NewGuid():N}";
        _processor = processors.For(handler, Owner);
    }

    public string Owner { get; }

    /// <summary>
    /// Other workers of this kind run on this node (<c>Queue:InboundWorkers</c>): a full claim wakes one of them, as more
    /// may be waiting, since a new delivery's signal wakes only one worker.
    /// </summary>
    internal bool WakesSiblings { get; set; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        WorkerThread.Run($"Shopify {_kind} worker", _options.CurrentValue.Queue.WorkerNice, priority => LoopAsync(priority, stoppingToken));

    /// <summary>
    /// The worker's loop, on its own thread below the request threads' priority (<see cref="WorkerThread"/>), which keeps
    /// it: what follows each of its waits (for the database, Shopify or a customer's lock) runs on that thread again.
    /// It never moves the inbox itself (see <see cref="WebhookInbox.MoveAsync"/>).
    /// </summary>
    private async Task LoopAsync(WorkerThread.Priority priority, CancellationToken stoppingToken)
    {
        Log.Started(_logger, _kind, Owner, priority.Description);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                int claimed;
                try
                {
                    claimed = await RoundAsync(stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // The worker must outlive a database outage; it logs and tries again.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Log.ClaimFailed(_logger, ex, _kind);
                    claimed = 0;
                }

                if (claimed == 0)
                {
                    // Nothing left in hand: an import waiting for this node's deliveries goes on.
                    EndInHand();
                    try
                    {
                        // Idle, with none of the loop's work pending: the thread blocks until woken (a waker wakes it
                        // directly, with no task continuations between), at most for the poll interval.
                        _signals.Wait(_kind, _options.CurrentValue.Queue.PollInterval, stoppingToken);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            EndInHand();
        }
    }

    /// <summary>
    /// One round of the worker's loop. On SQLite the claim takes a turn at the write lock (an import between two of its
    /// transactions lets it in; see <see cref="SyncDatabase.TakeWriteTurnAsync(CancellationToken)"/>), with the inbound
    /// worker's inbox move before it, and each batch then takes one of its own once its customers are held
    /// (<see cref="WorkBatch"/>). The move writes the inbox file, whose lock the webhook writer needs: it runs on the thread
    /// pool at normal priority while this thread waits (the move needs nothing of this thread's context), and the claim
    /// then goes on here.
    /// </summary>
    private async Task<int> RoundAsync(CancellationToken stoppingToken)
    {
        using var turn = await _database.TakeWriteTurnAsync(stoppingToken);
        if (_kind == WorkKind.InboundDelivery)
        {
            Task.Run(() => _queue.MoveInboxAsync(stoppingToken), CancellationToken.None).GetAwaiter().GetResult();
        }

        return await RunOnceAsync(moveInbox: false, stoppingToken, wakeSibling: WakesSiblings, claimTurn: turn);
    }

    /// <summary>Claims one batch and has the processing strategy work it.</summary>
    /// <returns>How many items were claimed.</returns>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await RunOnceAsync(moveInbox: true, cancellationToken);
        }
        finally
        {
            EndInHand();
        }
    }

    private void EndInHand()
    {
        _inHand?.Dispose();
        _inHand = null;
    }

    /// <param name="claimTurn">A turn at the write lock held for the claim, given up once the items are claimed (or the
    /// claim failed), before they are worked.</param>
    private async Task<int> RunOnceAsync(bool moveInbox, CancellationToken cancellationToken, bool wakeSibling = false, SyncDatabase.WriteTurn? claimTurn = null)
    {
        var batchSize = _options.CurrentValue.Queue.BatchSize;
        IReadOnlyList<WorkItem> claimed;
        try
        {
            claimed = await _queue.ClaimAsync(_kind, Owner, batchSize, cancellationToken, moveInbox);
        }
        finally
        {
            claimTurn?.Dispose();
        }

        if (claimed.Count > 0)
        {
            Log.Claimed(_logger, _kind, Owner, claimed.Count);
        }

        if (wakeSibling && claimed.Count == batchSize)
        {
            _signals.Wake(_kind);
        }

        if (_kind == WorkKind.InboundDelivery && claimed.Count > 0)
        {
            // An import on PostgreSQL waits for deliveries this node's inbound workers have in hand before its next
            // transaction; the loop keeps the mark from round to round while they find deliveries (LoopAsync).
            _inHand ??= _database.MarkInboundInHand();
        }

        await _processor.ProcessAsync(claimed, cancellationToken);
        return claimed.Count;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Shopify {Kind} worker {Owner} started ({Priority})")]
        public static partial void Started(ILogger logger, WorkKind kind, string owner, string priority);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Shopify {Kind} worker {Owner} claimed {Count} items")]
        public static partial void Claimed(ILogger logger, WorkKind kind, string owner, int count);

        [LoggerMessage(Level = LogLevel.Error, Message = "Shopify {Kind} worker could not claim work; trying again")]
        public static partial void ClaimFailed(ILogger logger, Exception exception, WorkKind kind);
    }
}
