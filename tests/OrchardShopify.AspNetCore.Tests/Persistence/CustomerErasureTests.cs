using System.Text;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Persistence;

/// <summary>
/// A customer's erasure (customers/redact) over stored work items and log rows of every state, on SQLite and
/// PostgreSQL: what carried the customer's data loses it, unfinished deliveries of the customer are closed, and
/// nothing of other customers, other stores or user pushes changes.
/// </summary>
public sealed class CustomerErasureTests
{
    private const long Steve = SteveLastnameson.CustomerId;
    private const long Someone = 2_000_000_001;
    private const long Received = 1_751_390_000_000;

    [Fact]
    public async Task Erasing_a_customer_on_SQLite_finds_its_unattributed_deliveries_through_the_due_index()
    {
        await using var scratch = new ScratchSqliteDatabase();
        await using (var db = new ShopifySyncDbContext(scratch.SyncOptions))
        {
            await db.Database.MigrateAsync();
            var plan = await SyncDatabases.SqlitePlanAsync(db, EfSyncLog.UnattributedDeliveries(db, "uk").ToQueryString());
            Assert.Contains("USING INDEX ix_shopify_work_items_due", plan, StringComparison.Ordinal);
        }

        await AssertErasureAsync(scratch.SyncOptions, isPostgres: false);
    }

    [PostgresFact]
    public async Task Erasing_a_customer_on_PostgreSQL()
    {
        await using var scratch = await ScratchPostgresDatabase.CreateAsync();
        var options = new DbContextOptionsBuilder<ShopifySyncDbContext>().UseNpgsql(scratch.ConnectionString).Options;
        await using (var db = new ShopifySyncDbContext(options))
        {
            await db.Database.MigrateAsync();
        }

        await AssertErasureAsync(options, isPostgres: true);
    }

    private static async Task AssertErasureAsync(DbContextOptions<ShopifySyncDbContext> options, bool isPostgres)
    {
        var update = TestSite.Payload("customers-create-steve-lastnameson.json");
        var order = TestSite.Payload("orders-create-steve-lastnameson.json");
        var redact = TestSite.Payload("customers-redact.json");

        // Someone else's update that mentions Steve's id in a note: it contains the digits but is not about him.
        var mentionsSteve = Encoding.UTF8.GetBytes($$"""{"id":{{Someone}},"email":"someone@example.com","note":"Referred by customer {{Steve}}"}""");
        await using (var db = new ShopifySyncDbContext(options))
        {
            db.WorkItems.AddRange(
                Item("worked", "customers/create", update, WorkStatus.Succeeded, Steve, "created"),
                Item("dead-unattributed", "customers/update", update, WorkStatus.DeadLetter, null, error: "DbUpdateException: email steve.lastnameson@example.com refused"),
                Item("dead-attributed", "customers/update", update, WorkStatus.DeadLetter, Steve, error: "DbUpdateException: refused"),
                Item("pending-order", "orders/create", order, WorkStatus.Pending, null),
                Item("redact-in-progress", "customers/redact", redact, WorkStatus.Processing, null),
                Item("someone-pending", "customers/update", mentionsSteve, WorkStatus.Pending, null),
                Item("other-store", "customers/update", update, WorkStatus.Pending, null, store: "us"),
                new WorkItem { Kind = WorkKind.OutboundPush, StoreHandle = "uk", Topic = "user/push", UserId = "user-steve", CustomerId = Steve, Status = WorkStatus.Pending, NextAttemptAt = Received, ReceivedAt = Received });
            db.SyncLog.AddRange(
                Log("worked", Steve, "created"),
                Log("dead-unattributed", null, "deadlettered"),
                Log("someone-pending", null, "failed"),
                Log("other-store", Steve, "created", store: "us"));
            await db.SaveChangesAsync();

            // The deliveries' payloads, in their own table as the inbox stores them.
            db.WorkItemBodies.AddRange(db.WorkItems.Local.Where(w => w.Body is not null).Select(w => new WorkItemBodyRow { Id = w.Id, Body = w.Body! }));

            // Finished reconciliations of both stores listing Steve (with his email and Shopify's name for him).
            db.Jobs.AddRange(Report("report-uk", "uk", Steve, Someone), Report("report-us", "us", Steve));
            await db.SaveChangesAsync();
        }

        await new EfSyncLog(SyncDatabases.Over(options, isPostgres), TimeProvider.System).EraseCustomerAsync("uk", Steve, CancellationToken.None);

        await using (var db = new ShopifySyncDbContext(options))
        {
            var items = await db.WorkItems.OrderBy(w => w.Id)
                .Select(w => new { Key = w.DedupKey ?? w.Topic, w.Status, w.Outcome, w.CustomerId, HasBody = db.WorkItemBodies.Any(b => b.Id == w.Id), w.LastError })
                .ToListAsync();
            Assert.Equal(
                [
                    ("worked", WorkStatus.Succeeded, "created", Steve, false, null),
                    ("dead-unattributed", WorkStatus.Succeeded, "redacted", Steve, false, null),
                    ("dead-attributed", WorkStatus.Succeeded, "redacted", Steve, false, null),
                    ("pending-order", WorkStatus.Succeeded, "redacted", Steve, false, null),

                    // Being worked: it keeps its state (its worker finishes it) but not the body.
                    ("redact-in-progress", WorkStatus.Processing, null, Steve, false, null),
                    ("someone-pending", WorkStatus.Pending, null, (long?)null, true, null),
                    ("other-store", WorkStatus.Pending, null, null, true, null),
                    ("user/push", WorkStatus.Pending, null, Steve, false, (string?)null),
                ],
                items.Select(i => (i.Key, i.Status, i.Outcome, i.CustomerId, i.HasBody, i.LastError)));

            var log = await db.SyncLog.OrderBy(l => l.Id).Select(l => new { l.WebhookId, l.StoreHandle }).ToListAsync();
            Assert.Equal([("someone-pending", "uk"), ("other-store", "us")], log.Select(l => (l.WebhookId, l.StoreHandle)));

            // The uk report no longer names Steve; the other customer's difference and the us report stay.
            var reports = await db.Jobs.AsNoTracking().OrderBy(j => j.Id).ToDictionaryAsync(j => j.Id, j => j.State!);
            var uk = System.Text.Json.JsonSerializer.Deserialize<OrchardShopify.AspNetCore.Reconciliation.ReconciliationReport>(reports["report-uk"], OrchardShopify.AspNetCore.Jobs.SyncJobHost.Json)!;
            Assert.Equal([Someone], uk.Differences.Select(d => d.CustomerId));
            Assert.DoesNotContain("steve", reports["report-uk"], StringComparison.OrdinalIgnoreCase);
            Assert.Equal(2, uk.Counts.ShopifyCustomers);
            Assert.Contains("steve.lastnameson@example.com", reports["report-us"], StringComparison.Ordinal);
        }
    }

