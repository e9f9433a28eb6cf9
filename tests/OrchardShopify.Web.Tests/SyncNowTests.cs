using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

[Collection(SiteCollection.Name)]
public sealed class SyncNowTests(SiteFixture site)
{
    [BrowserFact]
    public async Task Sync_now_imports_every_customer_of_a_store_and_shows_the_summary()
    {
        var shop = site.Emulator.Shops["uk-demo.myshopify.com"];
        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        await admin.GotoAsync("/admin/sync");
        var section = admin.Locator("#import-uk");
        await section.Locator("button", new() { HasTextString = "Import customers of uk" }).ClickAsync();

        // The page follows the running import and reloads itself with the summary when it ends.
        await section.And(admin.Locator("[data-status=succeeded]")).WaitForAsync(new() { Timeout = 60_000 });
        var customers = shop.Snapshot();
        long Count(string name) => long.Parse(section.Locator($"td[data-count={name}]").InnerTextAsync().GetAwaiter().GetResult(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(customers.Count, Count("processed"));
        Assert.Equal(Count("processed"), Count("created") + Count("linked") + Count("updated") + Count("unchanged") + Count("skipped") + Count("failed"));
        Assert.True(Count("created") >= 5, "the generated customers become users");
        await SiteFixture.ScreenshotAsync(admin, "admin-sync-now");

        // Every generated customer is now a user linked to it.
        var generated = customers.Where(c => c.Email!.EndsWith("@example.co.uk", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(generated);
        foreach (var customer in generated)
        {
            await admin.GotoAsync("/admin/customers?q=" + Uri.EscapeDataString(customer.Email!));
            Assert.Equal(customer.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), await admin.Locator($"tr[data-email='{customer.Email}'] td[data-store=uk] .linked").InnerTextAsync());
        }
    }
}
