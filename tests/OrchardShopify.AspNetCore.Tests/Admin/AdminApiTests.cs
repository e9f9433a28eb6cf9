using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Testing.Hosting.Sites;

namespace OrchardShopify.AspNetCore.Tests.Admin;

public sealed class AdminApiTests(SiteFixture fixture) : IClassFixture<SiteFixture>
{
    private const string Links = "/!/shopify/admin/api/links";

    private TestSite Site => fixture.Site;

    [Fact]
    public async Task Anonymous_and_non_admin_callers_and_wrong_keys_are_refused()
    {
        using var anonymous = await SendAsync(HttpMethod.Get, Links);
        using var member = await SendAsync(HttpMethod.Get, Links, user: "someone", roles: "Member");
        using var wrongKey = await SendAsync(HttpMethod.Get, Links, key: "wrong-key-0123456789abcdef");
        using var replay = await SendAsync(HttpMethod.Post, "/!/shopify/admin/api/deliveries/1/replay", user: "someone");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, member.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, replay.StatusCode);
    }

    [Fact]
    public async Task Api_key_and_admin_role_may_list_links_with_unlinked_users_by_email()
    {
        var steveId = await SteveLastnameson.ArriveAsync(Site, "wh-admin-steve");
        var unlinked = new IdentityUser { UserName = "unlinked@example.com", Email = "unlinked@example.com", EmailConfirmed = true };
        await Site.WithUsersAsync(users => users.CreateAsync(unlinked));

        using var byKey = await SendAsync(HttpMethod.Get, $"{Links}?store=uk&email={SteveLastnameson.Email}", key: TestSite.AdminKey);
        using var byRole = await SendAsync(HttpMethod.Get, $"{Links}?store=uk&email=unlinked@example.com", user: "admin", roles: "Administrator");
        using var all = await SendAsync(HttpMethod.Get, $"{Links}?store=uk", key: TestSite.AdminKey);

        Assert.Equal(HttpStatusCode.OK, byKey.StatusCode);
        var steve = Assert.Single(JsonDocument.Parse(await byKey.Content.ReadAsStringAsync()).RootElement.EnumerateArray());
        Assert.Equal(steveId, steve.GetProperty("id").GetString());
        Assert.Equal(("Steve", "Lastnameson"), (steve.GetProperty("firstName").GetString(), steve.GetProperty("lastName").GetString()));
        Assert.Equal(SteveLastnameson.CustomerId, steve.GetProperty("shopifyId").GetInt64());

        Assert.Equal(HttpStatusCode.OK, byRole.StatusCode);
        var none = Assert.Single(JsonDocument.Parse(await byRole.Content.ReadAsStringAsync()).RootElement.EnumerateArray());
        Assert.Equal(unlinked.Id, none.GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, none.GetProperty("shopifyId").ValueKind);

        var listed = JsonDocument.Parse(await all.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(u => u.GetProperty("id").GetString()).ToList();
        Assert.Contains(steveId, listed);
        Assert.Contains(unlinked.Id, listed);
    }

    [Fact]
    public async Task Deliveries_are_listed_by_status_for_the_api_key()
    {
        await SteveLastnameson.ArriveAsync(Site, "wh-admin-deliveries");

        using var response = await SendAsync(HttpMethod.Get, "/!/shopify/admin/api/deliveries?status=succeeded", key: TestSite.AdminKey);

        var rows = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
        var row = Assert.Single(rows, r => r.GetProperty("webhookId").GetString() == "wh-admin-deliveries");
        Assert.Equal(("succeeded", "customers/create", SteveLastnameson.CustomerId), (row.GetProperty("status").GetString(), row.GetProperty("topic").GetString(), row.GetProperty("shopifyId").GetInt64()));
    }

    [Fact]
    public async Task A_signed_in_administrators_change_needs_the_sites_origin_a_token_and_json_while_an_api_key_needs_neither()
    {
        var steveId = await SteveLastnameson.ArriveAsync(Site, "wh-admin-origin");
        var push = $"/!/shopify/admin/api/users/{steveId}/push?store=uk";
        var own = Site.Http.BaseAddress!.GetLeftPart(UriPartial.Authority);

        // Credentials the browser sends by itself (here the test scheme's headers stand in for the sign-in cookie).
        using var noOrigin = await SendAsync(HttpMethod.Post, push, user: "admin", roles: "Administrator");
        using var otherOrigin = await SendAsync(HttpMethod.Post, push, user: "admin", roles: "Administrator", origin: "http://127.0.0.1:9");
        using var noToken = await SendAsync(HttpMethod.Post, push, user: "admin", roles: "Administrator", origin: own);
        using var textPlain = await SendAsync(HttpMethod.Post, push, user: "admin", roles: "Administrator", origin: own, body: new StringContent("{}", Encoding.UTF8, "text/plain"));
        using var read = await SendAsync(HttpMethod.Get, Links, user: "admin", roles: "Administrator");

        Assert.Equal((HttpStatusCode.Forbidden, "cross_origin"), await RefusalAsync(noOrigin));
        Assert.Equal((HttpStatusCode.Forbidden, "cross_origin"), await RefusalAsync(otherOrigin));
        Assert.Equal((HttpStatusCode.BadRequest, "antiforgery_token_missing"), await RefusalAsync(noToken));
        Assert.Equal((HttpStatusCode.UnsupportedMediaType, "unsupported_media_type"), await RefusalAsync(textPlain));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Empty(await PushesAsync(steveId));

        // A script or server with the API key: no origin, no token, any body. It reaches the push itself, which this site
        // refuses: sending users to Shopify is off here, and a push that would only be skipped is not queued.
        using var byKey = await SendAsync(HttpMethod.Post, push, key: TestSite.AdminKey, body: new StringContent("", Encoding.UTF8, "text/plain"));
        Assert.Equal((HttpStatusCode.Conflict, "push_off"), await RefusalAsync(byKey));
        Assert.Empty(await PushesAsync(steveId));
    }

    [Fact]
    public async Task A_push_by_hand_names_an_unknown_store_and_is_queued_for_a_known_one()
    {
        await using var site = await TestSite.StartAsync(settings => settings["Shopify:UpdateUsersInShopify"] = "true");
        var steveId = await SteveLastnameson.ArriveAsync(site, "wh-admin-push");
        async Task<(HttpStatusCode, string?)> PushAsync(string store)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/!/shopify/admin/api/users/{steveId}/push?store={store}");
            request.Headers.Add("X-Api-Key", TestSite.AdminKey);
            using var response = await site.Http.SendAsync(request);
            return await RefusalAsync(response);
        }

        var unknown = await PushAsync("fr");
        var known = await PushAsync("uk");

        Assert.Equal((HttpStatusCode.BadRequest, "unknown_store"), unknown);
        Assert.Equal(HttpStatusCode.Accepted, known.Item1);
        Assert.Contains(await site.WorkItemsAsync(q => q.Where(w => w.Kind == OrchardShopify.AspNetCore.Persistence.WorkKind.OutboundPush && w.UserId == steveId)), w => w.StoreHandle == "uk");
    }

    [Fact]
    public async Task Webhooks_can_only_be_pointed_at_this_site_or_its_configured_public_address()
    {
        await using var env = await EmulatorSite.StartAsync(0, settings => settings["Shopify:PublicUrls:0"] = "https://shop.example.com/");
        async Task<(HttpStatusCode Status, string? Error)> RegisterAsync(string callbackBase)
        {
            using var response = await env.AdminAsync(HttpMethod.Post, "/stores/uk/webhooks", new { callbackBaseUrl = callbackBase });
            return await RefusalAsync(response);
        }

        Assert.Equal((HttpStatusCode.BadRequest, "callback_not_this_site"), await RegisterAsync("https://attacker.example.com/"));
        Assert.Equal((HttpStatusCode.BadRequest, "callback_not_this_site"), await RegisterAsync("https://shop.example.com.attacker.example/"));
        Assert.Equal((HttpStatusCode.BadRequest, "callback_not_this_site"), await RegisterAsync("https://shop.example.com/other-site/"));
        Assert.Equal((HttpStatusCode.BadRequest, "callback_not_this_site"), await RegisterAsync("http://shop.example.com/"));
        Assert.Empty(env.Emulator.State.Subscriptions.ForShop(TestSite.UkDomain));

        // The configured public address and the address the request reached are this site.
        Assert.Equal(HttpStatusCode.OK, (await RegisterAsync("https://shop.example.com")).Status);
        Assert.Equal(HttpStatusCode.OK, (await RegisterAsync(env.Site.Http.BaseAddress!.AbsoluteUri)).Status);
        var hosts = env.Emulator.State.Subscriptions.ForShop(TestSite.UkDomain).Select(s => s.CallbackUrl.GetLeftPart(UriPartial.Authority)).Distinct().Order().ToArray();
        Assert.Equal(new[] { env.Site.Http.BaseAddress!.GetLeftPart(UriPartial.Authority), "https://shop.example.com" }.Order().ToArray(), hosts);
    }

    private Task<List<OrchardShopify.AspNetCore.Persistence.WorkItem>> PushesAsync(string userId)
        => Site.WorkItemsAsync(q => q.Where(w => w.Kind == OrchardShopify.AspNetCore.Persistence.WorkKind.OutboundPush && w.UserId == userId));

    private static async Task<(HttpStatusCode Status, string? Error)> RefusalAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        string? error = null;
        if (text.StartsWith('{'))
        {
            error = JsonDocument.Parse(text).RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        }

        return (response.StatusCode, error);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? user = null, string? roles = null, string? key = null, string? origin = null, HttpContent? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

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

        return Site.Http.SendAsync(request);
    }
}