    private static OrchardShopify.AspNetCore.Jobs.SyncJobRow Report(string id, string store, params long[] customers) => new()
    {
        Id = id,
        Kind = OrchardShopify.AspNetCore.Reconciliation.ReconciliationJob.Kind,
        StoreHandle = store,
        Owner = "node-a",
        Status = OrchardShopify.AspNetCore.Jobs.SyncJobStatus.Succeeded,
        StartedAt = Received,
        HeartbeatAt = Received,
        FinishedAt = Received,
        State = System.Text.Json.JsonSerializer.Serialize(
            new OrchardShopify.AspNetCore.Reconciliation.ReconciliationReport(
                "finished",
                2,
                2,
                new OrchardShopify.AspNetCore.Reconciliation.ReconciliationCounts(2, 0, 2, 0, 0, null, null, null, 0, new Dictionary<string, long>()),
                [.. customers.Select(c => new OrchardShopify.AspNetCore.Reconciliation.ReconciliationDifference(
                    OrchardShopify.AspNetCore.Reconciliation.DifferenceKind.CustomerWithoutUser,
                    c,
                    null,
                    c == Steve ? "steve.lastnameson@example.com" : "someone@example.com",
                    [new OrchardShopify.AspNetCore.Reconciliation.FieldDifferenceView("firstName", c == Steve ? "Steve" : "Some", null, OrchardShopify.Core.Sync.ChangedSide.Shopify)],
                    OrchardShopify.Core.Sync.ReconcileDirection.None,
                    "no user"))],
                false),
            OrchardShopify.AspNetCore.Jobs.SyncJobHost.Json),
    };

    private static WorkItem Item(string webhookId, string topic, byte[] body, WorkStatus status, long? customerId, string? outcome = null, string? error = null, string store = "uk") => new()
    {
        Kind = WorkKind.InboundDelivery,
        DedupKey = webhookId,
        StoreHandle = store,
        Topic = topic,
        Body = body,
        CustomerId = customerId,
        Status = status,
        Outcome = outcome,
        LastError = error,
        Attempts = status == WorkStatus.Pending ? 0 : 1,
        LeaseOwner = status == WorkStatus.Processing ? "node-a" : null,
        LeaseExpiresAt = status == WorkStatus.Processing ? Received + 60_000 : null,
        NextAttemptAt = Received,
        ReceivedAt = Received,
        ProcessedAt = status == WorkStatus.Succeeded ? Received + 1_000 : null,
    };

    private static SyncLogRow Log(string webhookId, long? customerId, string outcome, string store = "uk") => new()
    {
        At = Received + 1_000,
        Direction = "inbound",
        StoreHandle = store,
        Topic = "customers/update",
        CustomerId = customerId,
        Outcome = outcome,
        Detail = outcome == "created" ? null : "DbUpdateException: email steve.lastnameson@example.com refused",
        WebhookId = webhookId,
    };
}
