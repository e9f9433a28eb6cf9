using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>
/// An <see cref="ISyncLock"/> that spans every node sharing one PostgreSQL database: a transaction-scoped advisory
/// lock (<c>pg_advisory_xact_lock</c>) on a connection of its own, held until the handle is disposed. The transaction
/// ends with the handle – or with the connection, should the process die – so a lock is never left behind. Within a
/// node an in-process lock is taken first, so one node waits in memory rather than with a connection per waiter.
/// The key is a 64-bit hash of the lock's key; two keys that share a hash only wait for each other.
/// <para>
/// Inside a worker's batch (<see cref="WorkBatch"/> on PostgreSQL) the lock is taken in the batch's own transaction
/// instead, and held until that transaction ends: what the batch wrote about the customer is committed (or rolled
/// back) before another node or flow can take the lock and read it. The batch takes the locks of all the customers it
/// will work in one statement, sorted, before it writes anything (<see cref="WorkBatch.TryBeginAsync"/>), so two batches
/// never wait for each other's customers, and its items do not ask for them again (<c>HeldSyncLocks</c>); a lock an
/// item takes itself inside the batch is let go of when the item is rolled back to its savepoint.
/// </para>
/// </summary>
internal sealed class PostgresSyncLock(string connectionString) : ISyncLock, IBulkSyncLock, IDisposable, IAsyncDisposable
{
    private readonly InProcessSyncLock _local = new();
    private readonly NpgsqlDataSource _connections = NpgsqlDataSource.Create(
        new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "OrchardShopify sync lock" }.ConnectionString);

    public async ValueTask<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (WorkBatch.Current is { IsPostgres: true } batch)
        {
            await using var inBatch = batch.Db.Database.GetDbConnection().CreateCommand();
            inBatch.Transaction = batch.Transaction;
            inBatch.CommandText = "SELECT pg_advisory_xact_lock(@key)";
            var parameter = inBatch.CreateParameter();
            parameter.ParameterName = "key";
            parameter.Value = KeyOf(key);
            inBatch.Parameters.Add(parameter);
            await inBatch.ExecuteNonQueryAsync(cancellationToken);
            return HeldUntilCommit.Instance;
        }

        var local = await _local.AcquireAsync(key, cancellationToken);
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _connections.OpenConnectionAsync(cancellationToken);
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = KeyOf(key) });
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            return new Handle(local, connection, transaction);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            await local.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Inside a worker's batch, every key in one statement in the batch's transaction (held until it ends); elsewhere
    /// one key after another, each as <see cref="AcquireAsync"/> takes it.
    /// </summary>
    public async ValueTask<IAsyncDisposable> AcquireAllAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (WorkBatch.Current is { IsPostgres: true } batch)
        {
            await AcquireAllInAsync(batch, keys, cancellationToken);
            return HeldUntilCommit.Instance;
        }

        var held = new List<IAsyncDisposable>(keys.Count);
        try
        {
            foreach (var key in keys)
            {
                held.Add(await AcquireAsync(key, cancellationToken));
            }
        }
        catch
        {
            await ReleaseAllAsync(held);
            throw;
        }

        return new AllHeld(held);
    }

    /// <summary>
    /// Takes every key in one statement in <paramref name="batch"/>'s transaction, in their order; the transaction's end
    /// releases them. A batch takes its customers' keys so before it writes anything (<see cref="WorkBatch.TryBeginAsync"/>).
    /// </summary>
    internal static async Task AcquireAllInAsync(WorkBatch batch, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        await using var inBatch = batch.Db.Database.GetDbConnection().CreateCommand();
        inBatch.Transaction = batch.Transaction;
        inBatch.CommandText = "SELECT pg_advisory_xact_lock(t.key) FROM unnest(@keys) WITH ORDINALITY AS t(key, n) ORDER BY t.n";
        var parameter = inBatch.CreateParameter();
        parameter.ParameterName = "keys";
        parameter.Value = keys.Select(KeyOf).ToArray();
        inBatch.Parameters.Add(parameter);
        await inBatch.ExecuteNonQueryAsync(cancellationToken);
    }

    public void Dispose() => _connections.Dispose();

    private static async ValueTask ReleaseAllAsync(List<IAsyncDisposable> held)
    {
        foreach (var handle in held)
        {
            await handle.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => _connections.DisposeAsync();

    /// <summary>The advisory lock's key: the first 8 bytes of the SHA-256 of the namespaced key.</summary>
    internal static long KeyOf(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("orchardshopify\n" + key), hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash);
    }

    private sealed class AllHeld(List<IAsyncDisposable> held) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => ReleaseAllAsync(held);
    }

    /// <summary>A lock taken in a batch's transaction: the transaction's end releases it.</summary>
    private sealed class HeldUntilCommit : IAsyncDisposable
    {
        public static readonly HeldUntilCommit Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class Handle(IAsyncDisposable local, NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        private int _disposed;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            try
            {
                // Ending the transaction releases the advisory lock; nothing was written under it.
                await transaction.RollbackAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // The connection broke: the server ended the session, and its lock with it.
            }
            finally
            {
                await connection.DisposeAsync();
                await local.DisposeAsync();
            }
        }
    }
}
