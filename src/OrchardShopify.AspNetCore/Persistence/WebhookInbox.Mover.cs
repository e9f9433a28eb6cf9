using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Workers;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>
/// The mover of <see cref="WebhookInbox"/>: on a SQLite file, deliveries acknowledged into the inbox file are moved into
/// the work queue in arrival order, in transactions of the sync database that the acknowledgements never wait for.
/// </summary>
internal sealed partial class WebhookInbox
{
    // Arrival order is kept: the work queue's ids follow the inbox's sequence. A row already in the queue (moved before a
    // crash kept it from being deleted here) is not stored twice.
    private static readonly string MoveSql = $$"""
        INSERT INTO {{SqliteInboxFile.SyncAlias}}.{{Table}} (kind, dedup_key, store, topic, event_id, triggered_at, api_version, body, status, attempts, next_attempt_at, received_at)
        SELECT {{(int)WorkKind.InboundDelivery}}, webhook_id, store, topic, event_id, triggered_at, api_version, body, {{(int)WorkStatus.Pending}}, 0, received_at, received_at
        FROM {{SqliteInboxFile.Table}} WHERE seq <= @last ORDER BY seq
        ON CONFLICT (kind, dedup_key) DO NOTHING
        """;

    /// <summary>Most deliveries one move takes from the inbox file into the work queue.</summary>
    internal const int MoveBatch = 500;

    /// <summary>Inbox log size from which the mover copies the inbox file's log into it (passively: appends go on).</summary>
    private const long CheckpointThreshold = 4 * 1024 * 1024;

    private static readonly TimeSpan MovePoll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Moves stored deliveries from the inbox file into the work queue whenever the writer has committed some (and at
    /// least every second, so deliveries left by a stopped or crashed process are moved too), until cancelled. Does
    /// nothing when deliveries go straight into the work queue.
    /// </summary>
    public async Task RunMoverAsync(CancellationToken stoppingToken)
    {
        if (await FilesAsync().ConfigureAwait(false) is null)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await MoveAsync(stoppingToken).ConfigureAwait(false) == MoveBatch)
                {
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
    }

    /// <summary>
    /// Moves up to <see cref="MoveBatch"/> of the oldest deliveries in the inbox file into the work queue (one
    /// transaction in the sync database), then deletes them from the inbox file. A crash between the two leaves them in
    /// both: the next move finds them in the queue already and only deletes them.
    /// </summary>
    /// <returns>How many deliveries were taken from the inbox file (0 when it is empty or there is none).</returns>
    internal async Task<int> MoveAsync(CancellationToken cancellationToken)
    {
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
        command.CommandText = $"SELECT COUNT(*), MAX(seq) FROM (SELECT seq FROM {SqliteInboxFile.Table} ORDER BY seq LIMIT {MoveBatch})";
        long count, last;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            count = reader.GetInt64(0);
            last = count == 0 ? 0 : reader.GetInt64(1);
        }

        if (count == 0)
        {
            return 0;
        }

        // Deferred: the transaction writes only the sync database (taking its lock, waiting for an apply transaction
        // if one runs); the inbox file is only read, so appends go on meanwhile.
        await using (var transaction = connection.BeginTransaction(deferred: true))
        {
            command.Transaction = transaction;
            command.CommandText = MoveSql;
            command.Parameters.AddWithValue("@last", last);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        command.Transaction = null;
        _signals.Wake(WorkKind.InboundDelivery);

        // Between two of the writer's transactions, so the delete never waits in SQLite's busy handler.
        await _writeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            command.CommandText = $"DELETE FROM {SqliteInboxFile.Table} WHERE seq <= @last";
            await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
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

        return (int)count;
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
