using System.Net;
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

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? user = null, string? roles = null, string? key = null)
    {
        var request = new HttpRequestMessage(method, path);
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
