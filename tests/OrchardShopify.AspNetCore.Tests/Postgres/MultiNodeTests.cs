using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;

namespace OrchardShopify.AspNetCore.Tests.Postgres;

public sealed class MultiNodeTests
{
    [PostgresFact]
    public async Task Two_nodes_sharing_one_database_apply_5000_deliveries_exactly_once()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await using var first = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString, configure: Batch);
        await using var second = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString, configure: Batch);
        await first.StartAsync(workers: false);
        await second.StartAsync(workers: false);

        await Task.WhenAll(
            AppendAsync(first, 0, 2500),
            AppendAsync(second, 2500, 5000),
            AppendAsync(first, 0, 100)); // Shopify retrying deliveries: duplicates of stored ids
        await first.StartAsync(workers: true);
        await second.StartAsync(workers: true);

        await TestSite.EventuallyAsync(
            async () => await CountAsync(first, q => q.Where(w => w.Status == WorkStatus.Succeeded)) == 5000,
            "both nodes have worked the inbox",
            TimeSpan.FromSeconds(120));
        await first.StopAsync();
        await second.StopAsync();

        await using var db = await first.Get<SyncDatabase>().OpenAsync(CancellationToken.None);
        Assert.Equal(5000, await db.WorkItems.CountAsync());
        Assert.Equal(5000, await db.WorkItems.CountAsync(w => w.Attempts == 1));
        var applied = await db.SyncLog.Where(l => l.Direction == "inbound").GroupBy(l => l.WebhookId).Select(g => g.Count()).ToListAsync();
        Assert.Equal(5000, applied.Count);
        Assert.All(applied, count => Assert.Equal(1, count));
    }

    [PostgresFact]
    public async Task Concurrent_claims_on_postgres_never_share_an_item()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await using var node = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString);
        await node.StartAsync(workers: false);
        await AppendAsync(node, 0, 200);
        var queue = node.Get<WorkQueue>();

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => queue.ClaimAsync(WorkKind.InboundDelivery, $"node-{i}", 40, CancellationToken.None)));

        var ids = claims.SelectMany(c => c).Select(w => w.Id).ToList();
        Assert.Equal(200, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    private static void Batch(Dictionary<string, string?> settings) => settings["Shopify:Queue:BatchSize"] = "50";

    private static async Task AppendAsync(SyncNode node, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            await node.AppendDeleteAsync(8_000_000_000 + i, $"wh-pg-{i}");
        }
    }

    private static async Task<int> CountAsync(SyncNode node, Func<IQueryable<WorkItem>, IQueryable<WorkItem>> filter)
    {
        await using var db = await node.Get<SyncDatabase>().OpenAsync(CancellationToken.None);
        return await filter(db.WorkItems).CountAsync();
    }
}
