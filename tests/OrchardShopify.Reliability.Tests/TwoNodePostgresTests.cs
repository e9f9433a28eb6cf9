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

        // Each node's inbox file is its own: both empty, and the shared queue worked.
        await SyncSite.EventuallyAsync(async () => await second.State.UnfinishedInboundAsync() == 0 && await first.State.UnfinishedInboundAsync() == 0, "both nodes have applied the burst", TimeSpan.FromSeconds(120));
        await Expect.AppliedExactlyOnceAsync(first.State, [.. burst.Deliveries.Select(d => d.WebhookId)], retriesAllowed: true);
        await Expect.UsersMatchShopifyAsync(first.State, burst.Final);
        output.WriteLine($"total {started.Elapsed.TotalSeconds:0.0} s");
    }

    [PostgresFact]
    public async Task A_postgresql_node_killed_in_the_middle_of_a_burst_applies_every_acknowledged_delivery_exactly_once_after_restart()
    {
        var started = Stopwatch.StartNew();
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var folder = SyncSite.NewFolder();
        var port = HostProcess.FreePort();
        var settings = new Dictionary<string, string> { ["Shopify:Queue:LeaseDuration"] = "00:00:02", ["Shopify:Queue:BatchSize"] = "20" };
        var signer = new ShopifyWebhookSigner(SyncSite.ShopDomain, SyncSite.WebhookSecret);
        var burst = CustomerBurst.Generate(signer, customers: 150, versions: 10, prefix: "pgcrash");
        var sent = burst.WithDuplicatesShuffled(seed: 9, min: 2, max: 3).Deliveries;

        // Killed (SIGKILL) with half the burst acknowledged: what its inbox file holds then is on disk only.
        var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>();
        IReadOnlyList<DeliveryResult> first;
        await using (var host = await HostProcess.StartAsync(folder, port, settings, database.ConnectionString))
        {
            // Midway: half the burst acknowledged, the workers busy applying it.
            first = await host.SendAndKillMidwayAsync(sent, acknowledged);
        }

        var unanswered = first.Where(r => !r.Acknowledged).ToList();
        Assert.NotEmpty(acknowledged);
        Assert.All(unanswered, r => Assert.Null(r.StatusCode));
        output.WriteLine($"killed after {first.Count} sends ({acknowledged.Count} distinct acknowledged) at {started.Elapsed.TotalSeconds:0.0} s");

        // Restarted on the same inbox file; Shopify sends again what got no answer, what was never sent, and some acknowledged ones.
        var state = SyncSite.StateOf(new SyncSiteOptions { Folder = folder, PostgresConnectionString = database.ConnectionString });
        try
        {
            await using (var host = await HostProcess.StartAsync(folder, port, settings, database.ConnectionString))
            {
                using var http = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(30) };
                var remaining = sent.Skip(first.Count).Concat(unanswered.Select(r => r.Delivery)).Concat(first.Where(r => r.Acknowledged).Take(200).Select(r => r.Delivery)).ToList();
                var second = await DeliverySender.SendAsync(http, remaining, senders: 6, CancellationToken.None);
                Assert.All(second, r => Assert.True(r.Acknowledged, $"{r.Delivery.WebhookId}: {r.StatusCode} {r.Error}"));
                await SyncSite.EventuallyAsync(async () => await state.UnfinishedInboundAsync() == 0, "the restarted node has applied everything", TimeSpan.FromSeconds(150));
                await host.StopAsync();
            }

            var all = burst.Deliveries.Select(d => d.WebhookId).ToList();
            Assert.Subset(all.ToHashSet(), acknowledged.Keys.ToHashSet());
            await Expect.AppliedExactlyOnceAsync(state, all, replaysAllowed: 20);
            await Expect.UsersMatchShopifyAsync(state, burst.Final);
        }
        finally
        {
            SyncSite.DeleteFolder(folder);
        }

        output.WriteLine($"total {started.Elapsed.TotalSeconds:0.0} s");
    }
}
