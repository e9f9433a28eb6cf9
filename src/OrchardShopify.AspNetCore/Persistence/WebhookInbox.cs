using System.Data;
using System.Data.Common;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>
/// Stores verified deliveries, once per <c>X-Shopify-Webhook-Id</c>. The only database work a webhook request does.
/// Appends are group-committed: requests queue their rows, one writer stores everything queued so far in one
/// transaction, and each request's task completes only after the transaction holding its row has committed.
/// On a SQLite file and on PostgreSQL the rows go to an inbox file of this node's own (<see cref="SqliteInboxFile"/>),
/// whose write lock nothing but this writer and the mover take, so an append never waits for the workers' apply
/// transactions (SQLite's write lock, PostgreSQL's log flushes, lock waits and connections); <see cref="RunMoverAsync"/>
/// moves them into the work queue. A duplicate is refused from the inbox file alone: a delivery still in it, or a webhook
/// id it moved in the last <c>Shopify:SyncLogRetention</c>; the work queue's unique key drops the rest when they are
/// moved (a delivery sent to two PostgreSQL nodes is applied once). In-memory SQLite stores straight into the work queue.
/// </summary>
internal sealed partial class WebhookInbox : IAsyncDisposable
{
    /// <summary>Most rows one transaction stores; the rest wait for the next one.</summary>
    internal const int MaxBatch = 256;

    private const string Table = ShopifySyncDbContext.WorkItemsTable;

    // In-memory SQLite. ON CONFLICT DO NOTHING: a duplicate neither fails nor writes; the payload is stored only with a
    // new item (changes() and last_insert_rowid() are those of the item's insert until the payload's insert completes).
    private static readonly string QueueInsertSql = $$"""
        INSERT INTO {{Table}} (kind, dedup_key, store, topic, event_id, triggered_at, api_version, status, attempts, next_attempt_at, received_at)
        VALUES ({{(int)WorkKind.InboundDelivery}}, @webhook_id, @store, @topic, @event_id, @triggered_at, @api_version, {{(int)WorkStatus.Pending}}, 0, @now, @now)
        ON CONFLICT (kind, dedup_key) DO NOTHING;
        INSERT INTO {{WorkItemBodyRow.Table}} (id, body) SELECT last_insert_rowid(), @body WHERE changes() > 0;
        """;

    // The inbox file's insert: a duplicate is one still in the inbox file, or one it has moved into the work queue. The
    // sync database is not read: the append touches nothing the workers write.
    private static readonly string FileInsertSql = $$"""
        INSERT INTO {{SqliteInboxFile.Table}} (webhook_id, store, topic, event_id, triggered_at, api_version, body, received_at)
        SELECT @webhook_id, @store, @topic, @event_id, @triggered_at, @api_version, @body, @now
        WHERE NOT EXISTS (SELECT 1 FROM {{SqliteInboxFile.IdsTable}} WHERE webhook_id = @webhook_id)
        ON CONFLICT (webhook_id) DO NOTHING
        """;

    private readonly SyncDatabase _database;
    private readonly IOptionsMonitor<ShopifyHostOptions> _options;
    private readonly WorkSignals _signals;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookInbox> _logger;
    private readonly string _contentRoot;
    private readonly Channel<PendingAppend> _pending = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _startGate = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly SemaphoreSlim _moveSignal = new(0, 1);
    private readonly SemaphoreSlim _moveGate = new(1, 1);
    private Task? _writer;
    private Task<InboxFiles?>? _files;
    private InsertStatement? _insert;
    private SqliteConnection? _mover;
    private bool _moverClosed;
    private long _commits;

