using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.Reliability.Tests.Support;
using OrchardShopify.Testing.Hosting.Logging;
using OrchardShopify.Testing.Hosting.Sites;
using OrchardShopify.Testing.Hosting.Webhooks;
using Xunit.Abstractions;

namespace OrchardShopify.Reliability.Tests;

public sealed class HostileInputTests(ITestOutputHelper output)
{
    private const int MaxBodyBytes = 65_536;

    [Fact]
    public async Task Ten_thousand_hostile_deliveries_get_their_precise_4xx_and_store_nothing_while_good_ones_in_between_are_applied()
    {
        var started = Stopwatch.StartNew();
        var logs = new FakeLogCollector();
        await using var site = await SyncSite.StartAsync(new SyncSiteOptions { Folder = SyncSite.NewFolder(), Logs = logs });
        var signer = new ShopifyWebhookSigner(SyncSite.ShopDomain, SyncSite.WebhookSecret);
        var good = CustomerBurst.Generate(signer, customers: 150, versions: 2, prefix: "good");
        var hostile = HostileDeliveries.Generate(signer, 10_000, MaxBodyBytes);

        // Good and hostile mixed at random, sent by 8 concurrent senders.
        var mixed = hostile.Select(h => (Hostile: (HostileCase?)h, Good: (SignedDelivery?)null))
            .Concat(good.Deliveries.Select(g => (Hostile: (HostileCase?)null, Good: (SignedDelivery?)g)))
            .ToArray();
        new Random(20261001).Shuffle(mixed);
        var answers = new (int Status, string Body)[mixed.Length];
        var took = new double[mixed.Length];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < mixed.Length)
            {
                var one = Stopwatch.StartNew();
                answers[i] = await SendAsync(site, mixed[i].Hostile, mixed[i].Good);
                took[i] = one.Elapsed.TotalMilliseconds;
            }
        })));
        output.WriteLine($"sent {mixed.Length} deliveries in {started.Elapsed.TotalSeconds:0.0} s");
        foreach (var kind in Enumerable.Range(0, mixed.Length).GroupBy(i => mixed[i].Hostile?.Kind ?? "good"))
        {
            output.WriteLine($"  {kind.Key}: mean {kind.Average(i => took[i]):0.0} ms");
        }

        for (var i = 0; i < mixed.Length; i++)
        {
            if (mixed[i].Hostile is { } h)
            {
                Assert.True((int)h.Status == answers[i].Status, $"{h.Kind}: expected {(int)h.Status}, got {answers[i].Status} {answers[i].Body}");
                Assert.True(answers[i].Body.Contains($"\"reason\":\"{h.Reason}\"", StringComparison.Ordinal), $"{h.Kind}: expected reason {h.Reason}, got {answers[i].Body}");
            }
            else
            {
                Assert.True(answers[i].Status == 200, $"good delivery {mixed[i].Good!.WebhookId}: {answers[i].Status} {answers[i].Body}");
            }
        }

        Assert.Equal(HostileDeliveries.KindCount, hostile.Select(h => h.Kind).Distinct().Count());
        await SyncSite.EventuallyAsync(async () => await site.State.UnfinishedInboundAsync() == 0, "every stored delivery is applied", TimeSpan.FromSeconds(90));
        output.WriteLine($"applied by {started.Elapsed.TotalSeconds:0.0} s");

        // Stored: exactly the good deliveries, each once, each applied; nothing hostile.
        var items = await site.State.WorkItemsAsync();
        Assert.Equal(good.Deliveries.Select(d => d.WebhookId).Order(), items.Select(w => w.WebhookId!).Order());
        Assert.All(items, w => Assert.Equal(WorkItemRow.Succeeded, w.Status));

        // Applied correctly: ids beyond 32 bits and non-ASCII names stored as sent.
        var users = await site.State.UsersAsync();
        Assert.Equal(good.Final.Count, users.Count);
        Assert.DoesNotContain(users, u => u.Email!.StartsWith(HostileDeliveries.Prefix, StringComparison.Ordinal));
        var byEmail = users.ToDictionary(u => u.Email!);
        foreach (var customer in good.Final.Values)
        {
            var user = byEmail[customer.Email!];
            Assert.Equal(customer.Id.ToString(CultureInfo.InvariantCulture), user.Claim("shopify_id"));
            Assert.Equal((customer.FirstName, customer.LastName, customer.Phone), (user.Claim("given_name"), user.Claim("family_name"), user.Phone));
        }

        Assert.Contains(users, u => u.Claim("given_name") == "Zoë" && u.Claim("family_name")!.StartsWith("Ångström", StringComparison.Ordinal));
        Assert.All(good.Final.Keys, id => Assert.True(id > uint.MaxValue));
        Assert.Equal(good.Final.Count, (await site.State.LinksAsync()).Count);

        // Still healthy and still serving.
        using var health = await site.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());

        SecretScan.AssertClean(
            logs.Texts().Concat(answers.Select(a => a.Body)).Concat(items.Select(w => w.LastError)),
            good.Deliveries.Concat(hostile.Select(h => h.Delivery)).Select(d => d.Header(SignedDelivery.HmacHeader)!));
        output.WriteLine($"total {started.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task<(int Status, string Body)> SendAsync(SyncSite site, HostileCase? hostile, SignedDelivery? good)
    {
        if (hostile is { Transport: Transport.Raw })
        {
            return await RawHttp.PostAsync(site.Address, hostile.Delivery);
        }

        using var request = (hostile?.Delivery ?? good!).ToRequest();
        if (hostile is { Transport: Transport.Chunked })
        {
            var headers = request.Content!.Headers.ToList();
            request.Content = new StreamContent(new MemoryStream(hostile.Delivery.Body));
            foreach (var (name, values) in headers)
            {
                request.Content.Headers.TryAddWithoutValidation(name, values);
            }

            request.Content.Headers.ContentLength = null;
        }

        using var response = await site.Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
