using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using OrchardShopify.AspNetCore.Workers;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>
/// The mover of <see cref="WebhookInbox"/>: deliveries acknowledged into the inbox file are moved into the work queue
/// (of the SQLite sync database, or of PostgreSQL) in arrival order, in transactions of the sync database that the
/// acknowledgements never wait for.
/// </summary>
internal sealed partial class WebhookInbox
{
    // Arrival order is kept: the work queue's ids follow the inbox's sequence. A row already in the queue (moved before a
    // crash kept it from being deleted here) is not stored twice. The ids of the items stored are read back.
    private static readonly string MoveSql = $$"""
        INSERT INTO {{SqliteInboxFile.SyncAlias}}.{{Table}} (kind, dedup_key, store, topic, event_id, triggered_at, api_version, status, attempts, next_attempt_at, received_at)
        SELECT {{(int)WorkKind.InboundDelivery}}, webhook_id, store, topic, event_id, triggered_at, api_version, {{(int)WorkStatus.Pending}}, 0, received_at, received_at
        FROM {{SqliteInboxFile.Table}} WHERE seq <= @last ORDER BY seq
        ON CONFLICT (kind, dedup_key) DO NOTHING
        RETURNING id
        """;

    // The payloads of the items the move stored (@ids); a row that was already in the queue keeps what it has (its
    // payload, or none if it was erased since).
    private static readonly string MoveBodiesSql = $$"""
        INSERT INTO {{SqliteInboxFile.SyncAlias}}.{{WorkItemBodyRow.Table}} (id, body)
        SELECT w.id, i.body FROM json_each(@ids) AS j
        JOIN {{SqliteInboxFile.SyncAlias}}.{{Table}} AS w ON w.id = j.value
        JOIN {{SqliteInboxFile.Table}} AS i ON i.webhook_id = w.dedup_key
        """;

    /// <summary>Most deliveries one move takes from the inbox file into the work queue.</summary>
    internal const int MoveBatch = 500;

    /// <summary>Inbox log size from which the mover copies the inbox file's log into it (passively: appends go on).</summary>
    private const long CheckpointThreshold = 4 * 1024 * 1024;

    // PostgreSQL: the rows of one move as arrays, stored in their order (WITH ORDINALITY) in one statement, with the
    // payloads of the items it stored (a webhook id already in the queue keeps what it has).
    private static readonly string PostgresMoveSql = $$"""
        WITH r AS (
          SELECT * FROM unnest(@webhook_id, @store, @topic, @event_id, @triggered_at, @api_version, @body, @received_at)
            WITH ORDINALITY AS r(webhook_id, store, topic, event_id, triggered_at, api_version, body, received_at, n)),
        stored AS (
          INSERT INTO {{Table}} (kind, dedup_key, store, topic, event_id, triggered_at, api_version, status, attempts, next_attempt_at, received_at)
          SELECT {{(int)WorkKind.InboundDelivery}}, r.webhook_id, r.store, r.topic, r.event_id, r.triggered_at, r.api_version, {{(int)WorkStatus.Pending}}, 0, r.received_at, r.received_at
          FROM r ORDER BY r.n
          ON CONFLICT (kind, dedup_key) DO NOTHING
          RETURNING id, dedup_key)
        INSERT INTO {{WorkItemBodyRow.Table}} (id, body)
        SELECT stored.id, r.body FROM stored JOIN r ON r.webhook_id = stored.dedup_key
        """;

    /// <summary>Most moved webhook ids one prune statement deletes.</summary>
    private const int PruneBatch = 5_000;

    private static readonly TimeSpan MovePoll = TimeSpan.FromSeconds(1);

