using System.Net;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Emulator.Webhooks;

namespace OrchardShopify.AspNetCore.Tests.Signals;

/// <summary>
/// Segments to roles over the emulator and ASP.NET Core Identity: a tag added to the customer in Shopify grants the
/// mapped Identity role through the signed webhook, removing it revokes the role, a role outside the map stays, and the
/// import grants roles to the users it creates.
/// </summary>
public sealed class TagRoleTests
{
    private static void Map(Dictionary<string, string?> settings)
    {
        settings["Shopify:TagRoles:0:Tag"] = "wholesale";
        settings["Shopify:TagRoles:0:Role"] = "Wholesale";
        settings["Shopify:TagRoles:1:Tag"] = "vip";
        settings["Shopify:TagRoles:1:Role"] = "Not-Created";
        settings["Shopify:CatchUp:Enabled"] = "false";
    }

    [Fact]
    public async Task A_tag_added_in_Shopify_grants_the_role_removing_it_revokes_it_and_an_unmapped_role_stays()
    {
        await using var env = await EmulatorSite.StartAsync(3, Map);
        await CreateRolesAsync(env, "Wholesale", "Editor");
        var customer = env.Shop.Snapshot()[0];
        await DeliverAsync(env, customer.Id, "customers/create", "wh-role-create");
        var userId = await env.Site.WithUsersAsync(async u => (await u.FindByEmailAsync(customer.Email!))!.Id);
        await env.Site.WithUsersAsync(async u => await u.AddToRoleAsync((await u.FindByIdAsync(userId))!, "Editor"));
        Assert.Equal(["Editor"], await RolesAsync(env, userId));

        Assert.Empty(env.Shop.Update(customer.Id, new Dictionary<string, object?> { ["tags"] = new List<object?> { "Wholesale", "vip" } }).Errors);
        await DeliverAsync(env, customer.Id, "customers/update", "wh-role-tagged");
        Assert.Equal(["Editor", "Wholesale"], await RolesAsync(env, userId));

        Assert.Empty(env.Shop.Update(customer.Id, new Dictionary<string, object?> { ["tags"] = new List<object?> { "vip" } }).Errors);
        await DeliverAsync(env, customer.Id, "customers/update", "wh-role-untagged");
        Assert.Equal(["Editor"], await RolesAsync(env, userId));
    }

    [Fact]
    public async Task Unlinking_the_customer_revokes_the_roles_its_tags_granted_and_keeps_the_user_and_its_other_roles()
    {
        await using var env = await EmulatorSite.StartAsync(3, Map);
        await CreateRolesAsync(env, "Wholesale", "Editor");
        var deleted = env.Shop.Snapshot()[0];
        var unlinked = env.Shop.Snapshot()[1];
        foreach (var (customer, name) in new[] { (deleted, "deleted"), (unlinked, "unlinked") })
        {
            Assert.Empty(env.Shop.Update(customer.Id, new Dictionary<string, object?> { ["tags"] = new List<object?> { "wholesale" } }).Errors);
            await DeliverAsync(env, customer.Id, "customers/create", $"wh-role-{name}-create");
        }

        var deletedUser = await env.Site.WithUsersAsync(async u => (await u.FindByEmailAsync(deleted.Email!))!.Id);
        var unlinkedUser = await env.Site.WithUsersAsync(async u => (await u.FindByEmailAsync(unlinked.Email!))!.Id);
        await env.Site.WithUsersAsync(async u => await u.AddToRoleAsync((await u.FindByIdAsync(deletedUser))!, "Editor"));
        Assert.Equal(["Editor", "Wholesale"], await RolesAsync(env, deletedUser));
        Assert.Equal(["Wholesale"], await RolesAsync(env, unlinkedUser));

        // Shopify deletes one customer: customers/delete unlinks its user, which keeps its own role only.
        await DeliverAsync(env, deleted.Id, "customers/delete", "wh-role-deleted-delete");
        Assert.Equal(["Editor"], await RolesAsync(env, deletedUser));

        // An administrator unlinks the other user from its customer.
        var result = await env.AdminJsonAsync(HttpMethod.Post, "/links/unlink?store=uk", new { userId = unlinkedUser });
        Assert.Equal("unlinked", result.GetProperty("outcome").GetString());
        Assert.Empty(await RolesAsync(env, unlinkedUser));
        Assert.NotNull(await env.Site.WithUsersAsync(async u => await u.FindByIdAsync(deletedUser)));
        Assert.NotNull(await env.Site.WithUsersAsync(async u => await u.FindByIdAsync(unlinkedUser)));
    }

    [Fact]
    public async Task The_import_grants_the_role_to_the_users_it_creates_from_tagged_customers()
    {
        await using var env = await EmulatorSite.StartAsync(4, Map);
        await CreateRolesAsync(env, "Wholesale");
        var tagged = env.Shop.Snapshot()[2];
        var other = env.Shop.Snapshot()[3];
        Assert.Empty(env.Shop.Update(tagged.Id, new Dictionary<string, object?> { ["tags"] = new List<object?> { "wholesale" } }).Errors);
        Assert.Empty(env.Shop.Update(other.Id, new Dictionary<string, object?> { ["tags"] = new List<object?> { "retail" } }).Errors);

        var import = await env.WaitForJobAsync($"/import/{(await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk")).GetProperty("id").GetString()}");
        Assert.Equal("succeeded", import.GetProperty("status").GetString());

        Assert.Equal(["Wholesale"], await RolesAsync(env, await env.Site.WithUsersAsync(async u => (await u.FindByEmailAsync(tagged.Email!))!.Id)));
        Assert.Empty(await RolesAsync(env, await env.Site.WithUsersAsync(async u => (await u.FindByEmailAsync(other.Email!))!.Id)));
    }

    private static async Task CreateRolesAsync(EmulatorSite env, params string[] roles)
    {
        await using var scope = env.Site.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in roles)
        {
            Assert.True((await manager.CreateAsync(new IdentityRole(role))).Succeeded);
        }
    }

    private static Task<List<string>> RolesAsync(EmulatorSite env, string userId) =>
        env.Site.WithUsersAsync(async u => (await u.GetRolesAsync((await u.FindByIdAsync(userId))!)).Order(StringComparer.Ordinal).ToList());

    private static async Task DeliverAsync(EmulatorSite env, long customerId, string topic, string webhookId)
    {
        var body = WebhookPayloads.CustomerBody(env.Shop, topic, env.Shop.Find(customerId)!);
        using var response = await env.Site.PostWebhookAsync("/!/shopify/webhook/customer/" + topic["customers/".Length..], topic, body, webhookId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await TestSite.EventuallyAsync(
            async () => (await env.Site.ItemsWithWebhookIdAsync(webhookId)).SingleOrDefault()?.Status == OrchardShopify.AspNetCore.Persistence.WorkStatus.Succeeded,
            $"{webhookId} is applied");
    }
}
