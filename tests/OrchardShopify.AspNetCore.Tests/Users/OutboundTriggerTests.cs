using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Users;

namespace OrchardShopify.AspNetCore.Tests.Users;

public sealed class OutboundTriggerTests(OutboundSiteFixture fixture) : IClassFixture<OutboundSiteFixture>
{
    private TestSite Site => fixture.Site;

    [Fact]
    public async Task Inbound_writes_do_not_push_but_a_UserManager_update_does()
    {
        var steveId = await SteveLastnameson.ArriveAsync(Site, "wh-outbound-steve");

        Assert.Empty(await Site.WorkItemsAsync(q => q.Where(w => w.Kind == WorkKind.OutboundPush && w.UserId == steveId)));
        Assert.DoesNotContain(Site.Shopify.Calls, c => c.Contains(SteveLastnameson.Email, StringComparison.Ordinal) || c.StartsWith($"update {SteveLastnameson.CustomerId}", StringComparison.Ordinal));

        await Site.WithUsersAsync(async users =>
        {
            var steve = await users.FindByIdAsync(steveId);
            return await users.SetPhoneNumberAsync(steve!, "+15145550199");
        });

        await TestSite.EventuallyAsync(
            async () => (await Site.WorkItemsAsync(q => q.Where(w => w.Kind == WorkKind.OutboundPush && w.UserId == steveId))).SingleOrDefault()?.Status == WorkStatus.Succeeded,
            "the push finishes");
        Assert.Equal("+15145550199", Site.Shopify.Customers.Single(c => c.Id == SteveLastnameson.CustomerId).Profile.Phone);
        Assert.Contains($"update {SteveLastnameson.CustomerId} Phone", Site.Shopify.Calls);
        var push = Assert.Single(await Site.WorkItemsAsync(q => q.Where(w => w.Kind == WorkKind.OutboundPush && w.UserId == steveId)));
        Assert.Equal((WorkStatus.Succeeded, "updated"), (push.Status, push.Outcome));
    }

    [Fact]
    public async Task Failing_push_retries_then_dead_letters_and_a_replay_delivers_it()
    {
        Site.Shopify.Failing = true;
        var ada = new IdentityUser { UserName = "ada@example.com", Email = "ada@example.com", EmailConfirmed = true };
        Assert.True((await Site.WithUsersAsync(users => users.CreateAsync(ada))).Succeeded);

        await TestSite.EventuallyAsync(
            async () => (await PushesForAsync(ada.Id)).SingleOrDefault()?.Status == WorkStatus.DeadLetter,
            "the push is dead-lettered");
        var dead = Assert.Single(await PushesForAsync(ada.Id));
        Assert.Equal(3, dead.Attempts);
        Assert.Contains("503 Service Unavailable", dead.LastError, StringComparison.Ordinal);
        Assert.Equal(3, Site.Shopify.Calls.Count(c => c == "find-email ada@example.com"));

        var health = await Site.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.True((int)health.Entries["shopify-sync"].Data["dead_letters"] >= 1);

        using var listed = await AdminGetAsync("/!/shopify/admin/api/deliveries?status=deadletter");
        Assert.Contains($"\"id\":{dead.Id},", await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Site.Shopify.Failing = false;
        using var replay = new HttpRequestMessage(HttpMethod.Post, $"/!/shopify/admin/api/deliveries/{dead.Id}/replay");
        replay.Headers.Add("X-Api-Key", TestSite.AdminKey);
        using var replayed = await Site.Http.SendAsync(replay);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, replayed.StatusCode);
        await TestSite.EventuallyAsync(async () => (await PushesForAsync(ada.Id)).Single().Status == WorkStatus.Succeeded, "the replayed push succeeds");
        var customer = Assert.Single(Site.Shopify.Customers, c => c.Profile.Email == "ada@example.com");
        var claims = await Site.WithUsersAsync(async users => await users.GetClaimsAsync((await users.FindByIdAsync(ada.Id))!));
        Assert.Contains(claims, c => c.Type == ShopifyUserClaims.ShopifyId && c.Value == customer.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Admin_push_sends_one_user_to_shopify_now()
    {
        var grace = new IdentityUser { UserName = "grace@example.com", Email = "grace@example.com", EmailConfirmed = true };
        await Site.WithUsersAsync(users => users.CreateAsync(grace));
        await TestSite.EventuallyAsync(async () => (await PushesForAsync(grace.Id)).All(p => p.Status == WorkStatus.Succeeded), "the creation push finishes");

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/!/shopify/admin/api/users/{grace.Id}/push");
        request.Headers.Add("X-Api-Key", TestSite.AdminKey);
        using var response = await Site.Http.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        await TestSite.EventuallyAsync(async () => (await PushesForAsync(grace.Id)).Count(p => p.Status == WorkStatus.Succeeded) == 2, "the admin's push finishes");
        Assert.Single(Site.Shopify.Customers, c => c.Profile.Email == "grace@example.com");
    }

    private Task<List<WorkItem>> PushesForAsync(string userId) => Site.WorkItemsAsync(q => q.Where(w => w.Kind == WorkKind.OutboundPush && w.UserId == userId));

    private Task<HttpResponseMessage> AdminGetAsync(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-Api-Key", TestSite.AdminKey);
        return Site.Http.SendAsync(request);
    }
}
