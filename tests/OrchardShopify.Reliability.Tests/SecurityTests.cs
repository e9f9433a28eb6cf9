using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.Emulator;
using OrchardShopify.Reliability.Tests.Support;
using OrchardShopify.Testing.Hosting.Logging;
using OrchardShopify.Testing.Hosting.Sites;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.Reliability.Tests;

public sealed class SecurityTests
{
    private static readonly (HttpMethod Method, string Path)[] AdminEndpoints =
    [
        (HttpMethod.Get, "/!/shopify/admin/api/links"),
        (HttpMethod.Get, "/!/shopify/admin/api/deliveries"),
        (HttpMethod.Post, "/!/shopify/admin/api/deliveries/1/replay"),
        (HttpMethod.Post, "/!/shopify/admin/api/users/someone/push"),
    ];

    [Fact]
    public async Task Admin_json_refuses_anonymous_non_admin_and_wrong_key_callers_and_customers_read_only_their_own_data_with_no_secret_anywhere()
    {
        await using var shopify = await EmulatedShopify.StartAsync(new EmulatorOptions { CustomersPerShop = 0 });
        var logs = new FakeLogCollector();
        await using var site = await SyncSite.StartAsync(new SyncSiteOptions { Folder = SyncSite.NewFolder(), Settings = shopify.SiteSettings, Logs = logs, MinimumLogLevel = LogLevel.Trace });
        var answers = new List<string>();

        // Two customers of the shop arrive as users of the site through their signed webhooks.
        var alice = await shopify.MerchantSavesAsync(null, new { first_name = "Alice", last_name = "Ångström", email = "alice@example.com", phone = "+447700900101" });
        var bob = await shopify.MerchantSavesAsync(null, new { first_name = "Bob", last_name = "Brontë", email = "bob@example.com", phone = "+447700900102" });
        var signer = new ShopifyWebhookSigner(SyncSite.ShopDomain, SyncSite.WebhookSecret);
        var sent = new List<SignedDelivery>();
        foreach (var customer in shopify.Customers().Values)
        {
            var delivery = signer.Customer("customers/create", customer, $"security-{customer.Id}", customer.UpdatedAt);
            sent.Add(delivery);
            Assert.True((await DeliverySender.SendOneAsync(site.Http, delivery)).Acknowledged);
        }

        await SyncSite.EventuallyAsync(async () => (await site.State.LinksAsync()).Count == 2, "both customers are linked", TimeSpan.FromSeconds(30));
        var users = (await site.State.UsersAsync()).ToDictionary(u => u.Email!);
        var aliceUser = users["alice@example.com"].Id;
        var bobUser = users["bob@example.com"].Id;

        foreach (var (method, path) in AdminEndpoints)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(site, method, path, answers));
            Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(site, method, path, answers, user: aliceUser, roles: "Member"));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(site, method, path, answers, key: "admin-key-guess-0000000000"));
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(site, method, path, answers, key: SyncSite.WebhookSecret));
        }

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(site, HttpMethod.Get, "/!/shopify/admin/api/links?store=uk", answers, key: SyncSite.AdminKey));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(site, HttpMethod.Get, "/!/shopify/admin/api/deliveries", answers, user: "admin", roles: "Administrator"));

        // Each customer reads only their own customer, whatever the request names.
        foreach (var (user, own, other) in new[] { (aliceUser, alice, bob), (bobUser, bob, alice) })
        {
            var otherId = other.ToString(CultureInfo.InvariantCulture);
            foreach (var path in new[] { "/!/shopify/api/customer", $"/!/shopify/api/customer?store=uk&id={otherId}&customerId={otherId}", $"/!/shopify/api/customer?store=uk&shopify_id={otherId}" })
            {
                using var json = JsonDocument.Parse(await ReadAsync(site, path, answers, user));
                Assert.Equal(own, json.RootElement.GetProperty("id").GetInt64());
            }

            foreach (var path in new[] { "/!/shopify/api/customer/addresses?store=uk", "/!/shopify/api/customer/orders?store=uk&status=any" })
            {
                var text = await ReadAsync(site, $"{path}&customerId={otherId}", answers, user);
                Assert.DoesNotContain(otherId, text, StringComparison.Ordinal);
                Assert.DoesNotContain(other == alice ? "alice@" : "bob@", text, StringComparison.Ordinal);
            }
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(site, HttpMethod.Get, "/!/shopify/api/customer", answers));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(site, HttpMethod.Get, "/!/shopify/api/customer", answers, user: "not-a-linked-user"));

        var stored = await site.State.WorkItemsAsync();
        SecretScan.AssertClean(
            logs.Texts().Concat(answers).Concat(stored.Select(w => w.LastError)),
            sent.Select(d => d.Header(SignedDelivery.HmacHeader)!));
    }

    private static async Task<HttpStatusCode> StatusAsync(SyncSite site, HttpMethod method, string path, List<string> answers, string? user = null, string? roles = null, string? key = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (user is not null)
        {
            request.Headers.Add(TestAuthentication.UserHeader, user);
        }

        if (roles is not null)
        {
            request.Headers.Add(TestAuthentication.RolesHeader, roles);
        }

        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        using var response = await site.Http.SendAsync(request);
        answers.Add(await response.Content.ReadAsStringAsync());
        return response.StatusCode;
    }

    private static async Task<string> ReadAsync(SyncSite site, string path, List<string> answers, string user)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(TestAuthentication.UserHeader, user);
        using var response = await site.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {text}");
        answers.Add(text);
        return text;
    }
}
