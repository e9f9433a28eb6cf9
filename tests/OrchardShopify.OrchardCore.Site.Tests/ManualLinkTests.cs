using System.Globalization;
using System.Net;
using AngleSharp.Html.Dom;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.Core.Ports;
using OrchardShopify.OrchardCore.Site.Tests.Support;

namespace OrchardShopify.OrchardCore.Site.Tests;

/// <summary>Unlink and link a user and a Shopify customer from the user editor, as an administrator does.</summary>
public sealed class ManualLinkTests(ConfiguredSiteFixture site) : SiteTest<ConfiguredSiteFixture>(site), IClassFixture<ConfiguredSiteFixture>
{
    [Fact]
    public async Task The_user_editor_unlinks_keeping_both_sides_refuses_a_mismatched_link_and_links_with_the_recorded_override()
    {
        // Pushes are on: the new member becomes a Shopify customer, linked to it.
        const string email = "mira.link@example.com";
        var userId = await Site.CreateMemberAsync("mira-link", email, "Mira-pass-1!");
        var linked = await OrchardSiteFixture.EventuallyAsync(() => Site.FindUserByEmailAsync(email), u => ShopifyId(u) is not null, "the pushed member linked");
        var first = ShopifyId(linked)!.Value;
        var shop = Site.Emulator.Shops[OrchardSiteFixture.UkDomain];

        using var browser = Site.NewBrowser();
        await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);
        var editor = await browser.GetAsync($"/Admin/Users/Edit/{userId}");
        var unlink = (IHtmlElement)editor.Document.QuerySelector("button[name='ShopifyUnlink.Store']")!;

        // Enter in a field of the user form submits it with its first submit button: that must be a Save, never Unlink or Link.
        var defaultButton = editor.FormOf("button[name='ShopifyUnlink.Store']").QuerySelectorAll("button, input[type=submit]")
            .First(b => b is IHtmlButtonElement { Type: "submit" } || b is IHtmlInputElement);
        Assert.False(defaultButton.HasAttribute("formaction"), $"Enter would post to {defaultButton.GetAttribute("formaction")}");
        var unlinked = await browser.SubmitAsync(editor.FormOf("button[name='ShopifyUnlink.Store']"), submitter: unlink);

        Assert.Equal(HttpStatusCode.OK, unlinked.Status);
        Assert.Contains($"Unlinked by {OrchardSiteFixture.AdminUserName}; the user and Shopify customer {first} both remain.", unlinked.Document.Body!.TextContent, StringComparison.Ordinal);
        Assert.Null(ShopifyId(await Site.FindUserByEmailAsync(email)));
        Assert.Empty(await LinksAsync(userId));
        Assert.Equal(email, shop.Find(first)?.Email);

        // Another customer of the store, with another email: refused without the override, linked with it.
        var (other, errors, _) = shop.Create(new Dictionary<string, object?> { ["firstName"] = "Mira", ["email"] = "mira.elsewhere@example.com" });
        Assert.Empty(errors);
        var id = other!.Id.ToString(CultureInfo.InvariantCulture);
        var refused = await LinkAsync(browser, userId, id, overrideCheck: false);
        Assert.Contains($"Not linked: The email of user {userId} is not the customer", refused.Document.Body!.TextContent, StringComparison.Ordinal);
        Assert.Empty(await LinksAsync(userId));

