using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.Core.Ports;
using OrchardShopify.Web.Identity;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

/// <summary>The customers page's bulk "Send to Shopify" and manual link / unlink, driven through their forms in Chromium.</summary>
[Collection(SiteCollection.Name)]
public sealed class OperatorToolsTests(SiteFixture site)
{
    private const string Uk = "uk-demo.myshopify.com";

    [BrowserFact]
    public async Task Bulk_send_from_the_customers_page_sends_the_verified_matching_users_and_shows_the_skipped_one()
    {
        var token = "bulk" + Guid.NewGuid().ToString("N")[..8];
        var ann = await AddUserAsync($"{token}.ann@example.com", confirmed: true);
        var bob = await AddUserAsync($"{token}.bob@example.com", confirmed: true);
        var cy = await AddUserAsync($"{token}.cy@example.com", confirmed: false);
        var shop = site.Emulator.Shops[Uk];

        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        await admin.GotoAsync("/admin/customers?q=" + token);
        var form = admin.Locator("#bulk-send-form");
        Assert.Equal(token, await form.Locator("input[name=search]").InputValueAsync());
        await form.Locator("select[name=store]").SelectOptionAsync("uk");
        await form.Locator("select[name=linked]").SelectOptionAsync("no");
        await form.Locator("button", new() { HasTextString = "Send matching users" }).ClickAsync();
        Assert.StartsWith("Sending the matching users to uk", await admin.Locator(".flash").InnerTextAsync(), StringComparison.Ordinal);

        // The page follows the job and reloads itself with the outcome.
        var send = admin.Locator("#send-uk");
        await send.And(admin.Locator("[data-status=succeeded]")).WaitForAsync(new() { Timeout = 60_000 });
        async Task<long> Count(string name) => long.Parse(await send.Locator($"td[data-count={name}]").InnerTextAsync(), CultureInfo.InvariantCulture);
        Assert.Equal(3, await Count("matched"));
        Assert.Equal(2, await Count("queued"));
        Assert.Equal(2, await Count("done"));
        Assert.Equal(0, await Count("failed"));
        Assert.Equal(1, await Count("skipped"));
        Assert.Contains("has not confirmed the email", await send.Locator($"li[data-user='{cy}'][data-reason=unverified_email]").InnerTextAsync(), StringComparison.Ordinal);
        await SiteFixture.ScreenshotAsync(admin, "admin-bulk-send");

        Assert.NotNull(shop.FindByEmail($"{token}.ann@example.com"));
        Assert.NotNull(shop.FindByEmail($"{token}.bob@example.com"));
        Assert.Null(shop.FindByEmail($"{token}.cy@example.com"));
        Assert.Null(site.Emulator.Shops["us-demo.myshopify.com"].FindByEmail($"{token}.ann@example.com"));
        Assert.Equal(shop.FindByEmail($"{token}.ann@example.com")!.Id, (await LinkAsync(ann, "uk"))?.CustomerId);
        Assert.Equal(shop.FindByEmail($"{token}.bob@example.com")!.Id, (await LinkAsync(bob, "uk"))?.CustomerId);
        Assert.Null(await LinkAsync(cy, "uk"));

        // Without the page's antiforgery token the same post is refused and nothing starts.
        var forged = admin.APIRequest.CreateFormData();
        forged.Set("store", "uk");
        forged.Set("search", token);
        var refused = await admin.APIRequest.PostAsync("/admin/customers?handler=Send", new() { Form = forged });
        Assert.Equal((int)HttpStatusCode.BadRequest, refused.Status);
    }

