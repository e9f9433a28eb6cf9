using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Postgres;

/// <summary>
/// On PostgreSQL each node acknowledges a delivery once it is committed in an inbox file of its own, then moves it into
/// the shared work queue: nothing acknowledged is lost (a clean stop moves it, a crashed node moves it when it starts
/// again), a duplicate is refused after the move, and a delivery that reaches two nodes is stored and applied once.
/// </summary>
public sealed class NodeInboxTests
{
    [PostgresFact]
    public async Task A_delivery_waits_in_the_nodes_inbox_file_until_moved_and_a_duplicate_after_the_move_is_refused()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await using var node = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString);
        await node.StartAsync(workers: false);
        var inbox = node.Get<WebhookInbox>();

        Assert.True(await node.AppendDeleteAsync(8_100_000_000, "wh-node-inbox"));

        // Acknowledged: committed in the node's file, not yet in the shared queue.
        Assert.Equal(1, await InboxRowsAsync(node, "wh-node-inbox"));
        Assert.Equal(0, await QueueRowsAsync(node, "wh-node-inbox"));

        Assert.Equal(1, await inbox.MoveAsync(CancellationToken.None));
        Assert.Equal(0, await InboxRowsAsync(node, "wh-node-inbox"));
        var item = Assert.Single(await ItemsAsync(node, "wh-node-inbox"));
        Assert.Equal(WorkStatus.Pending, item.Status);
        Assert.Equal("customers/delete", item.Topic);
        Assert.Equal("""{"id":8100000000}""", System.Text.Encoding.UTF8.GetString(item.Body!));

        // Shopify retrying it after the move: refused by the node alone, and still stored once.
        Assert.False(await node.AppendDeleteAsync(8_100_000_000, "wh-node-inbox"));
        Assert.Equal(0, await InboxRowsAsync(node, "wh-node-inbox"));
        Assert.Equal(0, await inbox.MoveAsync(CancellationToken.None));
        Assert.Equal(1, await QueueRowsAsync(node, "wh-node-inbox"));
    }

    [PostgresFact]
    public async Task Two_nodes_receiving_the_same_webhook_id_store_and_apply_it_once()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await using var first = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString);
        await using var second = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString);
        await first.StartAsync(workers: false);
        await second.StartAsync(workers: false);

        // Each node knows only its own file: both acknowledge it as new.
        Assert.True(await first.AppendDeleteAsync(8_200_000_000, "wh-both-nodes"));
        Assert.True(await second.AppendDeleteAsync(8_200_000_000, "wh-both-nodes"));
        Assert.True(await second.AppendDeleteAsync(8_200_000_001, "wh-second-only"));

        await first.StartAsync(workers: true);
        await second.StartAsync(workers: true);
        await TestSite.EventuallyAsync(
            async () => await AppliedAsync(first, "wh-both-nodes") == 1 && await AppliedAsync(first, "wh-second-only") == 1
                && await InboxRowsAsync(first, null) == 0 && await InboxRowsAsync(second, null) == 0,
            "both deliveries are moved and applied");
        await first.StopAsync();
        await second.StopAsync();

        var item = Assert.Single(await ItemsAsync(first, "wh-both-nodes"));
        Assert.Equal(WorkStatus.Succeeded, item.Status);
        Assert.Equal(1, item.Attempts);
        await using var db = await first.Get<SyncDatabase>().OpenAsync(CancellationToken.None);
        Assert.Equal(1, await db.SyncLog.CountAsync(l => l.Direction == "inbound" && l.WebhookId == "wh-both-nodes"));
        Assert.Equal(1, await db.SyncLog.CountAsync(l => l.Direction == "inbound" && l.WebhookId == "wh-second-only"));
    }

    [PostgresFact]
    public async Task A_stopping_mover_first_moves_what_the_nodes_inbox_file_holds_so_another_node_applies_it()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        await using var other = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString);
        await using var stopping = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString);
        await stopping.StartAsync(workers: false);
        var appends = Enumerable.Range(0, 30).Select(i => stopping.AppendDeleteAsync(8_300_000_000 + i, $"wh-stopping-{i}")).ToList();
        Assert.All(await Task.WhenAll(appends), Assert.True);
        Assert.Equal(30, await InboxRowsAsync(stopping, null));
        Assert.Equal(0, await QueueRowsAsync(stopping, "wh-stopping-%"));

        // The node shuts down: its mover is stopped once the server has stopped taking requests.
        await stopping.Get<WebhookInbox>().RunMoverAsync(new CancellationToken(canceled: true));

        // The stopped node's file is empty; the other node applies every delivery it had acknowledged.
        Assert.Equal(0, await InboxRowsAsync(stopping, null));
        Assert.Equal(30, await QueueRowsAsync(stopping, "wh-stopping-%"));
        await other.StartAsync(workers: true);
        await TestSite.EventuallyAsync(async () => await AppliedAsync(other, "wh-stopping-%") == 30, "the other node applies the stopped node's deliveries");
        await other.StopAsync();
        Assert.Equal(30, await QueueRowsAsync(other, "wh-stopping-%"));
    }

    [PostgresFact]
    public async Task Deliveries_left_in_a_nodes_inbox_file_by_a_crash_are_moved_and_applied_when_it_starts_again()
    {
        await using var crashedDatabase = await ScratchPostgresDatabase.CreateAsync();
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var crashed = Path.Combine(Path.GetTempPath(), "orchardshopify-tests", "crashed-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(crashed);
        try
        {
            // The node is killed right after answering: its inbox file as it is then (the last commits only in its log).
            await using (var node = new SyncNode(ShopifyStorageProvider.PostgreSql, crashedDatabase.ConnectionString))
            {
                await node.StartAsync(workers: false);
                var appends = Enumerable.Range(0, 40).Select(i => node.AppendDeleteAsync(8_400_000_000 + i, $"wh-crash-{i}")).ToList();
                Assert.All(await Task.WhenAll(appends), Assert.True);
                foreach (var file in Directory.GetFiles(Path.GetDirectoryName(node.InboxFile!)!))
                {
                    File.Copy(file, Path.Combine(crashed, Path.GetFileName(file)));
                }
            }

            var inboxFile = Path.Combine(crashed, "inbox.db");
            Assert.Equal(40, await InboxRowsAsync(inboxFile, "wh-crash-%"));

            // Started again on that file (here against a database the first run never reached, so only the file can bring them).
            await using var restarted = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString, configure: s => s["Shopify:Storage:InboxFile"] = inboxFile);
            await restarted.StartAsync(workers: true);
            await TestSite.EventuallyAsync(async () => await AppliedAsync(restarted, "wh-crash-%") == 40, "every acknowledged delivery is applied");
            await restarted.StopAsync();
            Assert.Equal(40, await QueueRowsAsync(restarted, "wh-crash-%"));
            Assert.Equal(0, await InboxRowsAsync(inboxFile, null));

            // A retry of one of them is still refused by the restarted node.
            Assert.False(await restarted.AppendDeleteAsync(8_400_000_000, "wh-crash-0"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(crashed, recursive: true);
        }
    }

    private static Task<long> InboxRowsAsync(SyncNode node, string? webhookId) => InboxRowsAsync(node.InboxFile!, webhookId);

    private static async Task<long> InboxRowsAsync(string inboxFile, string? webhookId)
    {
        await using var connection = new SqliteConnection($"Data Source={inboxFile};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM shopify_inbox WHERE @id IS NULL OR webhook_id LIKE @id";
        command.Parameters.AddWithValue("@id", (object?)webhookId ?? DBNull.Value);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<List<WorkItem>> ItemsAsync(SyncNode node, string webhookId)
    {
        await using var db = await node.Get<SyncDatabase>().OpenAsync(CancellationToken.None);
        var items = await db.WorkItems.AsNoTracking().Where(w => w.Kind == WorkKind.InboundDelivery && w.DedupKey == webhookId).ToListAsync();
        foreach (var item in items)
        {
            item.Body = await db.WorkItemBodies.Where(b => b.Id == item.Id).Select(b => b.Body).SingleOrDefaultAsync();
        }

        return items;
    }

    private static async Task<int> QueueRowsAsync(SyncNode node, string pattern)
    {
        await using var db = await node.Get<SyncDatabase>().OpenAsync(CancellationToken.None);
        return await db.WorkItems.CountAsync(w => w.Kind == WorkKind.InboundDelivery && EF.Functions.Like(w.DedupKey, pattern));
    }

    private static async Task<int> AppliedAsync(SyncNode node, string pattern)
    {
        await using var db = await node.Get<SyncDatabase>().OpenAsync(CancellationToken.None);
        return await db.WorkItems.CountAsync(w => w.Kind == WorkKind.InboundDelivery && EF.Functions.Like(w.DedupKey, pattern) && w.Status == WorkStatus.Succeeded);
    }
}
