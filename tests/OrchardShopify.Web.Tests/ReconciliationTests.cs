using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Settings;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

[Collection(SiteCollection.Name)]
public sealed class ReconciliationTests(SiteFixture site)
{
    [BrowserFact]
    public async Task Reconciliation_counts_a_store_lists_a_customer_without_user_and_fixes_it_when_selected()
    {
        // A customer the site skipped while "create users from Shopify" was off.
        var settings = site.Site.Services.GetRequiredService<ShopifySettingsService>();
        var email = $"rosa.{Guid.NewGuid():N}"[..16] + "@example.com";
        long id;
        await settings.SaveAsync(new Dictionary<string, string?> { ["CreateUsersFromShopify"] = "false" }, CancellationToken.None);
        try
        {
            id = await site.CreateCustomerInShopifyAsync("us-demo.myshopify.com", new { first_name = "Rosalind", last_name = "Franklin", email });
            await SiteFixture.EventuallyAsync(
                async () => (await site.SyncAdmin.GetLogAsync(new(Store: "us", Topic: "customers/create"), CancellationToken.None)).Any(e => e.CustomerId == id && e.Outcome == "skipped"),
                "the customer is skipped");
        }
        finally
        {
            await settings.SaveAsync(new Dictionary<string, string?> { ["CreateUsersFromShopify"] = "true" }, CancellationToken.None);
        }

        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        await admin.GotoAsync("/admin/reconcile");
        var section = admin.Locator("#reconcile-us");
        await section.Locator("button", new() { HasTextString = "Compare us" }).ClickAsync();
        await section.And(admin.Locator("[data-status=succeeded]")).WaitForAsync(new() { Timeout = 60_000 });

        var shopifyCount = site.Emulator.Shops["us-demo.myshopify.com"].Snapshot().Count;
        Assert.Equal(shopifyCount.ToString(System.Globalization.CultureInfo.InvariantCulture), await section.Locator("td[data-count=shopify]").InnerTextAsync());
        var row = section.Locator($"tr[data-kind=CustomerWithoutUser][data-customer='{id}']");
        Assert.Equal(1, await row.CountAsync());
        await SiteFixture.ScreenshotAsync(admin, "admin-reconciliation");

        await row.Locator("input[type=checkbox]").CheckAsync();
        await section.Locator("button", new() { HasTextString = "Fix selected" }).ClickAsync();
        Assert.Contains($"CustomerWithoutUser {id}", await admin.Locator(".flash").InnerTextAsync(), StringComparison.Ordinal);

        await SiteFixture.EventuallyAsync(
            async () =>
            {
                await admin.GotoAsync("/admin/customers?q=" + Uri.EscapeDataString(email));
                return await admin.Locator($"tr[data-email='{email}'] td[data-store=us] .linked").CountAsync() == 1;
            },
            "the fixed customer is a linked user");
    }
}
