using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Users;
using OrchardShopify.Core.Customers;

namespace OrchardShopify.AspNetCore.Tests.Users;

/// <summary>Through the host as it runs: staff and unconfirmed users are never pushed, deleted customers stay deleted.</summary>
public sealed class VerifiedIdentityTests(OutboundSiteFixture fixture) : IClassFixture<OutboundSiteFixture>
{
    private TestSite Site => fixture.Site;

    [Fact]
    public async Task An_administrator_is_never_pushed_and_the_admin_push_says_why()
    {
        var admin = new IdentityUser { UserName = "staff@example.com", Email = "staff@example.com" };
        await Site.WithUsersAsync(async users =>
        {
            var roles = Site.Services.CreateScope().ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            if (!await roles.RoleExistsAsync("Administrator"))
            {
                Assert.True((await roles.CreateAsync(new IdentityRole("Administrator"))).Succeeded);
            }

            Assert.True((await users.CreateAsync(admin)).Succeeded);
            Assert.True((await users.AddToRoleAsync(admin, "Administrator")).Succeeded);
            admin.EmailConfirmed = true;
            return await users.UpdateAsync(admin);
        });

        using var response = await PushAsync(admin.Id);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("excluded_role", error.GetProperty("error").GetString());
        Assert.Contains("'Administrator'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(await PushesForAsync(admin.Id));
        Assert.DoesNotContain(Site.Shopify.Customers, c => c.Profile.Email == "staff@example.com");
    }

    [Fact]
    public async Task A_user_who_did_not_confirm_the_email_is_not_pushed_until_confirming()
    {
        Site.Shopify.Seed(7_100_000_001, new CustomerProfile("Theo", "Johnson", "theo@example.com", "+447700900004"), DateTimeOffset.Parse("2025-07-01T14:37:24-04:00", CultureInfo.InvariantCulture));
        var theo = new IdentityUser { UserName = "theo", Email = "theo@example.com" };
        Assert.True((await Site.WithUsersAsync(users => users.CreateAsync(theo))).Succeeded);

        using var refused = await PushAsync(theo.Id);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("\"unverified_email\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await PushesForAsync(theo.Id));

        // Confirming the email is a save of the user: it pushes, and the first link keeps Shopify's values.
        await Site.WithUsersAsync(async users =>
        {
            var user = (await users.FindByIdAsync(theo.Id))!;
            user.EmailConfirmed = true;
            return await users.UpdateAsync(user);
        });

        await TestSite.EventuallyAsync(async () => (await PushesForAsync(theo.Id)).SingleOrDefault()?.Status == WorkStatus.Succeeded, "the push after confirming finishes");
        Assert.Equal("linked", Assert.Single(await PushesForAsync(theo.Id)).Outcome);
        Assert.Equal(new CustomerProfile("Theo", "Johnson", "theo@example.com", "+447700900004"), Site.Shopify.Customers.Single(c => c.Id == 7_100_000_001).Profile);
        Assert.Equal("7100000001", await ShopifyIdClaimAsync(theo.Id));
    }

    [Fact]
    public async Task A_customer_deleted_in_shopify_is_not_created_again_by_a_password_change_but_is_by_an_admin_push()
    {
        const long customerId = 1073339480;
        var body = Payload(o =>
        {
            o["id"] = customerId;
            o["email"] = "deleted.later@example.com";
            o["phone"] = "+15142546080";
            o["admin_graphql_api_id"] = $"gid://shopify/Customer/{customerId}";
        });
        Site.Shopify.Seed(customerId, new CustomerProfile("Steve", "Lastnameson", "deleted.later@example.com", "+15142546080"), DateTimeOffset.Parse("2025-07-01T14:37:24-04:00", CultureInfo.InvariantCulture));
        await DeliverAsync("customers/create", "/!/shopify/webhook/customer/create", body, "wh-verified-create");
        var userId = (await Site.WithUsersAsync(users => users.FindByEmailAsync("deleted.later@example.com")))!.Id;
        Assert.Equal(customerId.ToString(CultureInfo.InvariantCulture), await ShopifyIdClaimAsync(userId));

        Site.Shopify.Remove(customerId);
        await DeliverAsync("customers/delete", "/!/shopify/webhook/customer/delete", Encoding.UTF8.GetBytes($$"""{"id":{{customerId}},"admin_graphql_api_id":"gid://shopify/Customer/{{customerId}}","tax_exemptions":[]}"""), "wh-verified-delete");
        Assert.Null(await ShopifyIdClaimAsync(userId));

        // The user changes the password and the phone: ordinary saves.
        await Site.WithUsersAsync(async users =>
        {
            var user = (await users.FindByIdAsync(userId))!;
            Assert.True((await users.AddPasswordAsync(user, "A-long-password-1")).Succeeded);
            return await users.SetPhoneNumberAsync(user, "+15142546081");
        });
        await Task.Delay(500);

        Assert.Empty(await PushesForAsync(userId));
        Assert.DoesNotContain(Site.Shopify.Customers, c => c.Profile.Email == "deleted.later@example.com");
        Assert.Null(await ShopifyIdClaimAsync(userId));

        using var sent = await PushAsync(userId);

        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        await TestSite.EventuallyAsync(async () => (await PushesForAsync(userId)).SingleOrDefault()?.Status == WorkStatus.Succeeded, "the admin's push finishes");
        Assert.Equal("created", Assert.Single(await PushesForAsync(userId)).Outcome);
        var customer = Assert.Single(Site.Shopify.Customers, c => c.Profile.Email == "deleted.later@example.com");
        Assert.Equal(customer.Id.ToString(CultureInfo.InvariantCulture), await ShopifyIdClaimAsync(userId));

        // The merchant deletes that customer too; replaying the administrator's old send later is an ordinary push now,
        // which does not bring the deleted customer back.
        Site.Shopify.Remove(customer.Id);
        await DeliverAsync("customers/delete", "/!/shopify/webhook/customer/delete", Encoding.UTF8.GetBytes($$"""{"id":{{customer.Id}},"admin_graphql_api_id":"gid://shopify/Customer/{{customer.Id}}","tax_exemptions":[]}"""), "wh-verified-delete-2");
        var send = Assert.Single(await PushesForAsync(userId));
        using (var replay = new HttpRequestMessage(HttpMethod.Post, $"/!/shopify/admin/api/deliveries/{send.Id}/replay"))
        {
            replay.Headers.Add("X-Api-Key", TestSite.AdminKey);
            using var replayed = await Site.Http.SendAsync(replay);
            Assert.Equal(HttpStatusCode.Accepted, replayed.StatusCode);
        }

        await TestSite.EventuallyAsync(async () => (await PushesForAsync(userId)).Single().Status == WorkStatus.Succeeded && (await PushesForAsync(userId)).Single().ProcessedAt is not null, "the replay finishes");
        var replayedPush = Assert.Single(await PushesForAsync(userId));
        Assert.NotEqual("created", replayedPush.Outcome);
        Assert.DoesNotContain(Site.Shopify.Customers, c => c.Profile.Email == "deleted.later@example.com");
        Assert.Null(await ShopifyIdClaimAsync(userId));
    }

    private static byte[] Payload(Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(SteveLastnameson.CreatePayload)!.AsObject();
        edit(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private async Task DeliverAsync(string topic, string path, byte[] body, string webhookId)
    {
        using var response = await Site.PostWebhookAsync(path, topic, body, webhookId);
        response.EnsureSuccessStatusCode();
        await TestSite.EventuallyAsync(async () => (await Site.ItemsWithWebhookIdAsync(webhookId)).Single().Status == WorkStatus.Succeeded, $"{topic} is applied");
    }

    private async Task<HttpResponseMessage> PushAsync(string userId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/!/shopify/admin/api/users/{userId}/push");
        request.Headers.Add("X-Api-Key", TestSite.AdminKey);
        return await Site.Http.SendAsync(request);
    }

    private Task<List<WorkItem>> PushesForAsync(string userId) => Site.WorkItemsAsync(q => q.Where(w => w.Kind == WorkKind.OutboundPush && w.UserId == userId));

    private Task<string?> ShopifyIdClaimAsync(string userId) => Site.WithUsersAsync(async users =>
        (await users.GetClaimsAsync((await users.FindByIdAsync(userId))!)).FirstOrDefault(c => c.Type == ShopifyUserClaims.ShopifyId)?.Value);
}
