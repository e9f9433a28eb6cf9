using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.Testing.Hosting.Postgres;
using OrchardShopify.Testing.Hosting.Sites;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.AspNetCore.Tests.Queue;

/// <summary>
/// <c>Queue:InboundWorkers</c>: on PostgreSQL a node runs that many inbound workers, each claiming and applying batches
/// of its own; on SQLite (one writer) it runs one whatever the setting says.
/// </summary>
public sealed class InboundWorkersTests
{
    [PostgresFact]
    public async Task Two_inbound_workers_of_one_postgresql_node_apply_a_shuffled_burst_to_shopifys_final_state()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var logs = new FakeLogCollector();
        await using var site = await SyncSite.StartAsync(new SyncSiteOptions
        {
            Folder = SyncSite.NewFolder(),
            PostgresConnectionString = database.ConnectionString,
            // Idle workers look for work only when woken (a delivery moved into the queue, a sibling's full claim).
            Settings = new Dictionary<string, string?> { ["Shopify:Queue:InboundWorkers"] = "2", ["Shopify:Queue:BatchSize"] = "10", ["Shopify:Queue:PollInterval"] = "00:05:00" },
            Logs = logs,
            MinimumLogLevel = LogLevel.Debug,
        });

        // Created, then updated twice: a customer's versions end up in different claims, worked by either worker.
        var burst = CustomerBurst.Generate(new ShopifyWebhookSigner(SyncSite.ShopDomain, SyncSite.WebhookSecret), customers: 120, versions: 3, prefix: "workers").Shuffled(seed: 3);
        var results = await DeliverySender.SendAsync(site.Http, burst.Deliveries, senders: 8, CancellationToken.None);
        Assert.All(results, r => Assert.True(r.Acknowledged, $"{r.Delivery.WebhookId}: {r.StatusCode} {r.Error}"));
        await SyncSite.EventuallyAsync(async () => await site.State.UnfinishedInboundAsync() == 0, "the node has applied the burst", TimeSpan.FromSeconds(120));

        // Two inbound workers ran, each with its own lease owner, and both claimed batches.
        var started = InboundWorkersStarted(logs);
        Assert.Equal(2, started.Count);
        Assert.Equal(2, started.Distinct().Count());
        var claims = logs.GetSnapshot()
            .Where(r => r.Message.StartsWith("Shopify InboundDelivery worker ", StringComparison.Ordinal) && r.Message.EndsWith(" items", StringComparison.Ordinal))
            .Select(r => r.Message.Split(' ')[3])
            .ToList();
        Assert.All(started, owner => Assert.Contains(owner, claims));
        Assert.True(claims.Count >= 360 / 10, $"{claims.Count} claims for 360 deliveries in claims of at most 10");

        // Every delivery stored once and finished; no worker left an error behind.
        var items = await site.State.WorkItemsAsync();
        Assert.Equal(burst.Deliveries.Select(d => d.WebhookId).Order(), items.Select(i => i.WebhookId).Order());
        Assert.All(items, i => Assert.Equal(WorkItemRow.Succeeded, i.Status));
        Assert.Empty(logs.GetSnapshot().Where(r => r.Level >= LogLevel.Error).Select(r => $"{r.Category}: {r.Message} {r.Exception}"));

        // One user per customer, linked, with Shopify's last version whatever order the versions were applied in.
        var users = await site.State.UsersAsync();
        var links = (await site.State.LinksAsync()).ToDictionary(l => l.CustomerId);
        Assert.Equal(burst.Final.Count, users.Count);
        Assert.Equal(burst.Final.Count, links.Count);
        foreach (var customer in burst.Final.Values)
        {
            var user = Assert.Single(users, u => string.Equals(u.Email, customer.Email, StringComparison.OrdinalIgnoreCase));
            Assert.Equal(user.Id, links[customer.Id].UserId);
            Assert.Equal(customer.Id.ToString(CultureInfo.InvariantCulture), user.Claim("shopify_id"));
            Assert.Equal((customer.FirstName, customer.LastName, customer.Phone), (user.Claim("given_name"), user.Claim("family_name"), user.Phone));
        }
    }

    [Fact]
    public async Task A_sqlite_node_runs_one_inbound_worker_whatever_the_setting_says()
    {
        var logs = new FakeLogCollector();
        await using var site = await SyncSite.StartAsync(new SyncSiteOptions
        {
            Folder = SyncSite.NewFolder(),
            Settings = new Dictionary<string, string?> { ["Shopify:Queue:InboundWorkers"] = "4" },
            Logs = logs,
        });

        var burst = CustomerBurst.Generate(new ShopifyWebhookSigner(SyncSite.ShopDomain, SyncSite.WebhookSecret), customers: 5, versions: 1, prefix: "sqlite-workers");
        var results = await DeliverySender.SendAsync(site.Http, burst.Deliveries, senders: 2, CancellationToken.None);
        Assert.All(results, r => Assert.True(r.Acknowledged, $"{r.Delivery.WebhookId}: {r.StatusCode} {r.Error}"));
        await SyncSite.EventuallyAsync(async () => await site.State.UnfinishedInboundAsync() == 0, "the node has applied the deliveries", TimeSpan.FromSeconds(60));

        Assert.Single(InboundWorkersStarted(logs));
        Assert.Equal(5, (await site.State.UsersAsync()).Count);
    }

    /// <summary>The lease owners of the inbound workers that said they started.</summary>
    private static List<string> InboundWorkersStarted(FakeLogCollector logs)
        => [.. logs.GetSnapshot()
            .Where(r => r.Message.StartsWith("Shopify InboundDelivery worker ", StringComparison.Ordinal) && r.Message.Contains(" started (", StringComparison.Ordinal))
            .Select(r => r.Message.Split(' ')[3])];
}
