using System.Text;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Persistence;

/// <summary>
/// Deliveries' payloads live in a table of their own: pruning the finished deliveries older than the retention takes
/// their payloads with them (on SQLite and PostgreSQL, also where SQLite's foreign keys are off), and leaves every
/// other payload.
/// </summary>
public sealed class WorkItemBodyPruneTests
{
    private const long Received = 1_796_000_000_000;

    [Fact]
    public async Task Pruning_on_SQLite_deletes_the_pruned_deliveries_payloads_and_keeps_the_others()
    {
        await using var scratch = new ScratchSqliteDatabase();
        await AssertPruneAsync(scratch.SyncOptions, isPostgres: false);
    }

    [Fact]
    public async Task Pruning_on_SQLite_with_foreign_keys_off_still_deletes_the_pruned_deliveries_payloads()
    {
        // A connection string may turn SQLite's foreign keys off: the cascade then does nothing, the prune itself must.
        await using var scratch = new ScratchSqliteDatabase();
        await AssertPruneAsync(new DbContextOptionsBuilder<ShopifySyncDbContext>().UseSqlite($"Data Source={scratch.File};Pooling=False;Foreign Keys=False").Options, isPostgres: false);
    }

    [PostgresFact]
    public async Task Pruning_on_PostgreSQL_deletes_the_pruned_deliveries_payloads_and_keeps_the_others()
    {
        await using var scratch = await ScratchPostgresDatabase.CreateAsync();
        await AssertPruneAsync(new DbContextOptionsBuilder<ShopifySyncDbContext>().UseNpgsql(scratch.ConnectionString).Options, isPostgres: true);
    }

    private static async Task AssertPruneAsync(DbContextOptions<ShopifySyncDbContext> options, bool isPostgres)
    {
        await using (var db = new ShopifySyncDbContext(options))
        {
            await db.Database.MigrateAsync();
            db.WorkItems.AddRange(
                Item("wh-old-done", WorkStatus.Succeeded, processedAt: Received + 1_000),
                Item("wh-new-done", WorkStatus.Succeeded, processedAt: Received + 90_000_000),
                Item("wh-old-dead", WorkStatus.DeadLetter, processedAt: null),
                Item("wh-old-waiting", WorkStatus.Pending, processedAt: null));
            await db.SaveChangesAsync();
            db.WorkItemBodies.AddRange(db.WorkItems.Local.Select(w => new WorkItemBodyRow { Id = w.Id, Body = Encoding.UTF8.GetBytes($$"""{"id":1,"note":"{{w.DedupKey}}"}""") }));
            await db.SaveChangesAsync();
        }

        var pruned = await new EfSyncLog(SyncDatabases.Over(options, isPostgres), TimeProvider.System).PruneAsync(DateTimeOffset.FromUnixTimeMilliseconds(Received + 60_000_000), CancellationToken.None);
        Assert.Equal(1, pruned);

        await using (var db = new ShopifySyncDbContext(options))
        {
            var kept = await db.WorkItems.Join(db.WorkItemBodies, w => w.Id, b => b.Id, (w, b) => new { w.DedupKey, b.Body }).ToListAsync();
            Assert.Equal(
                ["wh-new-done", "wh-old-dead", "wh-old-waiting"],
                kept.Select(k => k.DedupKey!).Order(StringComparer.Ordinal));
            Assert.All(kept, k => Assert.Equal($$"""{"id":1,"note":"{{k.DedupKey}}"}""", Encoding.UTF8.GetString(k.Body)));
            Assert.Equal(3, await db.WorkItemBodies.CountAsync());
        }
    }

    private static WorkItem Item(string webhookId, WorkStatus status, long? processedAt) => new()
    {
        Kind = WorkKind.InboundDelivery,
        DedupKey = webhookId,
        StoreHandle = "uk",
        Topic = "customers/update",
        Status = status,
        NextAttemptAt = Received,
        ReceivedAt = Received,
        ProcessedAt = processedAt,
    };
}
