using System.Diagnostics;
using OrchardShopify.Reliability.Tests.Support;
using OrchardShopify.Testing.Hosting.Postgres;
using OrchardShopify.Testing.Hosting.Sites;
using OrchardShopify.Testing.Hosting.Webhooks;
using Xunit.Abstractions;

namespace OrchardShopify.Reliability.Tests;

public sealed class TwoNodePostgresTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task Two_nodes_on_one_postgresql_database_receiving_the_same_burst_with_duplicates_apply_it_exactly_once()
    {
        var started = Stopwatch.StartNew();
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var settings = new Dictionary<string, string?> { ["Shopify:Queue:BatchSize"] = "20" };
        await using var first = await SyncSite.StartAsync(new SyncSiteOptions { Folder = SyncSite.NewFolder(), PostgresConnectionString = database.ConnectionString, Settings = settings });
        await using var second = await SyncSite.StartAsync(new SyncSiteOptions { Folder = SyncSite.NewFolder(), PostgresConnectionString = database.ConnectionString, Settings = settings }, createIdentitySchema: false);

        // Shopify's delivery workers reach either node: each copy goes to one of them at random.
        var signer = new ShopifyWebhookSigner(SyncSite.ShopDomain, SyncSite.WebhookSecret);
        var burst = CustomerBurst.Generate(signer, customers: 200, versions: 5, prefix: "pg");
        var copies = burst.WithDuplicatesShuffled(seed: 5).Deliveries;
        var random = new Random(5);
        var toFirst = copies.Where(_ => random.Next(2) == 0).ToList();
        var toSecond = copies.Except(toFirst).Concat(copies.Where((_, i) => i % 7 == 0)).ToList();
        var results = await Task.WhenAll(
            DeliverySender.SendAsync(first.Http, toFirst, senders: 4, CancellationToken.None),
            DeliverySender.SendAsync(second.Http, toSecond, senders: 4, CancellationToken.None));
        Assert.All(results.SelectMany(r => r), r => Assert.True(r.Acknowledged, $"{r.Delivery.WebhookId}: {r.StatusCode} {r.Error}"));
        output.WriteLine($"{copies.Count} deliveries of {burst.Deliveries.Count} sent by {started.Elapsed.TotalSeconds:0.0} s");

        await SyncSite.EventuallyAsync(async () => await first.State.UnfinishedInboundAsync() == 0, "both nodes have applied the burst", TimeSpan.FromSeconds(120));
        await Expect.AppliedExactlyOnceAsync(first.State, [.. burst.Deliveries.Select(d => d.WebhookId)], retriesAllowed: true);
        await Expect.UsersMatchShopifyAsync(first.State, burst.Final);
        output.WriteLine($"total {started.Elapsed.TotalSeconds:0.0} s");
    }
}
