using Npgsql;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Core.Ports;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Postgres;

/// <summary>The per-customer lock across nodes: two nodes' locks over one database exclude each other on a key.</summary>
public sealed class PostgresSyncLockTests
{
    private static readonly string Key = SyncLockKeys.Customer("uk", 7000000048);

    /// <summary>
    /// Granted advisory locks on the 64-bit key $1 (PostgreSQL splits it into classid and objid) in this test's database.
    /// pg_locks lists every database's locks: other tests running at the same time on the same server take the same
    /// customer keys in their own databases, and must be neither counted nor have their sessions ended here.
    /// </summary>
    private const string HeldLocks = "FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND ((classid::bigint << 32) | objid::bigint) = $1";

    [PostgresFact]
    public async Task A_key_held_on_one_node_keeps_the_other_node_waiting_until_it_is_released()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await using var first = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString);
        await using var second = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString);
        var firstLock = Assert.IsType<PostgresSyncLock>(first.Get<ISyncLock>());
        var secondLock = Assert.IsType<PostgresSyncLock>(second.Get<ISyncLock>());

        var held = await firstLock.AcquireAsync(Key, CancellationToken.None);
        Assert.Equal(1, await AdvisoryLocksAsync(database.ConnectionString, PostgresSyncLock.KeyOf(Key)));
        var waiting = secondLock.AcquireAsync(Key, CancellationToken.None).AsTask();

        // Another customer is not held up by this one.
        await using (await secondLock.AcquireAsync(SyncLockKeys.Customer("uk", 7000000049), CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
        }

        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "the second node took a key the first node holds");

        await held.DisposeAsync();
        await using (await waiting.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            Assert.Equal(1, await AdvisoryLocksAsync(database.ConnectionString, PostgresSyncLock.KeyOf(Key)));
        }

        Assert.Equal(0, await AdvisoryLocksAsync(database.ConnectionString, PostgresSyncLock.KeyOf(Key)));
    }

    [PostgresFact]
    public async Task A_node_whose_database_session_dies_while_holding_a_key_leaves_it_free()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await using var first = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString);
        await using var second = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString);

        var held = await first.Get<ISyncLock>().AcquireAsync(Key, CancellationToken.None);
        var waiting = second.Get<ISyncLock>().AcquireAsync(Key, CancellationToken.None).AsTask();
        await using (var admin = new NpgsqlConnection(database.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand(
                $"SELECT pg_terminate_backend(pid) {HeldLocks}", admin);
            kill.Parameters.Add(new NpgsqlParameter { Value = PostgresSyncLock.KeyOf(Key) });
            Assert.Equal(true, await kill.ExecuteScalarAsync());
        }

        await using (await waiting.WaitAsync(TimeSpan.FromSeconds(30)))
        {
        }

        await held.DisposeAsync(); // The broken holder's release does not throw.
    }

    [PostgresFact]
    public async Task A_wait_that_is_cancelled_gives_up_without_taking_the_key()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await using var first = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString);
        await using var second = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString);
        var held = await first.Get<ISyncLock>().AcquireAsync(Key, CancellationToken.None);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second.Get<ISyncLock>().AcquireAsync(Key, cancel.Token).AsTask());

        await held.DisposeAsync();
        await using (await first.Get<ISyncLock>().AcquireAsync(Key, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            Assert.Equal(1, await AdvisoryLocksAsync(database.ConnectionString, PostgresSyncLock.KeyOf(Key)));
        }
    }

    [Fact]
    public async Task A_node_on_sqlite_keeps_the_lock_of_one_process()
    {
        await using var scratch = new ScratchSqliteDatabase();
        await using var node = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={scratch.File}");

        Assert.IsType<InProcessSyncLock>(node.Get<ISyncLock>());
    }

    private static async Task<long> AdvisoryLocksAsync(string connectionString, long key)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"SELECT count(*) {HeldLocks}", connection);
        count.Parameters.Add(new NpgsqlParameter { Value = key });
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
