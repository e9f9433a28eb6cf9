using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.AspNetCore.Tests.Queue;

#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class InboxGroupCommitTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orchardshopify-tests", Guid.NewGuid().ToString("N"));
    private SyncNode _node = null!;

    private string DatabaseFile => Path.Combine(_folder, "sync.db");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _node = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={DatabaseFile}");
        await _node.StartAsync(workers: false);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Concurrent_deliveries_are_each_stored_once_in_shared_transactions()
    {
        // 300 distinct deliveries, and Shopify retrying 100 of them at the same time.
        var appends = Enumerable.Range(0, 300).Select(i => (Id: $"wh-group-{i}", Task: _node.AppendDeleteAsync(7_000_000_000 + i, $"wh-group-{i}")))
            .Concat(Enumerable.Range(0, 100).Select(i => (Id: $"wh-group-{i}", Task: _node.AppendDeleteAsync(7_000_000_000 + i, $"wh-group-{i}"))))
            .ToList();

        await Task.WhenAll(appends.Select(a => a.Task));

        // Exactly one of the two appends of a webhook id stored it; the other saw the duplicate.
        foreach (var group in appends.GroupBy(a => a.Id))
        {
            Assert.Equal(1, group.Count(a => a.Task.Result));
        }

        Assert.Equal(300, await StoredAsync("wh-group-%"));

        // Moved into the work queue once each.
        await _node.Get<WebhookInbox>().MoveAsync(CancellationToken.None);
        Assert.Equal(300, await ScalarAsync("SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1"));
        Assert.Equal(300, await ScalarAsync("SELECT COUNT(DISTINCT dedup_key) FROM shopify_work_items WHERE kind = 1"));
        Assert.InRange(_node.Get<WebhookInbox>().Commits, 1, 399);
    }

    [Fact]
    public async Task A_delivery_that_cannot_be_stored_fails_alone_and_the_others_are_stored()
    {
        // The inbox file exists once a delivery has been stored.
        Assert.True(await _node.AppendDeleteAsync(7_099_999_999, "wh-first"));
        await SyncDatabases.ExecuteSqliteAsync(SqliteInboxFile.PathFor(DatabaseFile), """
            CREATE TRIGGER refuse_poison BEFORE INSERT ON shopify_inbox WHEN NEW.webhook_id = 'wh-poison'
            BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;
            """);
        var good = Enumerable.Range(0, 50).Select(i => _node.AppendDeleteAsync(7_100_000_000 + i, $"wh-neighbour-{i}")).ToList();
        var poison = _node.AppendDeleteAsync(7_100_000_999, "wh-poison");
        good.AddRange(Enumerable.Range(50, 50).Select(i => _node.AppendDeleteAsync(7_100_000_000 + i, $"wh-neighbour-{i}")));

        var failure = await Assert.ThrowsAsync<SqliteException>(() => poison);

        Assert.Contains("poisoned row", failure.Message, StringComparison.Ordinal);
        Assert.All(await Task.WhenAll(good), Assert.True);
        Assert.Equal(100, await StoredAsync("wh-neighbour-%"));
        Assert.Equal(0, await StoredAsync("wh-poison"));
    }

    [Fact]
    public async Task A_stored_delivery_is_committed_when_its_append_completes()
    {
        var stored = await _node.AppendDeleteAsync(7_200_000_000, "wh-visible");

        // A separate connection (as another process would open) sees the row once the append has returned.
        Assert.True(stored);
        Assert.Equal(1, await StoredAsync("wh-visible"));
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData("Full", 2)]
    [InlineData("Normal", 1)]
    public async Task Sync_database_runs_in_wal_with_the_configured_synchronous_setting(string? setting, long expected)
    {
        await using var node = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={Path.Combine(_folder, $"pragma-{setting}.db")}", configure: s =>
        {
            if (setting is not null)
            {
                s["Shopify:Storage:SqliteSynchronous"] = setting;
            }
        });
        await node.StartAsync(workers: false);

        await using var db = await node.Get<SyncDatabase>().OpenAsync(CancellationToken.None);
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "PRAGMA synchronous";
        Assert.Equal(expected, (long)(await command.ExecuteScalarAsync())!);
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string)(await command.ExecuteScalarAsync())!);
        command.CommandText = "PRAGMA wal_autocheckpoint";
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Write_ahead_log_is_copied_into_the_database_in_the_background_and_emptied_at_shutdown()
    {
        var file = Path.Combine(_folder, "checkpoint.db");
        var node = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={file}");
        await node.StartAsync(workers: true);
        var store = node.Stores.FindByHandle("uk")!;
        var body = Encoding.UTF8.GetBytes("{\"id\":1,\"note\":\"" + new string('x', 100_000) + "\"}");
        var sizeBefore = new FileInfo(file).Length;

        // About 6 MB of deliveries: past the 4 MB at which the log is checkpointed.
        await Task.WhenAll(Enumerable.Range(0, 60).Select(i => node.Get<WebhookInbox>().AppendAsync(
            new WebhookDelivery("customers/delete", store, $"wh-big-{i}", null, null, null, body), CancellationToken.None)));

        await TestSite.EventuallyAsync(() => Task.FromResult(new FileInfo(file).Length > sizeBefore + 4_000_000), "the log is copied into the database file");
        await node.StopAsync();
        await node.DisposeAsync();
        SqliteConnection.ClearAllPools();

        Assert.Equal(0, new FileInfo(file + "-wal") is { Exists: true } wal ? wal.Length : 0);
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM shopify_work_items WHERE dedup_key LIKE 'wh-big-%'";
        Assert.Equal(60L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Under_a_steady_stream_of_deliveries_a_checkpoint_starts_the_log_over_and_nothing_is_lost()
    {
        var file = Path.Combine(_folder, "stream.db");
        await using var node = new SyncNode(ShopifyStorageProvider.Sqlite, $"Data Source={file}");
        await node.StartAsync(workers: false);
        var checkpoints = node.HostedServices.OfType<SqliteCheckpointWorker>().Single();
        checkpoints.RestartThreshold = 1024 * 1024;

        // Deliveries are stored in the inbox file and moved into the sync database as they come, as on a running site.
        await node.HostedServices.OfType<InboxMoveWorker>().Single().StartAsync(CancellationToken.None);
        var store = node.Stores.FindByHandle("uk")!;
        var inbox = node.Get<WebhookInbox>();
        var body = Encoding.UTF8.GetBytes("{\"id\":1,\"note\":\"" + new string('x', 2_000) + "\"}");

        // Three writers appending without a pause: the log never holds only copied pages when a transaction begins,
        // so without a restart SQLite goes on appending to the log file whatever passive checkpoints copy.
        var appended = 0;
        var next = -1;
        var stopAt = int.MaxValue;
        var writer = Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < Volatile.Read(ref stopAt); i = Interlocked.Increment(ref next))
            {
                Assert.True(await inbox.AppendAsync(new WebhookDelivery("customers/delete", store, $"wh-stream-{i}", null, null, null, body), CancellationToken.None));
                Interlocked.Increment(ref appended);
            }
        })));

        var log = new FileInfo(file + "-wal");
        await TestSite.EventuallyAsync(() => Task.FromResult(Length(log) >= 4 * 1024 * 1024), "the log passes 4 MB");
        await checkpoints.CheckpointAsync(CancellationToken.None);
        var afterCheckpoint = Length(log);

        // 20 more deliveries (about 150 pages, 0.6 MB), then the writer stops. The log started over at the first commit
        // after the checkpoint, so they were written over its first pages: the file did not grow.
        Volatile.Write(ref stopAt, Volatile.Read(ref next) + 20);
        await writer;
        Assert.Equal(1, checkpoints.Restarts);
        Assert.Equal(afterCheckpoint, Length(log));
        Assert.Equal(appended, await SyncDatabases.StoredDeliveriesAsync(file, "wh-stream-%", body.Length));
    }

    [Fact]
    public async Task While_moves_are_held_for_a_checkpoint_deliveries_are_still_acknowledged_and_are_moved_once_released()
    {
        // The mover runs as on a site; the checkpoint worker holds it while it restarts the sync database's log.
        var mover = _node.HostedServices.OfType<InboxMoveWorker>().Single();
        await mover.StartAsync(CancellationToken.None);
        try
        {
            var inbox = _node.Get<WebhookInbox>();
            Assert.True(await _node.AppendDeleteAsync(7_300_000_000, "wh-before-hold"));
            await TestSite.EventuallyAsync(async () => await QueuedAsync("wh-before-hold") == 1, "the first delivery is moved into the work queue");

            using (await inbox.HoldMovesAsync(CancellationToken.None))
            {
                // Acknowledged at once: stored in the inbox file, whose writer the hold does not touch.
                Assert.True(await _node.AppendDeleteAsync(7_300_000_001, "wh-during-hold").WaitAsync(TimeSpan.FromSeconds(10)));
                Assert.Equal(1, await InInboxFileAsync("wh-during-hold"));
                await Task.Delay(300);
                Assert.Equal(0, await QueuedAsync("wh-during-hold"));
                Assert.Equal(1, await InInboxFileAsync("wh-during-hold"));
            }

            await TestSite.EventuallyAsync(async () => await QueuedAsync("wh-during-hold") == 1, "the held delivery is moved once the hold ends");
            Assert.Equal(0, await InInboxFileAsync("wh-during-hold"));
            Assert.Equal(1, await StoredAsync("wh-during-hold"));
        }
        finally
        {
            await mover.StopAsync(CancellationToken.None);
        }
    }

    private Task<long> QueuedAsync(string webhookId)
        => ScalarAsync($"SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1 AND dedup_key = '{webhookId}'");

    private Task<long> InInboxFileAsync(string webhookId)
        => ScalarAsync(SqliteInboxFile.PathFor(DatabaseFile), $"SELECT COUNT(*) FROM shopify_inbox WHERE webhook_id = '{webhookId}'");

    private Task<long> ScalarAsync(string sql) => ScalarAsync(DatabaseFile, sql);

    private Task<long> StoredAsync(string pattern) => SyncDatabases.StoredDeliveriesAsync(DatabaseFile, pattern);

    private static long Length(FileInfo file)
    {
        file.Refresh();
        return file.Exists ? file.Length : 0;
    }

    private static Task<long> ScalarAsync(string file, string sql) => SyncDatabases.SqliteScalarAsync(file, sql);

}
