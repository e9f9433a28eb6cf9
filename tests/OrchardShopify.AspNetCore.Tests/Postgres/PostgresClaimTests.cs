using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Postgres;

/// <summary>Claims and completions on PostgreSQL: the oldest due items first, expired leases among them, and a lost lease never finished.</summary>
public sealed class PostgresClaimTests
{
    [PostgresFact]
    public async Task A_claim_takes_the_oldest_due_items_expired_leases_included_and_only_the_lease_holder_finishes_them()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        await using var node = new SyncNode(ShopifyStorageProvider.PostgreSql, database.ConnectionString, time);
        await node.StartAsync(workers: false);
        var queue = node.Get<WorkQueue>();

        await node.AppendDeleteAsync(51, "wh-first");
        time.Advance(TimeSpan.FromSeconds(1));
        await node.AppendDeleteAsync(52, "wh-second");
        time.Advance(TimeSpan.FromSeconds(1));
        await node.AppendDeleteAsync(53, "wh-third");
        time.Advance(TimeSpan.FromSeconds(1));
        await node.AppendDeleteAsync(54, "wh-fourth");

        // Node a takes the oldest item and crashes; its lease runs out.
        var crashed = Assert.Single(await queue.ClaimAsync(WorkKind.InboundDelivery, "node-a", 1, CancellationToken.None));
        time.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromMilliseconds(1));

        // Node b's claim of three: the expired item (the oldest) and the next two pending ones, in that order; the
        // fourth stays pending.
        var claimed = await queue.ClaimAsync(WorkKind.InboundDelivery, "node-b", 3, CancellationToken.None);
        Assert.Equal([crashed.Id, crashed.Id + 1, crashed.Id + 2], claimed.Select(i => i.Id).Order());
        Assert.Equal(2, claimed.Single(i => i.Id == crashed.Id).Attempts);

        // The crashed node's late completion changes nothing; node b's completes all three, each with its own outcome.
        var late = await queue.CompleteManyAsync([(crashed, "late", 51L, null)], "node-a", CancellationToken.None);
        Assert.Equal(new[] { false }, late);
        var done = claimed.Select(i => (i, $"outcome-{i.Id}", (long?)(i.Id * 10), (string?)$"user-{i.Id}")).ToList();
        var kept = await queue.CompleteManyAsync(done, "node-b", CancellationToken.None);
        Assert.Equal(new[] { true, true, true }, kept);

        await using var db = await node.Get<SyncDatabase>().OpenAsync(CancellationToken.None);
        var rows = await db.WorkItems.AsNoTracking().OrderBy(w => w.Id).ToListAsync();
        Assert.Equal(4, rows.Count);
        foreach (var row in rows.Take(3))
        {
            Assert.Equal((WorkStatus.Succeeded, $"outcome-{row.Id}", (long?)(row.Id * 10), $"user-{row.Id}", (string?)null), (row.Status, row.Outcome, row.CustomerId, row.UserId, row.LeaseOwner));
        }

        Assert.Equal(WorkStatus.Pending, rows[3].Status);
        Assert.Single(await queue.ClaimAsync(WorkKind.InboundDelivery, "node-b", 3, CancellationToken.None));
    }

    [PostgresFact]
    public async Task A_claim_reads_the_due_index_in_its_order_without_sorting_the_waiting_items_even_before_the_table_is_analyzed()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var options = new DbContextOptionsBuilder<ShopifySyncDbContext>().UseNpgsql(database.ConnectionString).Options;
        await using var db = new ShopifySyncDbContext(options);
        await db.Database.MigrateAsync();

        // 5,000 deliveries waiting, received a millisecond apart in threes, as a burst leaves them; the table is new and
        // has never been analyzed (what a new site's first minutes look like).
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO shopify_work_items (kind, dedup_key, store, topic, triggered_at, status, attempts, next_attempt_at, received_at)
            SELECT 1, 'wh-' || g, 'uk', 'customers/create', 1796000000000 + g / 3, 0, 0, 1796000000000 + g / 3, 1796000000000 + g / 3
            FROM generate_series(1, 5000) AS g;
            INSERT INTO shopify_work_item_bodies (id, body) SELECT id, decode('7b7d', 'hex') FROM shopify_work_items
            """);

        var claim = WorkQueue.ClaimStatement(postgres: true)
            .Replace("{0}", "1", StringComparison.Ordinal).Replace("{1}", "1796000009999", StringComparison.Ordinal).Replace("{2}", "'node-a'", StringComparison.Ordinal)
            .Replace("{3}", "1796000099999", StringComparison.Ordinal).Replace("{4}", "100", StringComparison.Ordinal);
        await db.Database.OpenConnectionAsync();
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = "EXPLAIN (ANALYZE, COSTS OFF) " + claim;
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        // The waiting items are read from the index up to the batch size, in order: 100 rows, none of them sorted (the
        // only sort left is of the claimed rows, at most two batches).
        var text = string.Join("\n", plan);
        Assert.Matches(@"Index Scan using ix_shopify_work_items_due on shopify_work_items \(actual time=[0-9.]+ rows=100 loops=1\)", text);
        Assert.DoesNotContain("Sort Key: shopify_work_items.", text, StringComparison.Ordinal);

        // What the plan claimed: the 100 oldest, in the order they were received.
        var claimed = await db.WorkItems.AsNoTracking().Where(w => w.Status == WorkStatus.Processing).OrderBy(w => w.Id).Select(w => w.DedupKey).ToListAsync();
        Assert.Equal(Enumerable.Range(1, 100).Select(i => "wh-" + i), claimed);
    }
}
