using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.Emulator;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Reliability.Tests.Support;
using OrchardShopify.Testing.Hosting.Logging;
using OrchardShopify.Testing.Hosting.Sites;
using Xunit.Abstractions;

namespace OrchardShopify.Reliability.Tests;

public sealed class DuplicatesAndDisorderTests(ITestOutputHelper output)
{
    private static readonly string[] FirstNames = ["Zoë", "Łukasz", "Siobhán", "李娜", "Ada"];
    private static readonly string[] LastNames = ["Ångström", "Nguyễn", "Ó Briain", "王", "Lovelace"];

    [Fact]
    public async Task Every_customer_change_delivered_two_or_three_times_out_of_order_leaves_users_equal_to_Shopify()
    {
        var started = Stopwatch.StartNew();
        await using var shopify = await EmulatedShopify.StartAsync(new EmulatorOptions
        {
            CustomersPerShop = 0,
            Faults = new FaultSettings { DuplicateDeliveries = 2, DuplicateDeliveriesMax = 3, ShuffleDeliveries = true, ShuffleWindowMs = 3_000, RandomSeed = 42 },
        });
        var logs = new FakeLogCollector();
        await using var site = await SyncSite.StartAsync(new SyncSiteOptions { Folder = SyncSite.NewFolder(), Settings = shopify.SiteSettings, Logs = logs });
        await shopify.SubscribeAsync(site.Address, "CUSTOMERS_CREATE", "CUSTOMERS_UPDATE");

        // 60 customers created by the merchant, then edited twice each (names and phone), all within the shuffle window.
        var ids = new long[60];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = await shopify.MerchantSavesAsync(null, new { first_name = FirstNames[i % 5], last_name = LastNames[i % 5], email = $"disorder.{i}@example.com", phone = Phone(i, 0) });
        }

        for (var round = 1; round <= 2; round++)
        {
            for (var i = 0; i < ids.Length; i++)
            {
                await shopify.MerchantSavesAsync(ids[i], new { first_name = $"{FirstNames[(i + round) % 5]}", last_name = $"{LastNames[i % 5]}-{round}", phone = Phone(i, round) });
            }
        }

        await shopify.Emulator.WaitForWebhooksAsync(TimeSpan.FromSeconds(60), CancellationToken.None);
        var deliveries = shopify.Emulator.State.Deliveries.Snapshot();
        var webhookIds = deliveries.Select(d => d.WebhookId).Distinct().ToList();

        // A slow answer (over Shopify's 5 s) is retried like Shopify does; each change must have got through.
        Assert.All(deliveries.GroupBy(d => d.WebhookId), d => Assert.True(d.Any(a => a.Succeeded), $"{d.Key}: {d.Last().Error}"));
        Assert.DoesNotContain(deliveries, d => d.SubscriptionRemoved);
        Assert.Equal(ids.Length * 3, webhookIds.Count);
        Assert.True(deliveries.Count >= webhookIds.Count * 2, $"{deliveries.Count} deliveries for {webhookIds.Count} changes");
        Assert.True(IsReordered(deliveries), "some changes of a customer arrived before older ones");
        output.WriteLine($"{deliveries.Count} deliveries of {webhookIds.Count} changes by {started.Elapsed.TotalSeconds:0.0} s");

        await SyncSite.EventuallyAsync(async () => await site.State.UnfinishedInboundAsync() == 0, "the site has applied every delivery", TimeSpan.FromSeconds(90));
        await Expect.AppliedExactlyOnceAsync(site.State, webhookIds);
        await Expect.UsersMatchShopifyAsync(site.State, shopify.Customers());
        SecretScan.AssertClean(logs.Texts());
        output.WriteLine($"total {started.Elapsed.TotalSeconds:0.0} s");
    }

    private static string Phone(int index, int version) => $"+447700{((index * 10) + version).ToString("D6", CultureInfo.InvariantCulture)}";

    // Event ids grow with each change: arrival order differing from event order means the site saw changes out of order.
    private static bool IsReordered(IReadOnlyList<Emulator.Webhooks.WebhookDeliveryAttempt> deliveries)
    {
        var arrival = deliveries.OrderBy(d => d.Sequence).Select(d => long.Parse(d.EventId, CultureInfo.InvariantCulture)).Distinct().ToList();
        return !arrival.SequenceEqual(arrival.Order());
    }
}
