using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Emulator;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Emulator.Throttling;
using OrchardShopify.Reliability.Tests.Support;
using OrchardShopify.Testing.Hosting.Logging;
using OrchardShopify.Testing.Hosting.Sites;
using Xunit.Abstractions;

namespace OrchardShopify.Reliability.Tests;

public sealed class ShopifyFaultTests(ITestOutputHelper output)
{
    private const int Users = 1_000;
    private const int PushedWhileRevoked = 20;

    // Windows of trouble, one after another while the pushes run: a throttling storm, an outage, calls applied but unanswered.
    private static readonly FaultSettings[] Windows =
    [
        new() { ThrottleRate = 0.6 },
        new() { ServerErrorRate = 0.4 },
        new() { ApiTimeoutRate = 0.3, ApiTimeoutMs = 2_000 },
        new(),
    ];

    [Fact]
    public async Task Pushing_1000_users_through_throttling_storms_5xx_and_timeouts_creates_each_customer_once_and_dead_letters_only_permanent_errors()
    {
        var started = Stopwatch.StartNew();
        await using var shopify = await EmulatedShopify.StartAsync(new EmulatorOptions { CustomersPerShop = 0, Plan = ShopifyPlan.Plus });
        var logs = new FakeLogCollector();
        var settings = new Dictionary<string, string?>(shopify.SiteSettings) { ["Shopify:UpdateUsersInShopify"] = "true" };
        await using var site = await SyncSite.StartAsync(new SyncSiteOptions
        {
            Folder = SyncSite.NewFolder(),
            Settings = settings,
            Logs = logs,
            ConfigureServices = services => services.Configure<ShopifyAdminClientOptions>(o =>
            {
                o.MaxAttempts = 4;
                o.BaseDelay = TimeSpan.FromMilliseconds(50);
                o.MaxDelay = TimeSpan.FromMilliseconds(500);
                o.AttemptTimeout = TimeSpan.FromSeconds(1);
            }),
        });

        using var chaos = new CancellationTokenSource();
        var windows = Task.Run(async () =>
        {
            for (var w = 0; !chaos.IsCancellationRequested; w++)
            {
                shopify.SetFaults(Windows[w % Windows.Length] with { RandomSeed = w });
                if (w % Windows.Length == 0)
                {
                    shopify.Emulator.State.Throttle.Drain($"{SyncSite.ShopDomain}|{SyncSite.AccessToken}");
                }

                await Task.Delay(700, CancellationToken.None);
            }

            shopify.SetFaults(new FaultSettings());
        });

        // Users registering on the site: each creation and each name change is pushed to Shopify.
        for (var i = 0; i < Users; i++)
        {
            await site.WithUsersAsync(async users =>
            {
                var user = new IdentityUser { UserName = Email(i), Email = Email(i), EmailConfirmed = true, PhoneNumber = Phone(i) };
                Assert.True((await users.CreateAsync(user)).Succeeded);
                Assert.True((await users.AddClaimsAsync(user, [new Claim("given_name", i % 3 == 0 ? "Zoë" : "Ada"), new Claim("family_name", $"Ångström-{i}")])).Succeeded);
                return user;
            });
        }

        output.WriteLine($"{Users} users created by {started.Elapsed.TotalSeconds:0.0} s");
        await SyncSite.EventuallyAsync(async () => await UnfinishedPushesAsync(site) == 0, "every push is done", TimeSpan.FromSeconds(240));
        await chaos.CancelAsync();
        await windows;
        output.WriteLine($"pushed by {started.Elapsed.TotalSeconds:0.0} s");

        var pushes = await OutboundAsync(site);
        Assert.DoesNotContain(pushes, p => p.Status == WorkItemRow.DeadLetter);
        var log = (await site.State.SyncLogAsync()).Where(l => l.Direction == "outbound").ToList();
        Assert.Contains(log, l => l.Outcome == "failed");
        Assert.DoesNotContain(log, l => l.Outcome is "rejected" or "validationfailed");
        await AssertShopifyHoldsEveryUserOnceAsync(site, shopify);

        // The merchant uninstalls the app for a while: pushes fail for good and are dead-lettered at once.
        shopify.SetFaults(new FaultSettings { AccessTokenRevoked = true });
        for (var i = 0; i < PushedWhileRevoked; i++)
        {
            await RenameAsync(site, i, $"Brontë-{i}");
        }

        await SyncSite.EventuallyAsync(async () => (await OutboundAsync(site)).Count(p => p.Status == WorkItemRow.DeadLetter) == PushedWhileRevoked, "the pushes made while the token was revoked are dead letters", TimeSpan.FromSeconds(60));
        var dead = (await OutboundAsync(site)).Where(p => p.Status == WorkItemRow.DeadLetter).ToList();
        Assert.All(dead, p => Assert.Equal(1, p.Attempts));
        Assert.All(dead, p => Assert.Contains("401", p.LastError, StringComparison.Ordinal));

        // Reinstalled: replaying the dead letters from the admin JSON brings Shopify up to date.
        shopify.SetFaults(new FaultSettings());
        foreach (var item in dead)
        {
            using var replay = new HttpRequestMessage(HttpMethod.Post, $"/!/shopify/admin/api/deliveries/{item.Id}/replay");
            replay.Headers.Add("X-Api-Key", SyncSite.AdminKey);
            using var answer = await site.Http.SendAsync(replay);
            Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        }

        await SyncSite.EventuallyAsync(async () => await UnfinishedPushesAsync(site) == 0 && (await OutboundAsync(site)).All(p => p.Status == WorkItemRow.Succeeded), "the replayed pushes succeed", TimeSpan.FromSeconds(60));
        await AssertShopifyHoldsEveryUserOnceAsync(site, shopify);
        Assert.Equal(PushedWhileRevoked, shopify.Customers().Values.Count(c => c.LastName!.StartsWith("Brontë-", StringComparison.Ordinal)));

        using var deliveries = new HttpRequestMessage(HttpMethod.Get, "/!/shopify/admin/api/deliveries?kind=outbound&take=500");
        deliveries.Headers.Add("X-Api-Key", SyncSite.AdminKey);
        using var listed = await site.Http.SendAsync(deliveries);
        SecretScan.AssertClean(logs.Texts().Append(await listed.Content.ReadAsStringAsync()).Concat(pushes.Select(p => p.LastError)).Concat(log.Select(l => l.Detail)));
        output.WriteLine($"total {started.Elapsed.TotalSeconds:0.0} s");
    }

