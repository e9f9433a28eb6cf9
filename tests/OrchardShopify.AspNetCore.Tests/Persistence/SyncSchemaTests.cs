using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Persistence.Migrations;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Persistence;

/// <summary>
/// Upgrading a sync database made by the earlier migrations: the work items' customer index becomes partial
/// (rows with a known customer only, so webhook appends add nothing to it), the rows are kept, their payloads move to
/// a table of their own, and erasing a customer's delivery bodies still finds them through that index.
/// </summary>
public sealed class SyncSchemaTests
{
    private const long Customer = 7_000_000_042;

    [Fact]
    public async Task Upgrading_a_SQLite_database_makes_the_customer_index_partial_keeps_the_rows_and_payloads_and_redaction_uses_it()
    {
        await using var scratch = new ScratchSqliteDatabase();
        var options = scratch.SyncOptions;
        await UpgradeWithRowsAsync(options);

        await using var db = new ShopifySyncDbContext(options);
        var definition = await ScalarAsync(db, $"SELECT sql FROM sqlite_master WHERE type = 'index' AND name = '{ShopifySyncDbContext.WorkItemsCustomerIndex}'");
        Assert.EndsWith("WHERE customer_id IS NOT NULL", (string)definition!, StringComparison.Ordinal);

        // The filter the customer erasure runs (EfSyncLog.EraseCustomerAsync), as EF sends it, with its parameters.
        var plan = await SyncDatabases.SqlitePlanAsync(db, EfSyncLog.CustomerDeliveries(db, "uk", Customer).ToQueryString());
        Assert.Contains($"USING INDEX {ShopifySyncDbContext.WorkItemsCustomerIndex}", plan, StringComparison.Ordinal);

        await AssertErasureAsync(options, isPostgres: false);
    }

    [PostgresFact]
    public async Task Upgrading_a_PostgreSQL_database_makes_the_customer_index_partial_keeps_the_rows_and_payloads_and_redaction_can_use_it()
    {
        await using var scratch = await ScratchPostgresDatabase.CreateAsync();
        var options = new DbContextOptionsBuilder<ShopifySyncDbContext>().UseNpgsql(scratch.ConnectionString).Options;
        await UpgradeWithRowsAsync(options);

        await using var db = new ShopifySyncDbContext(options);
        var definition = await ScalarAsync(db, $"SELECT indexdef FROM pg_indexes WHERE indexname = '{ShopifySyncDbContext.WorkItemsCustomerIndex}'");
        Assert.EndsWith("WHERE (customer_id IS NOT NULL)", (string)definition!, StringComparison.Ordinal);

        // Three rows make a sequential scan cheaper; with scans ruled out the planner must be able to take the partial index.
        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("SET enable_seqscan = off");
        var storeHandle = "uk";
        var customerId = Customer;
        var plan = string.Join('\n', await db.Database.SqlQueryRaw<string>(
            $"EXPLAIN SELECT id FROM {ShopifySyncDbContext.WorkItemsTable} WHERE store = {{0}} AND customer_id = {{1}}", storeHandle, customerId).ToListAsync());
        Assert.Contains(ShopifySyncDbContext.WorkItemsCustomerIndex, plan, StringComparison.Ordinal);

        await AssertErasureAsync(options, isPostgres: true);
    }

    /// <summary>Migrates to the schema before the change, stores three work items with their payloads, then migrates to the latest.</summary>
    private static async Task UpgradeWithRowsAsync(DbContextOptions<ShopifySyncDbContext> options)
    {
        await using (var db = new ShopifySyncDbContext(options))
        {
            await db.GetService<IMigrator>().MigrateAsync(JobsAndSettings.Id);
            Assert.DoesNotContain(PartialWorkItemsCustomerIndex.Id, await db.Database.GetAppliedMigrationsAsync());

            // A worked delivery of the customer, a pending one of another customer (not yet worked, so its customer
            // is not recorded), and a worked one of a third; stored as that schema stored them, payload in the row.
            foreach (var item in new[] { Item("w-worked", WorkStatus.Succeeded, Customer, Customer), Item("w-pending", WorkStatus.Pending, customerId: null, Customer + 2), Item("w-other", WorkStatus.Succeeded, Customer + 1, Customer + 1) })
            {
                await db.Database.ExecuteSqlAsync(
                    $"INSERT INTO shopify_work_items (kind, dedup_key, store, topic, body, customer_id, status, attempts, next_attempt_at, received_at) VALUES ({(int)item.Kind}, {item.DedupKey}, {item.StoreHandle}, {item.Topic}, {item.Body}, {item.CustomerId}, {(int)item.Status}, 0, {item.NextAttemptAt}, {item.ReceivedAt})");
            }
        }

        await using (var db = new ShopifySyncDbContext(options))
        {
            await db.Database.MigrateAsync();
            Assert.Contains(PartialWorkItemsCustomerIndex.Id, await db.Database.GetAppliedMigrationsAsync());
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
            Assert.Equal(["w-other", "w-pending", "w-worked"], await db.WorkItems.OrderBy(w => w.DedupKey).Select(w => w.DedupKey!).ToListAsync());

            // The payloads moved to their own table, each with its item.
            var payloads = await db.WorkItems.OrderBy(w => w.DedupKey).Join(db.WorkItemBodies, w => w.Id, b => b.Id, (w, b) => new { w.DedupKey, b.Body }).ToListAsync();
            Assert.Equal(
                [$$"""w-other {"id":{{Customer + 1}},"email":"customer{{Customer + 1}}@example.com"}""", $$"""w-pending {"id":{{Customer + 2}},"email":"customer{{Customer + 2}}@example.com"}""", $$"""w-worked {"id":{{Customer}},"email":"customer{{Customer}}@example.com"}"""],
                payloads.Select(p => $"{p.DedupKey} {Encoding.UTF8.GetString(p.Body)}"));
        }
    }

    /// <summary>The customer's worked delivery loses its body; the other customers' deliveries keep theirs.</summary>
    private static async Task AssertErasureAsync(DbContextOptions<ShopifySyncDbContext> options, bool isPostgres)
    {
        var log = new EfSyncLog(SyncDatabases.Over(options, isPostgres), TimeProvider.System);
        await log.EraseCustomerAsync("uk", Customer, CancellationToken.None);

        await using var db = new ShopifySyncDbContext(options);
        var bodies = await db.WorkItems.OrderBy(w => w.DedupKey).Select(w => new { w.DedupKey, HasBody = db.WorkItemBodies.Any(b => b.Id == w.Id) }).ToListAsync();
        Assert.Equal(
            [new { DedupKey = (string?)"w-other", HasBody = true }, new { DedupKey = (string?)"w-pending", HasBody = true }, new { DedupKey = (string?)"w-worked", HasBody = false }],
            bodies);
    }

    private static WorkItem Item(string webhookId, WorkStatus status, long? customerId, long customerInBody) => new()
    {
        Kind = WorkKind.InboundDelivery,
        DedupKey = webhookId,
        StoreHandle = "uk",
        Topic = "customers/update",
        Body = Encoding.UTF8.GetBytes($$"""{"id":{{customerInBody}},"email":"customer{{customerInBody}}@example.com"}"""),
        CustomerId = customerId,
        Status = status,
        NextAttemptAt = 1_763_800_000_000,
        ReceivedAt = 1_763_800_000_000,
    };

    private static async Task<object?> ScalarAsync(DbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