    [BrowserFact]
    public async Task Link_refuses_a_mismatched_email_links_with_the_recorded_override_and_unlink_keeps_both_sides()
    {
        var token = "link" + Guid.NewGuid().ToString("N")[..8];
        var email = $"{token}.site@example.com";
        var userId = await AddUserAsync(email, confirmed: true);

        // Created in the store directly (no webhook reaches the site), so only the form links it.
        var (customer, errors, _) = site.Emulator.Shops[Uk].Create(new Dictionary<string, object?> { ["firstName"] = "Linda", ["email"] = $"{token}.shop@example.com" });
        Assert.Empty(errors);

        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        admin.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        var row = admin.Locator($"table.customers tr[data-email='{email}']");
        var cell = row.Locator("td[data-store=uk]");

        await admin.GotoAsync("/admin/customers?q=" + token);
        await LinkThroughFormAsync(row, customer!.Id, overrideCheck: false);
        var refusal = await admin.Locator(".flash").InnerTextAsync();
        Assert.StartsWith($"Not linked: The email of user {userId} is not the customer's email.", refusal, StringComparison.Ordinal);
        Assert.Equal("not linked", await cell.InnerTextAsync());
        Assert.Null(await LinkAsync(userId, "uk"));

        await LinkThroughFormAsync(row, customer.Id, overrideCheck: true);
        Assert.StartsWith($"Linked by {SiteFixture.AdminEmail} with the override", await admin.Locator(".flash").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(customer.Id.ToString(CultureInfo.InvariantCulture), await cell.Locator(".linked").InnerTextAsync());
        Assert.Equal(customer.Id, (await LinkAsync(userId, "uk"))?.CustomerId);
        var logged = (await site.SyncAdmin.GetLogAsync(new SyncLogQuery(Topic: "admin/link", UserId: userId), CancellationToken.None)).Single();
        Assert.Equal("linked_override", logged.Outcome);
        Assert.Contains(SiteFixture.AdminEmail, logged.Detail, StringComparison.Ordinal);
        await SiteFixture.ScreenshotAsync(admin, "admin-customers-linked");

        await row.Locator("button", new() { HasTextString = "Unlink uk" }).ClickAsync();
        Assert.StartsWith($"Unlinked by {SiteFixture.AdminEmail}", await admin.Locator(".flash").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("not linked", await cell.InnerTextAsync());
        Assert.Null(await LinkAsync(userId, "uk"));
        Assert.NotNull(await FindUserAsync(email));
        Assert.Equal($"{token}.shop@example.com", site.Emulator.Shops[Uk].Find(customer.Id)?.Email);
    }

    private static async Task LinkThroughFormAsync(ILocator row, long customerId, bool overrideCheck)
    {
        await row.Locator("details.link-form summary").ClickAsync();
        await row.Locator("details.link-form select[name=store]").SelectOptionAsync("uk");
        await row.Locator("input[name=customerId]").FillAsync(customerId.ToString(CultureInfo.InvariantCulture));
        if (overrideCheck)
        {
            await row.Locator("input[name=overrideVerification]").CheckAsync();
        }

        await row.Locator("details.link-form button", new() { HasTextString = "Link" }).ClickAsync();
    }

    /// <summary>A user stored straight in the site's database, so no automatic push runs for it: only the tools under test reach Shopify.</summary>
    [BrowserFact]
    public async Task The_customers_search_matches_an_underscore_in_an_email_literally()
    {
        var token = "lit" + Guid.NewGuid().ToString("N")[..8];
        await AddUserAsync($"{token}a_b@example.com", confirmed: true);
        await AddUserAsync($"{token}axb@example.com", confirmed: true);

        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        await admin.GotoAsync("/admin/customers?q=" + Uri.EscapeDataString(token + "a_b"));
        var found = await admin.Locator("tr[data-email]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.email)");

        Assert.Equal([$"{token}a_b@example.com"], found);
    }

    private async Task<string> AddUserAsync(string email, bool confirmed)
    {
        await using var scope = site.Site.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SiteDbContext>();
        var user = new SiteUser
        {
            UserName = email,
            NormalizedUserName = email.ToUpperInvariant(),
            Email = email,
            NormalizedEmail = email.ToUpperInvariant(),
            EmailConfirmed = confirmed,
            SecurityStamp = Guid.NewGuid().ToString("N"),
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    private async Task<SiteUser?> FindUserAsync(string email)
    {
        await using var scope = site.Site.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<SiteUser>>().FindByEmailAsync(email);
    }

    private async Task<CustomerLink?> LinkAsync(string userId, string store)
    {
        await using var scope = site.Site.Services.CreateAsyncScope();
        var links = await scope.ServiceProvider.GetRequiredService<ICustomerLinkStore>().FindByUserAsync(userId, CancellationToken.None);
        return links.FirstOrDefault(l => l.StoreHandle == store);
    }
}