    public WebhookInbox(SyncDatabase database, IOptionsMonitor<ShopifyHostOptions> options, WorkSignals signals, TimeProvider time, ILogger<WebhookInbox> logger, IHostEnvironment? environment = null)
    {
        _contentRoot = environment?.ContentRootPath ?? AppContext.BaseDirectory;
        _database = database;
        _options = options;
        _signals = signals;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Holds the mover, the only part of the inbox that writes the sync database, back between two moves until the
    /// returned handle is disposed. The checkpoint worker restarts the sync database's log under it, so neither waits
    /// for the other's lock in SQLite's busy handler, which sleeps in steps of milliseconds. Appends go on meanwhile:
    /// they write the inbox file, which the restart does not touch, so no acknowledgement waits for a checkpoint.
    /// </summary>
    public async Task<IDisposable> HoldMovesAsync(CancellationToken cancellationToken)
    {
        await _moveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new GateRelease(_moveGate);
    }

    /// <summary>How many transactions the writer has committed (for tests and metrics of batching).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <returns>False when a delivery with the same webhook id is already stored.</returns>
    /// <remarks><paramref name="cancellationToken"/> only stops the wait: a queued row is still stored.</remarks>
    public Task<bool> AppendAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var append = new PendingAppend(delivery, UnixTime.From(_time.GetUtcNow()));
        EnsureWriter();
        if (!_pending.Writer.TryWrite(append))
        {
            throw new ObjectDisposedException(nameof(WebhookInbox), "The inbox is shut down; the delivery was not stored.");
        }

        return append.Stored.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Rows already queued are still written: their requests are waiting for the commit.
        _pending.Writer.TryComplete();
        Task? writer;
        lock (_startGate)
        {
            writer = _writer;
        }

        if (writer is not null)
        {
            await writer.ConfigureAwait(false);
        }

        if (_insert is not null)
        {
            await _insert.DisposeAsync().ConfigureAwait(false);
            _insert = null;
        }

        // After the move under way, if any; none starts after this.
        await _moveGate.WaitAsync().ConfigureAwait(false);
        try
        {
            _moverClosed = true;
            await CloseMoverAsync().ConfigureAwait(false);
        }
        finally
        {
            _moveGate.Release();
        }
    }

    private Task<InboxFiles?> FilesAsync()
    {
        lock (_startGate)
        {
            return _files ??= ResolveFilesAsync();
        }
    }

    private async Task<InboxFiles?> ResolveFilesAsync()
    {
        var storage = _options.CurrentValue.Storage;
        await using var db = await _database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
        if (_database.IsPostgres)
        {
            var configured = storage.InboxFile;
            return new InboxFiles(
                Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? SqliteInboxFile.DefaultForPostgres(_contentRoot, db.Database.GetConnectionString()) : configured, _contentRoot),
                Sync: null);
        }

        return SyncDatabase.SqliteFile(db) is { } sync
            ? new InboxFiles(string.IsNullOrWhiteSpace(storage.InboxFile) ? SqliteInboxFile.PathFor(sync) : Path.GetFullPath(storage.InboxFile, _contentRoot), sync)
            : null;
    }

    private void EnsureWriter()
    {
        if (Volatile.Read(ref _writer) is not null)
        {
            return;
        }

        lock (_startGate)
        {
            if (_writer is not null)
            {
                return;
            }

            // A thread of its own, not the thread pool's: the workers' apply keeps the pool's threads busy, and a batch
            // of acknowledgements queued behind their work items would wait for them. The writer outlives the request
            // (or batch) that starts it: it must not inherit that flow's ambient state.
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() => WriteLoop(done)) { IsBackground = true, Name = "Shopify webhook inbox writer" };
            using (ExecutionContext.SuppressFlow())
            {
                thread.Start();
            }

            _writer = done.Task;
        }
    }

    /// <summary>
    /// The writer's loop: blocks its thread until appends are queued, stores them, and so on until the inbox is shut
    /// down. The inbox file's statements complete synchronously (SQLite), so a batch is written without leaving the thread.
    /// </summary>
    private void WriteLoop(TaskCompletionSource done)
    {
        try
        {
            var reader = _pending.Reader;
            var batch = new List<PendingAppend>(MaxBatch);
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                batch.Clear();
                while (batch.Count < MaxBatch && reader.TryRead(out var append))
                {
                    batch.Add(append);
                }

                _writeGate.Wait();
                try
                {
                    WriteBatchAsync(batch).GetAwaiter().GetResult();
                }
                finally
                {
                    _writeGate.Release();
                }
            }

            done.TrySetResult();
        }