    /// <summary>How often the mover forgets the ids of deliveries moved longer ago than <c>Shopify:SyncLogRetention</c>.</summary>
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);

    /// <summary>How long a clean shutdown spends moving what the inbox file still holds.</summary>
    private static readonly TimeSpan ShutdownMoveLimit = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Moves stored deliveries from the inbox file into the work queue whenever the writer has committed some (and at
    /// least every second, so deliveries left by a stopped or crashed process are moved too), until cancelled; then
    /// moves what the file still holds (the host stops it after the server has stopped taking requests), so a node
    /// shut down cleanly leaves its deliveries to the other nodes. Does nothing when deliveries go straight into the
    /// work queue.
    /// </summary>
    public async Task RunMoverAsync(CancellationToken stoppingToken)
    {
        if (await FilesAsync().ConfigureAwait(false) is null)
        {
            return;
        }

        var nextPrune = _time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await MoveAsync(stoppingToken).ConfigureAwait(false) == MoveBatch)
                {
                }

                if (_time.GetUtcNow() >= nextPrune)
                {
                    nextPrune = _time.GetUtcNow() + PruneInterval;
                    await PruneMovedIdsAsync(_time.GetUtcNow() - _options.CurrentValue.SyncLogRetention, stoppingToken).ConfigureAwait(false);
                }

                await _moveSignal.WaitAsync(MovePoll, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The deliveries stay in the inbox file; the move is tried again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.MoveFailed(_logger, ex);
                try
                {
                    await Task.Delay(MovePoll, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        await MoveRemainingAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Moves up to <see cref="MoveBatch"/> of the oldest deliveries in the inbox file into the work queue (one
    /// transaction in the sync database), then deletes them from the inbox file, keeping their webhook ids. A crash
    /// between the two leaves them in both: the next move finds them in the queue already and only deletes them.
    /// </summary>
    /// <returns>How many deliveries were taken from the inbox file (0 when it is empty or there is none).</returns>
    /// <exception cref="InvalidOperationException">Called on a worker's low-priority thread.</exception>
    internal async Task<int> MoveAsync(CancellationToken cancellationToken)
    {
        // A move writes the inbox file, whose lock the webhook writer needs: on a thread the system runs last it could
        // hold that lock while waiting for a processor, and every acknowledgement would wait with it.
        if (WorkerThread.IsCurrent)
        {
            throw new InvalidOperationException("The inbox is moved on the thread pool, not on a worker's low-priority thread.");
        }

        if (await FilesAsync().ConfigureAwait(false) is not { } files)
        {
            return 0;
        }

        await _moveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Shut down: what the inbox file holds is moved when the site starts again.
            return _moverClosed ? 0 : await MoveBatchAsync(files, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The connection may be unusable after a failure: the next move opens a fresh one.
            await CloseMoverAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _moveGate.Release();
        }
    }

    private async Task<int> MoveBatchAsync(InboxFiles files, CancellationToken cancellationToken)
    {
        var connection = _mover ??= await SqliteInboxFile.OpenAsync(files.Inbox, files.Sync, _options.CurrentValue.Storage).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var rows = await OldestAsync(command, files.Sync is null, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return 0;
        }

        var last = rows[^1].Seq;
        if (files.Sync is null)
        {
            await MoveIntoPostgresAsync(rows, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Deferred: the transaction writes only the sync database (taking its lock, waiting for an apply transaction
            // if one runs); the inbox file is only read, so appends go on meanwhile.
            await using var transaction = connection.BeginTransaction(deferred: true);
            command.Transaction = transaction;
            command.CommandText = MoveSql;
            command.Parameters.Clear();
            command.Parameters.AddWithValue("@last", last);
            var stored = new List<long>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    stored.Add(reader.GetInt64(0));
                }
            }

            if (stored.Count > 0)
            {
                command.CommandText = MoveBodiesSql;
                command.Parameters.Clear();
                command.Parameters.AddWithValue("@ids", System.Text.Json.JsonSerializer.Serialize(stored.ToArray(), WebhookIdsJson.Default.Int64Array));
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            command.Transaction = null;
        }

        _signals.Wake(WorkKind.InboundDelivery);

        // Between two of the writer's transactions, so it never waits in SQLite's busy handler. The rows moved (by
        // sequence and webhook id: another process on the same file may have moved them and stored new ones since) leave
        // the inbox; their ids stay, so a duplicate arriving later is still refused.
        await _writeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            await using var transaction = connection.BeginTransaction();
            command.Transaction = transaction;
            command.Parameters.Clear();
            command.Parameters.AddWithValue("@last", last);
            command.Parameters.AddWithValue("@ids", System.Text.Json.JsonSerializer.Serialize(rows.Select(r => r.WebhookId).ToArray(), WebhookIdsJson.Default.StringArray));
            command.CommandText = $$"""
                INSERT INTO {{SqliteInboxFile.IdsTable}} (webhook_id, received_at)
                SELECT webhook_id, received_at FROM {{SqliteInboxFile.Table}} WHERE seq <= @last AND webhook_id IN (SELECT value FROM json_each(@ids)) ORDER BY seq
                ON CONFLICT (webhook_id) DO NOTHING;
                DELETE FROM {{SqliteInboxFile.Table}} WHERE seq <= @last AND webhook_id IN (SELECT value FROM json_each(@ids));
                """;
            await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            command.Transaction = null;
        }
        finally
        {
            _writeGate.Release();
        }

        var log = new FileInfo(files.Inbox + "-wal");
        if (log.Exists && log.Length >= CheckpointThreshold)
        {
            // Copies the log into the file without holding appends; the writer starts the log over once all is copied.
            command.Parameters.Clear();
            command.CommandText = "PRAGMA main.wal_checkpoint(PASSIVE)";
            await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return rows.Count;
    }

    /// <summary>The oldest <see cref="MoveBatch"/> deliveries in the inbox file, in arrival order; their content only when <paramref name="content"/>.</summary>
    private static async Task<List<InboxRow>> OldestAsync(SqliteCommand command, bool content, CancellationToken cancellationToken)
    {
        command.Parameters.Clear();
        command.CommandText = content
            ? $"SELECT seq, webhook_id, store, topic, event_id, triggered_at, api_version, body, received_at FROM {SqliteInboxFile.Table} ORDER BY seq LIMIT {MoveBatch}"
            : $"SELECT seq, webhook_id FROM {SqliteInboxFile.Table} ORDER BY seq LIMIT {MoveBatch}";
        var rows = new List<InboxRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            rows.Add(content
                ? new InboxRow(
                    reader.GetInt64(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4),
                    reader.IsDBNull(5) ? null : reader.GetInt64(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.GetFieldValue<byte[]>(7),
                    reader.GetInt64(8))
                : new InboxRow(reader.GetInt64(0), reader.GetString(1), "", "", null, null, null, [], 0));
        }

        return rows;
    }

    /// <summary>
    /// Stores the rows in PostgreSQL's work queue in one statement (one round trip, one commit), in arrival order so the
    /// queue's ids follow it; a webhook id already there (moved by another node, or by this one before a crash kept it
    /// from being deleted here) is skipped.
    /// </summary>
    private async Task MoveIntoPostgresAsync(List<InboxRow> rows, CancellationToken cancellationToken)
    {
        await using var db = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = (NpgsqlCommand)db.Database.GetDbConnection().CreateCommand();
        command.CommandText = PostgresMoveSql;
        command.Parameters.Add(new NpgsqlParameter<string[]>("webhook_id", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = rows.Select(r => r.WebhookId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]>("store", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = rows.Select(r => r.Store).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]>("topic", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = rows.Select(r => r.Topic).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]>("event_id", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = rows.Select(r => r.EventId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long?[]>("triggered_at", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = rows.Select(r => r.TriggeredAt).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]>("api_version", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = rows.Select(r => r.ApiVersion).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("body", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = rows.Select(r => r.Body).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<long[]>("received_at", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = rows.Select(r => r.ReceivedAt).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Moves everything the inbox file holds, for a clean shutdown; a failure leaves the rest for the next start.</summary>
    private async Task MoveRemainingAsync()
    {
        using var limit = new CancellationTokenSource(ShutdownMoveLimit);
        try
        {
            while (await MoveAsync(limit.Token).ConfigureAwait(false) == MoveBatch)
            {
            }
        }
#pragma warning disable CA1031 // Shutting down: the deliveries stay in the inbox file, moved when the node starts again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.MoveFailed(_logger, ex);
        }
    }

    /// <summary>
    /// Forgets the webhook ids of deliveries moved before <paramref name="before"/> (the oldest first, a bounded number
    /// of rows per statement so appends wait for no long transaction).
    /// </summary>
    /// <returns>How many ids were forgotten.</returns>
    internal async Task<long> PruneMovedIdsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        if (await FilesAsync().ConfigureAwait(false) is not { } files)
        {
            return 0;
        }

        long removed = 0;
        await _moveGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_moverClosed)
            {
                return 0;
            }

            var connection = _mover ??= await SqliteInboxFile.OpenAsync(files.Inbox, files.Sync, _options.CurrentValue.Storage).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                DELETE FROM {SqliteInboxFile.IdsTable} WHERE seq IN (
                  SELECT seq FROM (SELECT seq, received_at FROM {SqliteInboxFile.IdsTable} ORDER BY seq LIMIT {PruneBatch}) WHERE received_at < @before)
                """;
            command.Parameters.AddWithValue("@before", UnixTime.From(before));
            int count;
            do
            {
                await _writeGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    count = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _writeGate.Release();
                }

                removed += count;
            }
            while (count == PruneBatch);
        }
        catch
        {
            await CloseMoverAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _moveGate.Release();
        }

        return removed;
    }

    private async Task CloseMoverAsync()
    {
        if (_mover is { } mover)
        {
            _mover = null;
            await mover.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>A delivery read from the inbox file to be moved.</summary>
internal sealed record InboxRow(long Seq, string WebhookId, string Store, string Topic, string? EventId, long? TriggeredAt, string? ApiVersion, byte[] Body, long ReceivedAt);

/// <summary>Source-generated JSON of the webhook ids and work-item ids handed to SQLite's <c>json_each</c>.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(long[]))]
internal sealed partial class WebhookIdsJson : System.Text.Json.Serialization.JsonSerializerContext;
