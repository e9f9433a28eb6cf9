using System.Text;
using Microsoft.Data.Sqlite;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;

namespace OrchardShopify.AspNetCore.Tests.Queue;

/// <summary>
/// On SQLite the webhook inbox is a file of its own: a delivery is acknowledged once it is committed there, whatever
/// holds the sync database's write lock, and is moved into the work queue afterwards without being lost or doubled.
/// </summary>
#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class InboxFileTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orchardshopify-tests", Guid.NewGuid().ToString("N"));

    private string SyncFile => Path.Combine(_folder, "sync.db");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow machine; the temp folder is cleaned by the OS.
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_webhook_is_acknowledged_while_a_transaction_holds_the_sync_databases_write_lock_and_applied_after_it()
    {
        await using var site = await TestSite.StartAsync();
        site.Shopify.Seed(SteveLastnameson.CustomerId, new OrchardShopify.Core.Customers.CustomerProfile("Steve", "Lastnameson", SteveLastnameson.Email, "+15142546011"), DateTimeOffset.UtcNow);

        // What a worker's apply transaction does to every other writer of the sync database: holds its one write lock.
        await using var apply = new SqliteConnection($"Data Source={site.SyncDatabaseFile};Pooling=False");
        await apply.OpenAsync();
        await using (var transaction = apply.BeginTransaction(deferred: false))
        {
            await using (var write = apply.CreateCommand())
            {
                write.Transaction = transaction;
                write.CommandText = "UPDATE shopify_work_items SET attempts = attempts WHERE 0";
                await write.ExecuteNonQueryAsync();
            }

            var posted = site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", SteveLastnameson.CreatePayload, "wh-while-locked");
            using var response = await posted.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);

            // Acknowledged and durable while the lock is held: a connection of its own finds it stored; nothing is applied yet.
            Assert.Equal(1, await SyncDatabases.StoredDeliveriesAsync(site.SyncDatabaseFile, "wh-while-locked"));
            Assert.Null(await site.WithUsersAsync(users => users.FindByEmailAsync(SteveLastnameson.Email)));

            // Shopify retrying it while the lock is still held: answered, and still stored once.
            using var retry = await site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", SteveLastnameson.CreatePayload, "wh-while-locked").WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(System.Net.HttpStatusCode.OK, retry.StatusCode);
            Assert.Equal(1, await SyncDatabases.StoredDeliveriesAsync(site.SyncDatabaseFile, "wh-while-locked"));
            await transaction.RollbackAsync();
        }

        // Once the lock is released the workers apply it: the user exists and is linked to the customer.
        await TestSite.EventuallyAsync(async () => (await site.ItemsWithWebhookIdAsync("wh-while-locked")) is [{ Status: WorkStatus.Succeeded }], "the delivery is applied");
        var item = Assert.Single(await site.ItemsWithWebhookIdAsync("wh-while-locked"));
        Assert.Equal("created", item.Outcome);
        var user = await site.WithUsersAsync(users => users.FindByEmailAsync(SteveLastnameson.Email));
        Assert.NotNull(user);
        Assert.Equal(user.Id, item.UserId);
        Assert.Equal(0, await InboxRowsAsync(site.SyncDatabaseFile));
    }

    [Fact]
    public async Task Deliveries_acknowledged_before_a_crash_are_moved_and_applied_when_the_site_starts_again()
    {
        // The site is killed right after answering: its files as they are then (the last commits only in the logs).
        var crashed = Path.Combine(_folder, "crashed");
        await using (var node = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={SyncFile}"))
        {
            await node.StartAsync(workers: false);
            var appends = Enumerable.Range(0, 40).Select(i => node.AppendDeleteAsync(7_400_000_000 + i, $"wh-crash-{i}")).ToList();
            Assert.All(await Task.WhenAll(appends), Assert.True);

            Directory.CreateDirectory(crashed);
            foreach (var file in Directory.GetFiles(_folder))
            {
                File.Copy(file, Path.Combine(crashed, Path.GetFileName(file)));
            }
        }

        var restartedFile = Path.Combine(crashed, "sync.db");
        Assert.Equal(40, await SyncDatabases.StoredDeliveriesAsync(restartedFile, "wh-crash-%"));
        await using var restarted = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={restartedFile}");
        await restarted.StartAsync(workers: true);

        await TestSite.EventuallyAsync(
            async () => await SyncDatabases.SqliteScalarAsync(restartedFile, $"SELECT COUNT(*) FROM shopify_work_items WHERE dedup_key LIKE 'wh-crash-%' AND status = {(int)WorkStatus.Succeeded}") == 40,
            "every acknowledged delivery is applied");
        await restarted.StopAsync();
        Assert.Equal(40, await SyncDatabases.SqliteScalarAsync(restartedFile, "SELECT COUNT(DISTINCT dedup_key) FROM shopify_work_items WHERE dedup_key LIKE 'wh-crash-%'"));
        Assert.Equal(40, await SyncDatabases.SqliteScalarAsync(restartedFile, "SELECT COUNT(*) FROM shopify_work_items WHERE dedup_key LIKE 'wh-crash-%'"));
        Assert.Equal(0, await InboxRowsAsync(restartedFile));
    }

    [Fact]
    public async Task A_delivery_already_moved_into_the_queue_is_still_recognised_as_a_duplicate()
    {
        await using var node = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={SyncFile}");
        await node.StartAsync(workers: false);
        var inbox = node.Get<WebhookInbox>();

        Assert.True(await node.AppendDeleteAsync(7_500_000_000, "wh-moved"));
        Assert.Equal(1, await inbox.MoveAsync(CancellationToken.None));
        Assert.Equal(0, await InboxRowsAsync(SyncFile));

        Assert.False(await node.AppendDeleteAsync(7_500_000_000, "wh-moved"));
        Assert.Equal(0, await inbox.MoveAsync(CancellationToken.None));
        Assert.Equal(1, await SyncDatabases.SqliteScalarAsync(SyncFile, "SELECT COUNT(*) FROM shopify_work_items WHERE dedup_key = 'wh-moved'"));
    }

    [Fact]
    public async Task Moved_webhook_ids_are_forgotten_after_the_retention_and_a_late_retry_is_still_stored_once()
    {
        await using var node = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={SyncFile}");
        await node.StartAsync(workers: false);
        var inbox = node.Get<WebhookInbox>();
        Assert.True(await node.AppendDeleteAsync(7_550_000_000, "wh-old"));
        Assert.Equal(1, await inbox.MoveAsync(CancellationToken.None));

        // Kept while younger than the retention: a retry is refused.
        Assert.Equal(0, await inbox.PruneMovedIdsAsync(DateTimeOffset.UtcNow.AddMinutes(-1), CancellationToken.None));
        Assert.False(await node.AppendDeleteAsync(7_550_000_000, "wh-old"));

        // Forgotten once older: a retry is taken in again, and the work queue's unique key still stores it once.
        Assert.Equal(1, await inbox.PruneMovedIdsAsync(DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None));
        Assert.True(await node.AppendDeleteAsync(7_550_000_000, "wh-old"));
        Assert.Equal(1, await inbox.MoveAsync(CancellationToken.None));
        Assert.Equal(0, await InboxRowsAsync(SyncFile));
        Assert.Equal(1, await SyncDatabases.SqliteScalarAsync(SyncFile, "SELECT COUNT(*) FROM shopify_work_items WHERE dedup_key = 'wh-old'"));
    }

    [Fact]
    public async Task A_move_interrupted_after_its_commit_is_finished_without_storing_the_delivery_twice()
    {
        await using var node = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={SyncFile}");
        await node.StartAsync(workers: false);
        Assert.True(await node.AppendDeleteAsync(7_600_000_000, "wh-half-moved"));
        Assert.True(await node.AppendDeleteAsync(7_600_000_001, "wh-not-moved"));

        // The state a crash between the move's commit and the inbox's delete leaves: the first delivery in both files.
        const string halfMovedBody = """{"id":7600000000}""";
        await SyncDatabases.ExecuteSqliteAsync(SyncFile, $"""
            INSERT INTO shopify_work_items (kind, dedup_key, store, topic, status, attempts, next_attempt_at, received_at)
            VALUES ({(int)WorkKind.InboundDelivery}, 'wh-half-moved', 'uk', 'customers/delete', {(int)WorkStatus.Pending}, 0, 0, 0);
            INSERT INTO shopify_work_item_bodies (id, body) VALUES (last_insert_rowid(), CAST('{halfMovedBody}' AS BLOB));
            """);

        var claimed = await node.Get<WorkQueue>().ClaimAsync(WorkKind.InboundDelivery, "node-a", 10, CancellationToken.None);

        Assert.Equal(["wh-half-moved", "wh-not-moved"], claimed.Select(c => c.DedupKey).Order(StringComparer.Ordinal));
        Assert.Equal(1, await SyncDatabases.SqliteScalarAsync(SyncFile, "SELECT COUNT(*) FROM shopify_work_items WHERE dedup_key = 'wh-half-moved'"));
        Assert.Equal(0, await InboxRowsAsync(SyncFile));

        // Each claimed delivery has its own payload, one payload row each.
        Assert.Equal(["""{"id":7600000000}""", """{"id":7600000001}"""], claimed.OrderBy(c => c.DedupKey, StringComparer.Ordinal).Select(c => Encoding.UTF8.GetString(c.Body!)));
        Assert.Equal(2, await SyncDatabases.SqliteScalarAsync(SyncFile, "SELECT COUNT(*) FROM shopify_work_item_bodies"));
    }

    [Fact]
    public async Task A_site_whose_deliveries_wait_in_the_work_queue_from_before_the_inbox_file_applies_them()
    {
        // A site stopped with deliveries stored the old way, in the queue itself, and no inbox file.
        await using (var old = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={SyncFile}"))
        {
            await old.StartAsync(workers: false);
        }

        const string body = """{"id":7700000000}""";
        await SyncDatabases.ExecuteSqliteAsync(SyncFile, $"""
            INSERT INTO shopify_work_items (kind, dedup_key, store, topic, status, attempts, next_attempt_at, received_at)
            VALUES ({(int)WorkKind.InboundDelivery}, 'wh-from-before', 'uk', 'customers/delete', {(int)WorkStatus.Pending}, 0, 0, 0);
            INSERT INTO shopify_work_item_bodies (id, body) VALUES (last_insert_rowid(), CAST('{body}' AS BLOB));
            """);
        SqliteConnection.ClearAllPools();
        File.Delete(SqliteInboxFile.PathFor(SyncFile));

        await using var upgraded = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={SyncFile}");
        await upgraded.StartAsync(workers: true);

        await TestSite.EventuallyAsync(
            async () => await SyncDatabases.SqliteScalarAsync(SyncFile, $"SELECT COUNT(*) FROM shopify_work_items WHERE dedup_key = 'wh-from-before' AND status = {(int)WorkStatus.Succeeded}") == 1,
            "the delivery stored before the upgrade is applied");

        // A Shopify retry of it is answered, and dropped when moved: stored and applied once.
        await upgraded.AppendDeleteAsync(7_700_000_000, "wh-from-before");
        await upgraded.Get<WebhookInbox>().MoveAsync(CancellationToken.None);
        await upgraded.StopAsync();
        Assert.Equal(0, await InboxRowsAsync(SyncFile));
        Assert.Equal(1, await SyncDatabases.SqliteScalarAsync(SyncFile, "SELECT COUNT(*) FROM shopify_work_items WHERE dedup_key = 'wh-from-before'"));
        Assert.Equal(1, await SyncDatabases.SqliteScalarAsync(SyncFile, "SELECT attempts FROM shopify_work_items WHERE dedup_key = 'wh-from-before'"));
    }

    private static async Task<long> InboxRowsAsync(string syncFile)
    {
        await using var connection = new SqliteConnection($"Data Source={SqliteInboxFile.PathFor(syncFile)};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM shopify_inbox";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