        var forced = await LinkAsync(browser, userId, id, overrideCheck: true);
        Assert.Contains($"Linked by {OrchardSiteFixture.AdminUserName} with the override", forced.Document.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(other.Id, ShopifyId(await Site.FindUserByEmailAsync(email)));
        Assert.Equal([other.Id], (await LinksAsync(userId)).Select(l => l.CustomerId));
        var entry = await Site.InTenantAsync(async services => (await services.GetRequiredService<ShopifySyncAdmin>()
            .GetLogAsync(new SyncLogQuery(Topic: "admin/link", UserId: userId), CancellationToken.None)).Single());
        Assert.Equal(("linked_override", other.Id), (entry.Outcome, entry.CustomerId));
        Assert.Contains(OrchardSiteFixture.AdminUserName, entry.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shop_manager_with_only_the_sync_permission_cannot_unlink_or_link_an_account_it_may_not_edit()
    {
        const string email = "vera.link@example.com";
        var userId = await Site.CreateMemberAsync("vera-link", email, "Vera-pass-1!");
        var linked = await OrchardSiteFixture.EventuallyAsync(() => Site.FindUserByEmailAsync(email), u => ShopifyId(u) is not null, "the pushed member linked");
        var customer = ShopifyId(linked)!.Value;

        // The actions the user editor's buttons post to, as the administrator's editor names them.
        using var admin = Site.NewBrowser();
        await admin.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);
        var editor = await admin.GetAsync($"/Admin/Users/Edit/{userId}");
        var unlinkAction = editor.Document.QuerySelector("button[name='ShopifyUnlink.Store']")!.GetAttribute("formaction")!;
        var linkAction = editor.Document.QuerySelector(".shopify-link button, button[formaction*='LinkCustomer']:not([name='ShopifyUnlink.Store'])")?.GetAttribute("formaction")
            ?? unlinkAction.Replace("UnlinkCustomer", "LinkCustomer", StringComparison.Ordinal);

        // A shop manager: may reach the admin and manage the sync, may not edit users.
        await Site.InTenantAsync(async services =>
        {
            var role = new global::OrchardCore.Security.Role { RoleName = "ShopManager", RoleDescription = "Manages the Shopify sync" };
            role.RoleClaims.Add(new global::OrchardCore.Security.RoleClaim { ClaimType = global::OrchardCore.Security.Permissions.Permission.ClaimType, ClaimValue = "AccessAdminPanel" });
            role.RoleClaims.Add(new global::OrchardCore.Security.RoleClaim { ClaimType = global::OrchardCore.Security.Permissions.Permission.ClaimType, ClaimValue = global::OrchardShopify.OrchardCore.ShopifySyncPermissions.ManageShopifySync.Name });
            Assert.True((await services.GetRequiredService<Microsoft.AspNetCore.Identity.RoleManager<global::OrchardCore.Security.IRole>>().CreateAsync(role)).Succeeded);
            return true;
        });
        var managerId = await Site.CreateMemberAsync("sam-manager", "sam.manager@example.com", "Sam-pass-1!");
        await Site.InTenantAsync(async services =>
        {
            var users = services.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<global::OrchardCore.Users.IUser>>();
            Assert.True((await users.AddToRoleAsync((await users.FindByIdAsync(managerId))!, "ShopManager")).Succeeded);
            return true;
        });

        using var manager = Site.NewBrowser();
        await manager.SignInAsync("sam-manager", "Sam-pass-1!");
        // The admin's own forms (its sign-out) carry the manager's antiforgery token.
        var dashboard = await manager.GetAsync("/Admin");
        Assert.Equal(HttpStatusCode.OK, dashboard.Status);
        var token = dashboard.Document.QuerySelector("input[name='__RequestVerificationToken']")?.GetAttribute("value");
        Assert.False(string.IsNullOrEmpty(token), dashboard.Address + Environment.NewLine + dashboard.Html[..Math.Min(2000, dashboard.Html.Length)]);

        foreach (var (action, fields) in new[]
        {
            (unlinkAction, new Dictionary<string, string> { ["ShopifyUnlink.Store"] = "uk" }),
            (linkAction, new Dictionary<string, string> { ["ShopifyLink.Store"] = "uk", ["ShopifyLink.CustomerId"] = customer.ToString(CultureInfo.InvariantCulture), ["ShopifyLink.Override"] = "true" }),
        })
        {
            fields["__RequestVerificationToken"] = token!;
            using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri("http://localhost/"), action)) { Content = new FormUrlEncodedContent(fields) };
            post.Headers.TryAddWithoutValidation("Origin", "http://localhost");
            using var response = await manager.Http.SendAsync(post);

            // Refused: Orchard Core's answer to a forbidden admin request, never the editor with a notice.
            var location = response.Headers.Location?.ToString() ?? "";
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden || location.Contains("AccessDenied", StringComparison.OrdinalIgnoreCase) || location.Contains("/Error/403", StringComparison.OrdinalIgnoreCase), $"{action}: {(int)response.StatusCode} {location}");
        }

        Assert.Equal(customer, ShopifyId(await Site.FindUserByEmailAsync(email)));
        Assert.Equal([customer], (await LinksAsync(userId)).Select(l => l.CustomerId));
        var manual = await Site.InTenantAsync(async services => (await services.GetRequiredService<ShopifySyncAdmin>()
            .GetLogAsync(new SyncLogQuery(UserId: userId, Take: 100), CancellationToken.None)).Where(e => e.Topic is "admin/link" or "admin/unlink").ToList());
        Assert.Empty(manual);
    }

    private static async Task<SitePage> LinkAsync(SiteBrowser browser, string userId, string customerId, bool overrideCheck)
    {
        var editor = await browser.GetAsync($"/Admin/Users/Edit/{userId}");
        var button = editor.Document.QuerySelectorAll(".shopify-link button").OfType<IHtmlElement>().Single();
        return await browser.SubmitAsync(
            editor.FormOf("input[name='ShopifyLink.CustomerId']"),
            new Dictionary<string, string>
            {
                ["ShopifyLink.CustomerId"] = customerId,
                ["ShopifyLink.Override"] = overrideCheck ? "true" : "false",
            },
            button);
    }

    private static long? ShopifyId(global::OrchardCore.Users.Models.User? user)
        => user?.Properties["ShopifyUserPart"]?["shopify_id"] is { } id ? (long)id : null;

    private Task<IReadOnlyList<CustomerLink>> LinksAsync(string userId)
        => Site.InTenantAsync(services => services.GetRequiredService<ICustomerLinkStore>().FindByUserAsync(userId, CancellationToken.None));
}
