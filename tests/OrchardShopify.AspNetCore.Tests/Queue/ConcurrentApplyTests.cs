using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Webhooks;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Queue;

/// <summary>
/// How a node's inbound worker spreads one claimed batch: on PostgreSQL, deliveries of different customers are applied
/// several at a time, those of one customer one after another in their order, and a store-wide delivery (shop/redact)
/// on its own between what came before and after it; on SQLite, one at a time.
/// </summary>
public sealed class ConcurrentApplyTests
{
    private static readonly long[] Customers = [1_073_339_470, 1_073_339_471, 1_073_339_472, 1_073_339_473, 1_073_339_474, 1_073_339_475];

    [PostgresFact]
    public async Task On_postgres_customers_are_applied_concurrently_each_in_order_and_shop_redact_alone()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var runs = await RunAsync(ShopifyStorageProvider.PostgreSql, database.ConnectionString);

        // Four lanes start together; on a loaded machine one may start after another has finished its first item.
        Assert.InRange(MaxInFlight(runs), 2, 4);
    }

    [Fact]
    public async Task On_sqlite_deliveries_are_applied_one_at_a_time_in_claim_order()
    {
        await using var scratch = new ScratchSqliteDatabase();
        var runs = await RunAsync(ShopifyStorageProvider.Sqlite, $"Data Source={scratch.File}");

        Assert.Equal(1, MaxInFlight(runs));
        Assert.Equal(runs.OrderBy(r => r.Sequence).Select(r => r.WebhookId), runs.OrderBy(r => r.Started).Select(r => r.WebhookId));
    }

    /// <summary>
    /// Stores three customers/delete deliveries for each of six customers, a shop/redact, then one more
    /// delivery per customer; works them with one claim of a worker whose handler records when each ran; checks
    /// the order guarantees and that every item was completed with the handler's outcome.
    /// </summary>
    private static async Task<List<Run>> RunAsync(ShopifyStorageProvider provider, string connectionString)
    {
        await using var node = new SyncNode(provider, connectionString, configure: s => s["Shopify:Queue:Concurrency"] = "4");
        await node.StartAsync(workers: false);
        var template = Encoding.UTF8.GetString(TestSite.Payload("customers-delete.json"));
        var sequence = 0;
        async Task AppendDeleteAsync(long customer)
        {
            var body = Encoding.UTF8.GetBytes(template.Replace("1073339470", customer.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
            Assert.True(await node.AppendAsync(ShopifyTopics.CustomersDelete, body, $"wh-{sequence++:D3}-{customer}"));
        }

        // Two in a row per customer, then a round over all of them: neighbours in the claim belong to one customer and to different ones.
        foreach (var customer in Customers)
        {
            await AppendDeleteAsync(customer);
            await AppendDeleteAsync(customer);
        }

        foreach (var customer in Customers)
        {
            await AppendDeleteAsync(customer);
        }

        var redactId = $"wh-{sequence++:D3}-shop";
        Assert.True(await node.AppendAsync(ShopifyTopics.ShopRedact, TestSite.Payload("shop-redact.json"), redactId));
        foreach (var customer in Customers)
        {
            await AppendDeleteAsync(customer);
        }

        var handler = new RecordingHandler();
        var worker = ActivatorUtilities.CreateInstance<SyncWorker>(node.Services, handler);
        Assert.Equal(sequence, await worker.RunOnceAsync(CancellationToken.None));
        var runs = handler.Runs.ToList();
        Assert.Equal(sequence, runs.Count);

        // One customer's deliveries: in the order stored, each finished before the next began.
        foreach (var customer in Customers)
        {
            var own = runs.Where(r => r.Customer == customer).OrderBy(r => r.Started).ToList();
            Assert.Equal(4, own.Count);
            Assert.Equal(own.OrderBy(r => r.Sequence).Select(r => r.WebhookId), own.Select(r => r.WebhookId));
            for (var i = 1; i < own.Count; i++)
            {
                Assert.True(own[i - 1].Finished <= own[i].Started, $"{own[i].WebhookId} began before {own[i - 1].WebhookId} finished");
            }
        }

        // The store-wide delivery ran alone: after everything stored before it, before everything stored after it.
        var redact = Assert.Single(runs, r => r.WebhookId == redactId);
        Assert.Null(redact.Customer);
        Assert.All(runs.Where(r => r.Sequence < redact.Sequence), r => Assert.True(r.Finished <= redact.Started, $"{r.WebhookId} was still running when shop/redact began"));
        Assert.All(runs.Where(r => r.Sequence > redact.Sequence), r => Assert.True(r.Started >= redact.Finished, $"{r.WebhookId} began before shop/redact finished"));

        await using var db = await node.Get<SyncDatabase>().OpenAsync(CancellationToken.None);
        var items = await db.WorkItems.ToListAsync();
        Assert.Equal(sequence, items.Count);
        Assert.All(items, item =>
        {
            Assert.Equal(WorkStatus.Succeeded, item.Status);
            Assert.Equal(1, item.Attempts);
            Assert.Equal(RecordingHandler.Outcome, item.Outcome);
        });
        return runs;
    }

    /// <summary>Most runs that overlapped at any moment.</summary>
    private static int MaxInFlight(IEnumerable<Run> runs)
        => runs.SelectMany(r => new[] { (At: r.Started, Step: 1), (At: r.Finished, Step: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Step)
            .Aggregate((Current: 0, Max: 0), (acc, e) => (acc.Current + e.Step, Math.Max(acc.Max, acc.Current + e.Step))).Max;

    private sealed record Run(string WebhookId, int Sequence, long? Customer, long Started, long Finished);

    /// <summary>An inbound handler that takes a while per delivery and records when it ran; customers found as the real one finds them.</summary>
    private sealed class RecordingHandler : IWorkItemHandler
    {
        public const string Outcome = "recorded";

        public ConcurrentBag<Run> Runs { get; } = [];

        public WorkKind Kind => WorkKind.InboundDelivery;

        public async Task<WorkResult> HandleAsync(WorkItem item, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            await Task.Delay(40, cancellationToken);
            var customer = CustomerOf(item);
            Runs.Add(new Run(item.DedupKey!, int.Parse(item.DedupKey!.AsSpan(3, 3), System.Globalization.CultureInfo.InvariantCulture), customer, started, Stopwatch.GetTimestamp()));
            return new WorkResult(Outcome, customer, null);
        }

        public bool IsPermanent(Exception exception) => false;

        public long? CustomerOf(WorkItem item) => item.Body is { } body ? CustomerPayloadParser.FindCustomerId(item.Topic, body) : null;
    }
}
