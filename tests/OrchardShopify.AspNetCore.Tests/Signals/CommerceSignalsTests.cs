using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text.Json;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Users;
using OrchardShopify.Emulator.Customers;
using OrchardShopify.Emulator.Webhooks;
using OrchardShopify.Testing.Hosting.Sites;

namespace OrchardShopify.AspNetCore.Tests.Signals;

/// <summary>
/// Commerce signals over the Shopify emulator, through the host: the emulator's own webhook bodies posted signed to the
/// webhook endpoint, the import and the scheduled catch-up reading its GraphQL API, and the user reading them back from
/// the headless JSON.
/// </summary>
public sealed class CommerceSignalsTests
{
    [Fact]
    public async Task A_webhook_stores_the_signals_on_the_user_and_an_older_delivery_arriving_later_does_not_overwrite_them()
    {
        await using var env = await EmulatorSite.StartAsync(3);
        var customer = env.Shop.Snapshot()[0];
        var before = Body(env, customer.Id, "customers/create");
        await PostAsync(env, "customers/create", before, "wh-signals-create");
        var userId = await UserIdAsync(env, customer.Email!);

        // In Shopify: a tag, an order, marketing consent.
        Assert.Empty(env.Shop.Update(customer.Id, new Dictionary<string, object?> { ["tags"] = new List<object?> { "wholesale", "VIP" } }).Errors);
        await AddOrderAsync(env, customer.Id);
        Assert.Empty(env.Shop.Update(customer.Id, new Dictionary<string, object?> { ["emailMarketingConsent"] = new Dictionary<string, object?> { ["marketingState"] = "SUBSCRIBED" } }).Errors);
        var now = env.Shop.Find(customer.Id)!;
        await PostAsync(env, "customers/update", Body(env, customer.Id, "customers/update"), "wh-signals-update");

        var signals = await SignalsAsync(env, userId);
        Assert.Equal([.. now.Tags], Tags(signals));
        Assert.Equal(["VIP", "wholesale"], Tags(signals));
        Assert.Equal(now.Orders.Length, signals.GetProperty("numberOfOrders").GetInt64());
        Assert.Equal(now.AmountSpent, signals.GetProperty("amountSpent").GetProperty("amount").GetDecimal());
        Assert.Equal(env.Shop.Currency, signals.GetProperty("amountSpent").GetProperty("currencyCode").GetString());
        Assert.Equal("subscribed", signals.GetProperty("emailMarketingState").GetString());
        Assert.Equal(now.State.ToLowerInvariant(), signals.GetProperty("state").GetString());
        Assert.Equal(now.VerifiedEmail, signals.GetProperty("verifiedEmail").GetBoolean());
        Assert.Equal(now.UpdatedAt, DateTimeOffset.Parse(signals.GetProperty("updatedAt").GetString()!, CultureInfo.InvariantCulture));

        // Shopify retries the first delivery (no tags, no orders) after the newer one: the newer signals stay.
        await PostAsync(env, "customers/create", before, "wh-signals-create-retry");
        var after = await SignalsAsync(env, userId);
        Assert.Equal([.. now.Tags], Tags(after));
        Assert.Equal(now.Orders.Length, after.GetProperty("numberOfOrders").GetInt64());
    }

