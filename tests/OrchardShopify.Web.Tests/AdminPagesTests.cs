using System.Net;
using Microsoft.Playwright;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

[Collection(SiteCollection.Name)]
public sealed class AdminPagesTests(SiteFixture site)
{
    [BrowserFact]
    public async Task Send_to_shopify_refuses_the_administrator_and_says_why()
    {
        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        await admin.GotoAsync("/admin/customers?q=" + Uri.EscapeDataString(SiteFixture.AdminEmail));
        var row = admin.Locator($"table.customers tr[data-email='{SiteFixture.AdminEmail}']");

        await row.Locator("button", new() { HasTextString = "Send to Shopify" }).ClickAsync();

        var flash = await admin.Locator(".flash").InnerTextAsync();
        Assert.StartsWith($"{SiteFixture.AdminEmail} was not sent to Shopify:", flash, StringComparison.Ordinal);
        Assert.Contains("'Administrator'", flash, StringComparison.Ordinal);
        Assert.Equal(["not linked", "not linked"], await row.Locator("td.link").AllInnerTextsAsync());
        Assert.Null(site.Emulator.Shops["uk-demo.myshopify.com"].FindByEmail(SiteFixture.AdminEmail));
        Assert.Null(site.Emulator.Shops["us-demo.myshopify.com"].FindByEmail(SiteFixture.AdminEmail));
    }

    [BrowserFact]
    public async Task A_customer_created_in_shopify_appears_as_a_linked_user_without_any_manual_step()
    {
        var email = $"alan.{Guid.NewGuid():N}"[..17] + "@example.com";
        var customerId = await site.CreateCustomerInShopifyAsync("us-demo.myshopify.com", new { first_name = "Alan", last_name = "Turing", email });

        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        var row = admin.Locator($"table.customers tr[data-email='{email}']");
        await SiteFixture.EventuallyAsync(
            async () =>
            {
                await admin.GotoAsync("/admin/customers?q=" + Uri.EscapeDataString(email));
                return await row.CountAsync() == 1 && await row.Locator("td[data-store=us] .linked").CountAsync() == 1;
            },
            "the admin's customer list shows the new user linked in us");
        Assert.Equal(customerId.ToString(System.Globalization.CultureInfo.InvariantCulture), await row.Locator("td[data-store=us] .linked").InnerTextAsync());
        Assert.Equal("not linked", await row.Locator("td[data-store=uk]").InnerTextAsync());

        // Send to Shopify: the user is created in uk and the page says so (or, on a busy machine, that it is still queued).
        await row.Locator("button", new() { HasTextString = "Send to Shopify" }).ClickAsync();
        var flash = await admin.Locator(".flash").InnerTextAsync();
        Assert.StartsWith($"Sent {email} to Shopify.", flash, StringComparison.Ordinal);
        Assert.True(flash.Contains("uk: created", StringComparison.Ordinal) || flash.Contains("uk: queued, not finished yet", StringComparison.Ordinal), flash);
        Assert.Contains("us: ", flash, StringComparison.Ordinal);
        await SiteFixture.EventuallyAsync(
            async () =>
            {
                await admin.GotoAsync("/admin/customers?q=" + Uri.EscapeDataString(email));
                return await admin.Locator($"table.customers tr[data-email='{email}'] td[data-store=uk] .linked").CountAsync() == 1;
            },
            "the user is linked in uk");
        Assert.NotNull(site.Emulator.Shops["uk-demo.myshopify.com"].FindByEmail(email));
        var push = (await site.SyncAdmin.GetLogAsync(new(Store: "uk", Topic: "user/push", Take: 200), CancellationToken.None)).First(e => e.CustomerId == site.Emulator.Shops["uk-demo.myshopify.com"].FindByEmail(email)!.Id);
        Assert.Equal("created", push.Outcome);

        await admin.GotoAsync("/admin/customers");
        await SiteFixture.ScreenshotAsync(admin, "admin-customers");

        // The dashboard's chart counts this hour's deliveries and pushes per store.
        await admin.GotoAsync("/admin");
        var okThisHour = await admin.Locator("figure.chart[data-store=us] g.hour").Last.GetAttributeAsync("data-ok");
        Assert.True(int.Parse(okThisHour!, System.Globalization.CultureInfo.InvariantCulture) > 0, "the current hour of us has deliveries");
        Assert.Equal(24, await admin.Locator("figure.chart[data-store=uk] g.hour").CountAsync());
        await SiteFixture.ScreenshotAsync(admin, "admin-dashboard");
        await admin.GotoAsync("/admin/log");
        await SiteFixture.ScreenshotAsync(admin, "admin-sync-log");
    }

    [BrowserFact]
    public async Task A_non_admin_gets_no_admin_page()
    {
        var anonymous = await site.NewPageAsync();
        var response = await anonymous.GotoAsync("/admin/customers");
        Assert.Contains("/account/sign-in", anonymous.Url, StringComparison.Ordinal);
        Assert.Equal(200, response!.Status);

        var grace = await site.SignedInPageAsync("grace@example.com", site.Site.DemoPassword);
        foreach (var path in new[] { "/admin", "/admin/customers", "/admin/log", "/admin/deliveries", "/admin/settings" })
        {
            var denied = await grace.GotoAsync(path);
            Assert.Equal((int)HttpStatusCode.Forbidden, denied!.Status);
            Assert.Contains("/account/access-denied", grace.Url, StringComparison.Ordinal);
            Assert.DoesNotContain("Send to Shopify", await grace.ContentAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await grace.Locator("header a[href='/admin']").CountAsync());
        var json = await grace.APIRequest.GetAsync("/!/shopify/admin/api/links");
        Assert.Equal((int)HttpStatusCode.Forbidden, json.Status);
    }

    [BrowserFact]
    public async Task Admin_forms_refuse_a_post_without_the_antiforgery_token()
    {
        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        var form = admin.APIRequest.CreateFormData();
        form.Set("userId", "any");
        var forged = await admin.APIRequest.PostAsync("/admin/customers?handler=Push", new() { Form = form });
        Assert.Equal((int)HttpStatusCode.BadRequest, forged.Status);

        // The same form sent from the page carries its token and is accepted.
        await admin.GotoAsync("/admin/customers?q=grace");
        await admin.Locator("button", new() { HasTextString = "Send to Shopify" }).First.ClickAsync();
        Assert.Contains("Sent grace@example.com to Shopify", await admin.Locator(".flash").InnerTextAsync(), StringComparison.Ordinal);
    }

    [BrowserFact]
    public async Task A_customer_with_the_longest_names_shopify_allows_does_not_stretch_the_customers_table()
    {
        var email = $"long.{Guid.NewGuid():N}"[..17] + "@example.com";
        var first = string.Concat(Enumerable.Repeat("Bartholomew", 24))[..255];
        var last = string.Concat(Enumerable.Repeat("Featherstonehaugh", 16))[..255];
        await site.CreateCustomerInShopifyAsync("us-demo.myshopify.com", new { first_name = first, last_name = last, email });

        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        var row = admin.Locator($"table.customers tr[data-email='{email}']");
        await SiteFixture.EventuallyAsync(
            async () =>
            {
                await admin.GotoAsync("/admin/customers?q=" + Uri.EscapeDataString(email));
                return await row.CountAsync() == 1;
            },
            "the long-named customer is listed");

        var name = row.Locator("td.name");
        Assert.EndsWith("…", await name.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal($"{first} {last}", await name.GetAttributeAsync("title"));
        var pageWidth = await admin.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(pageWidth <= 1280, $"the page is {pageWidth} px wide in a 1280 px window");
    }
}
