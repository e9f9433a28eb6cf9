using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>
/// An <see cref="ISyncLock"/> that spans every node sharing one PostgreSQL database: a transaction-scoped advisory
/// lock (<c>pg_advisory_xact_lock</c>) on a connection of its own, held until the handle is disposed. The transaction
/// ends with the handle – or with the connection, should the process die – so a lock is never left behind. Within a
/// node an in-process lock is taken first, so one node waits in memory rather than with a connection per waiter.
/// The key is a 64-bit hash of the lock's key; two keys that share a hash only wait for each other.
/// </summary>
internal sealed class PostgresSyncLock(string connectionString) : ISyncLock, IDisposable, IAsyncDisposable
{
    private readonly InProcessSyncLock _local = new();
    private readonly NpgsqlDataSource _connections = NpgsqlDataSource.Create(
        new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = "OrchardShopify sync lock" }.ConnectionString);

    public async ValueTask<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
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

    public void Dispose() => _connections.Dispose();

    public ValueTask DisposeAsync() => _connections.DisposeAsync();

    /// <summary>The advisory lock's key: the first 8 bytes of the SHA-256 of the namespaced key.</summary>
    internal static long KeyOf(string key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("orchardshopify\n" + key), hash);
        return BinaryPrimitives.ReadInt64BigEndian(hash);
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