#pragma warning disable CA1031 // Handed to whoever waits for the writer (the inbox's disposal).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            done.TrySetException(ex);
        }
    }

    private async Task WriteBatchAsync(List<PendingAppend> batch)
    {
        try
        {
            await InsertAsync(batch).ConfigureAwait(false);
            return;
        }
#pragma warning disable CA1031 // The failure is handed to the waiting requests, or each row is tried on its own.
        catch (Exception ex) when (batch.Count > 1)
        {
            // One bad row must not fail the others: each is tried again in a transaction of its own.
            Log.BatchFailed(_logger, ex, batch.Count);
        }
        catch (Exception ex)
        {
            batch[0].Stored.TrySetException(ex);
            return;
        }

        foreach (var append in batch)
        {
            try
            {
                await InsertAsync([append]).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                append.Stored.TrySetException(ex);
            }
        }
#pragma warning restore CA1031
    }

    /// <summary>Inserts the rows in one transaction and, once it has committed, completes each row's task.</summary>
    private async Task InsertAsync(IReadOnlyList<PendingAppend> rows)
    {
        var inserted = new bool[rows.Count];

        // A fixed order (by webhook id) so two nodes inserting overlapping batches on PostgreSQL cannot deadlock.
        var order = Enumerable.Range(0, rows.Count).OrderBy(i => rows[i].Delivery.WebhookId, StringComparer.Ordinal).ToArray();
        var insert = _insert ??= await InsertStatement.OpenAsync(_database, await FilesAsync().ConfigureAwait(false), _options.CurrentValue.Storage).ConfigureAwait(false);
        try
        {
            await using var transaction = await insert.Command.Connection!.BeginTransactionAsync().ConfigureAwait(false);
            insert.Command.Transaction = transaction;
            foreach (var i in order)
            {
                inserted[i] = await insert.ExecuteAsync(rows[i].Delivery, rows[i].ReceivedAt).ConfigureAwait(false);
            }

            await transaction.CommitAsync().ConfigureAwait(false);
            insert.Command.Transaction = null;
        }
        catch
        {
            // The connection may be unusable after a failure: the next batch opens a fresh one.
            _insert = null;
            await insert.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        Interlocked.Increment(ref _commits);
        if (inserted.Contains(true))
        {
            if (insert.InFile)
            {
                Wake(_moveSignal);
            }
            else
            {
                _signals.Wake(WorkKind.InboundDelivery);
            }
        }

        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].Stored.TrySetResult(inserted[i]);
        }
    }

    private static void Wake(SemaphoreSlim signal)
    {
        if (signal.CurrentCount == 0)
        {
            try
            {
                signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    private static DbParameter Param(DbCommand command, string name, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.DbType = type;
        parameter.Value = DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>The inbox file and the SQLite sync database file it is moved into (null: the sync database is PostgreSQL).</summary>
    private sealed record InboxFiles(string Inbox, string? Sync);

    private sealed class GateRelease(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    private sealed class PendingAppend(WebhookDelivery delivery, long receivedAt)
    {
        public WebhookDelivery Delivery { get; } = delivery;

        public long ReceivedAt { get; } = receivedAt;

        // Continuations run off the writer, so one slow request cannot hold up the next batch.
        public TaskCompletionSource<bool> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Storing {Count} webhook deliveries in one transaction failed; storing each on its own")]
        public static partial void BatchFailed(ILogger logger, Exception exception, int count);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Moving stored webhook deliveries from the inbox file into the work queue failed; they stay in the inbox file and the move is tried again")]
        public static partial void MoveFailed(ILogger logger, Exception exception);
    }
}
