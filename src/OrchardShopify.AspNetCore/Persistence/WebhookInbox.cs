using System.Data;
using System.Data.Common;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>
/// Stores verified deliveries, once per <c>X-Shopify-Webhook-Id</c>. The only database work a webhook request does.
/// Appends are group-committed: requests queue their rows, one writer stores everything queued so far in one
/// transaction, and each request's task completes only after the transaction holding its row has committed.
/// </summary>
internal sealed partial class WebhookInbox : IAsyncDisposable
{
    /// <summary>Most rows one transaction stores; the rest wait for the next one.</summary>
    internal const int MaxBatch = 256;

    private const string Table = ShopifySyncDbContext.WorkItemsTable;

    // ON CONFLICT DO NOTHING: a duplicate neither fails nor writes, on SQLite and PostgreSQL alike.
    private static readonly string InsertSql = $$"""
        INSERT INTO {{Table}} (kind, dedup_key, store, topic, event_id, triggered_at, api_version, body, status, attempts, next_attempt_at, received_at)
        VALUES ({{(int)WorkKind.InboundDelivery}}, @webhook_id, @store, @topic, @event_id, @triggered_at, @api_version, @body, {{(int)WorkStatus.Pending}}, 0, @now, @now)
        ON CONFLICT (kind, dedup_key) DO NOTHING
        """;

    private readonly SyncDatabase _database;
    private readonly WorkSignals _signals;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookInbox> _logger;
    private readonly Channel<PendingAppend> _pending = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _startGate = new();
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private Task? _writer;
    private InsertStatement? _insert;
    private long _commits;

    public WebhookInbox(SyncDatabase database, WorkSignals signals, TimeProvider time, ILogger<WebhookInbox> logger)
    {
        _database = database;
        _signals = signals;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Holds the writer back between two transactions until the returned handle is disposed. The checkpoint worker
    /// restarts the SQLite log under it, so neither waits for the other's lock in SQLite's busy handler, which sleeps
    /// in steps of milliseconds.
    /// </summary>
    public async Task<IDisposable> HoldWritesAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new GateRelease(_writeGate);
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
    }

    private void EnsureWriter()
    {
        if (Volatile.Read(ref _writer) is not null)
        {
            return;
        }

        lock (_startGate)
        {
            // The writer outlives the request (or batch) that starts it: it must not inherit that flow's ambient state.
            using (ExecutionContext.SuppressFlow())
            {
                _writer ??= Task.Run(WriteLoopAsync);
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _pending.Reader;
        var batch = new List<PendingAppend>(MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var append))
            {
                batch.Add(append);
            }

            await _writeGate.WaitAsync().ConfigureAwait(false);
            try
            {
                await WriteBatchAsync(batch).ConfigureAwait(false);
            }
            finally
            {
                _writeGate.Release();
            }
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
        var insert = _insert ??= await InsertStatement.OpenAsync(_database).ConfigureAwait(false);
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
            _signals.Wake(WorkKind.InboundDelivery);
        }

        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].Stored.TrySetResult(inserted[i]);
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

    /// <summary>The writer's own connection and prepared insert, kept from batch to batch.</summary>
    private sealed class InsertStatement : IAsyncDisposable
    {
        private readonly ShopifySyncDbContext _db;
        private readonly DbParameter _webhookId, _store, _topic, _eventId, _triggeredAt, _apiVersion, _body, _now;

        private InsertStatement(ShopifySyncDbContext db, DbCommand command)
        {
            _db = db;
            Command = command;
            command.CommandText = InsertSql;
            _webhookId = Param(command, "webhook_id", DbType.String);
            _store = Param(command, "store", DbType.String);
            _topic = Param(command, "topic", DbType.String);
            _eventId = Param(command, "event_id", DbType.String);
            _triggeredAt = Param(command, "triggered_at", DbType.Int64);
            _apiVersion = Param(command, "api_version", DbType.String);
            _body = Param(command, "body", DbType.Binary);
            _now = Param(command, "now", DbType.Int64);
        }

        public DbCommand Command { get; }

        public static async Task<InsertStatement> OpenAsync(SyncDatabase database)
        {
            var db = await database.OpenAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                // Opened through EF so the connection gets the same settings (WAL, synchronous, busy timeout) as every other.
                await db.Database.OpenConnectionAsync().ConfigureAwait(false);
                return new InsertStatement(db, db.Database.GetDbConnection().CreateCommand());
            }
            catch
            {
                await db.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        /// <returns>False when the webhook id is already stored.</returns>
        public async Task<bool> ExecuteAsync(WebhookDelivery delivery, long receivedAt)
        {
            _webhookId.Value = delivery.WebhookId;
            _store.Value = delivery.Store.Handle;
            _topic.Value = delivery.Topic;
            _eventId.Value = (object?)delivery.EventId ?? DBNull.Value;
            _triggeredAt.Value = (object?)UnixTime.From(delivery.TriggeredAt) ?? DBNull.Value;
            _apiVersion.Value = (object?)delivery.ApiVersion ?? DBNull.Value;
            _body.Value = MemoryMarshal.TryGetArray(delivery.Body, out var whole) && whole.Offset == 0 && whole.Count == whole.Array!.Length ? whole.Array : delivery.Body.ToArray();
            _now.Value = receivedAt;
            return await Command.ExecuteNonQueryAsync().ConfigureAwait(false) > 0;
        }

        public async ValueTask DisposeAsync()
        {
            await Command.DisposeAsync().ConfigureAwait(false);
            await _db.DisposeAsync().ConfigureAwait(false);
        }
    }

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
    }
}
