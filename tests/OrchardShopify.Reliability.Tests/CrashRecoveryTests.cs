using System.Diagnostics;
using System.Collections.Concurrent;
using OrchardShopify.Reliability.Tests.Support;
using OrchardShopify.Testing.Hosting.Sites;
using OrchardShopify.Testing.Hosting.Webhooks;
using Xunit.Abstractions;

namespace OrchardShopify.Reliability.Tests;

public sealed class CrashRecoveryTests(ITestOutputHelper output)
{
    private const int BatchSize = 20;

    private static readonly Dictionary<string, string> Settings = new()
    {
        ["Shopify:Queue:LeaseDuration"] = "00:00:02",
        ["Shopify:Queue:BatchSize"] = BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task Site_killed_in_the_middle_of_a_10000_delivery_burst_applies_every_acknowledged_delivery_exactly_once_after_restart()
    {
        var started = Stopwatch.StartNew();
        var folder = SyncSite.NewFolder();
        var port = HostProcess.FreePort();
        var signer = new ShopifyWebhookSigner(SyncSite.ShopDomain, SyncSite.WebhookSecret);

        // 3,000 distinct deliveries (300 customers, created then updated 9 times), each sent 3 or 4 times as Shopify retries, shuffled.
        var burst = CustomerBurst.Generate(signer, customers: 300, versions: 10, prefix: "crash");
        var sent = burst.WithDuplicatesShuffled(seed: 8, min: 3, max: 4).Deliveries;
        Assert.True(sent.Count >= 10_000, $"the burst has {sent.Count} deliveries");

        var acknowledged = new ConcurrentDictionary<string, byte>();
        IReadOnlyList<DeliveryResult> first;
        await using (var host = await HostProcess.StartAsync(folder, port, Settings))
        {
            // Midway: half the burst acknowledged, the workers busy applying it.
            first = await host.SendAndKillMidwayAsync(sent, acknowledged);
        }

        var unanswered = first.Where(r => !r.Acknowledged).ToList();
        output.WriteLine($"killed after {first.Count} sends ({acknowledged.Count} distinct acknowledged, {unanswered.Count} unanswered) at {started.Elapsed.TotalSeconds:0.0} s");
        Assert.NotEmpty(acknowledged);
        Assert.All(unanswered, r => Assert.Null(r.StatusCode));

        // Restart on the same files; Shopify sends again what got no answer, what was never sent, and some acknowledged ones.
        await using (var host = await HostProcess.StartAsync(folder, port, Settings))
        {
            using var http = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(30) };
            var remaining = sent.Skip(first.Count).Concat(unanswered.Select(r => r.Delivery)).Concat(first.Where(r => r.Acknowledged).Take(500).Select(r => r.Delivery)).ToList();
            var second = await DeliverySender.SendAsync(http, remaining, senders: 6, CancellationToken.None);
            Assert.All(second, r => Assert.True(r.Acknowledged, $"{r.Delivery.WebhookId}: {r.StatusCode} {r.Error}"));
            output.WriteLine($"restarted and resent {remaining.Count} at {started.Elapsed.TotalSeconds:0.0} s");

            var state = SyncSite.StateOf(new SyncSiteOptions { Folder = folder });
            await SyncSite.EventuallyAsync(async () => await state.UnfinishedInboundAsync() == 0, "the restarted site has applied everything", TimeSpan.FromSeconds(150));
            output.WriteLine($"drained at {started.Elapsed.TotalSeconds:0.0} s");
            await host.StopAsync();
        }

        try
        {
            var state = SyncSite.StateOf(new SyncSiteOptions { Folder = folder });
            var all = burst.Deliveries.Select(d => d.WebhookId).ToList();
            Assert.Subset(all.ToHashSet(), acknowledged.Keys.ToHashSet());
            await Expect.AppliedExactlyOnceAsync(state, all, replaysAllowed: BatchSize);
            await Expect.UsersMatchShopifyAsync(state, burst.Final);
        }
        finally
        {
            SyncSite.DeleteFolder(folder);
        }

        output.WriteLine($"total {started.Elapsed.TotalSeconds:0.0} s");
    }
}