    private static string Email(int i) => $"pushed.{i.ToString(CultureInfo.InvariantCulture)}@example.com";

    private static string Phone(int i) => $"+447400{(900_000 + i).ToString(CultureInfo.InvariantCulture)}";

    private static async Task RenameAsync(SyncSite site, int i, string lastName) => await site.WithUsersAsync(async users =>
    {
        var user = (await users.FindByEmailAsync(Email(i)))!;
        var old = (await users.GetClaimsAsync(user)).Single(c => c.Type == "family_name");
        Assert.True((await users.ReplaceClaimAsync(user, old, new Claim("family_name", lastName))).Succeeded);
        return user;
    });

    private static async Task<List<WorkItemRow>> OutboundAsync(SyncSite site) => [.. (await site.State.WorkItemsAsync()).Where(w => w.Kind == WorkItemRow.Outbound)];

    private static async Task<int> UnfinishedPushesAsync(SyncSite site) => (await OutboundAsync(site)).Count(w => w.Status is WorkItemRow.Pending or WorkItemRow.Processing);

    // One customer per user (Shopify refuses a second one with the same email, so a duplicate create would show as a rejected push), with the user's data, and linked to it.
    private static async Task AssertShopifyHoldsEveryUserOnceAsync(SyncSite site, EmulatedShopify shopify)
    {
        var customers = shopify.Customers().Values.ToList();
        var users = await site.State.UsersAsync();
        var links = (await site.State.LinksAsync()).ToDictionary(l => l.UserId);
        Assert.Equal(Users, customers.Count);
        Assert.Equal(Users, links.Count);
        var byEmail = customers.ToDictionary(c => c.Email!);
        foreach (var user in users)
        {
            var customer = byEmail[user.Email!];
            Assert.Equal((user.Claim("given_name"), user.Claim("family_name"), user.Phone), (customer.FirstName, customer.LastName, customer.Phone));
            Assert.Equal(customer.Id, links[user.Id].CustomerId);
            Assert.Equal(customer.Id.ToString(CultureInfo.InvariantCulture), user.Claim("shopify_id"));
        }

    }
}