    [Fact]
    public async Task The_import_and_the_catch_up_bring_the_signals()
    {
        await using var env = await EmulatorSite.StartAsync(5, s => s["Shopify:CatchUp:Interval"] = "00:00:01");
        var customer = env.Shop.Snapshot()[1];
        Assert.Empty(env.Shop.Update(customer.Id, new Dictionary<string, object?> { ["tags"] = new List<object?> { "wholesale" } }).Errors);
        await AddOrderAsync(env, customer.Id);
        var orders = env.Shop.Find(customer.Id)!.Orders.Length;

        await ImportAsync(env);
        var userId = await UserIdAsync(env, customer.Email!);
        var imported = await SignalsAsync(env, userId);
        Assert.Equal(["wholesale"], Tags(imported));
        Assert.Equal(orders, imported.GetProperty("numberOfOrders").GetInt64());

        // No webhook reaches the site (the emulator has no subscription): the catch-up reads the change.
        Assert.Empty(env.Shop.Update(customer.Id, new Dictionary<string, object?> { ["tags"] = new List<object?> { "wholesale", "vip" } }).Errors);
        await TestSite.EventuallyAsync(
            async () => Tags(await SignalsAsync(env, userId)).SequenceEqual(["vip", "wholesale"]),
            "the catch-up stores the new tags",
            TimeSpan.FromSeconds(30));
        Assert.Equal(env.Shop.Find(customer.Id)!.UpdatedAt, DateTimeOffset.Parse((await SignalsAsync(env, userId)).GetProperty("updatedAt").GetString()!, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_push_never_sends_the_stored_signals_back_to_Shopify()
    {
        await using var env = await EmulatorSite.StartAsync(3, s =>
        {
            s["Shopify:CatchUp:Enabled"] = "false";
            s["Shopify:UpdateUsersInShopify"] = "true";
        });
        var customer = env.Shop.Snapshot()[1];
        Assert.Empty(env.Shop.Update(customer.Id, new Dictionary<string, object?> { ["tags"] = new List<object?> { "wholesale" } }).Errors);
        await ImportAsync(env);
        var userId = await UserIdAsync(env, customer.Email!);
        Assert.Equal(["wholesale"], Tags(await SignalsAsync(env, userId)));

        // Shopify drops the tag; the site does not know yet. The user changes a name and is sent to Shopify.
        Assert.Empty(env.Shop.Update(customer.Id, new Dictionary<string, object?> { ["tags"] = new List<object?>() }).Errors);
        var orders = env.Shop.Find(customer.Id)!.Orders.Length;
        await env.Site.WithUsersAsync(async users =>
        {
            var user = (await users.FindByIdAsync(userId))!;
            var given = (await users.GetClaimsAsync(user)).Single(c => c.Type == ShopifyUserClaims.GivenName);
            return await users.ReplaceClaimAsync(user, given, new Claim(ShopifyUserClaims.GivenName, "Renamed-On-Site"));
        });
        using var push = await env.AdminAsync(HttpMethod.Post, $"/users/{userId}/push?store=uk");
        Assert.Equal(HttpStatusCode.Accepted, push.StatusCode);
        await TestSite.EventuallyAsync(() => Task.FromResult(env.Shop.Find(customer.Id)!.FirstName == "Renamed-On-Site"), "the push reaches Shopify", TimeSpan.FromSeconds(30));

        // Shopify keeps its own tags and orders: the stored signals were not sent.
        var shopify = env.Shop.Find(customer.Id)!;
        Assert.Empty(shopify.Tags);
        Assert.Equal(orders, shopify.Orders.Length);
        Assert.Equal(["wholesale"], Tags(await SignalsAsync(env, userId)));
    }

    private static async Task ImportAsync(EmulatorSite env)
        => Assert.Equal("succeeded", (await env.ImportAllAsync()).GetProperty("status").GetString());

    private static byte[] Body(EmulatorSite env, long customerId, string topic) => WebhookPayloads.CustomerBody(env.Shop, topic, env.Shop.Find(customerId)!);

    private static async Task AddOrderAsync(EmulatorSite env, long customerId)
    {
        using var http = new HttpClient { BaseAddress = env.Emulator.BaseUrl };
        using var response = await http.PostAsync(new Uri($"_emulator/shops/{TestSite.UkDomain}/customers/{customerId}/orders", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private static async Task PostAsync(EmulatorSite env, string topic, byte[] body, string webhookId)
    {
        using var response = await env.Site.PostWebhookAsync("/!/shopify/webhook/customer/" + topic["customers/".Length..], topic, body, webhookId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await TestSite.EventuallyAsync(
            async () => (await env.Site.ItemsWithWebhookIdAsync(webhookId)).SingleOrDefault()?.Status == OrchardShopify.AspNetCore.Persistence.WorkStatus.Succeeded,
            $"{webhookId} is applied");
    }

    private static async Task<string> UserIdAsync(EmulatorSite env, string email)
    {
        string? id = null;
        await TestSite.EventuallyAsync(async () => (id = await env.Site.WithUsersAsync(async u => (await u.FindByEmailAsync(email))?.Id)) is not null, $"a user for {email}");
        return id!;
    }

    private static async Task<JsonElement> SignalsAsync(EmulatorSite env, string userId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/!/shopify/api/customer/signals?store=uk");
        request.Headers.Add(TestAuthentication.UserHeader, userId);
        using var response = await env.Site.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static List<string> Tags(JsonElement signals) => [.. signals.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!)];
}
