using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

[Collection(SiteCollection.Name)]
public sealed class SettingsTests(SiteFixture site)
{
    [BrowserFact]
    public async Task An_admin_changes_a_setting_it_persists_after_reload_and_applies_at_once()
    {
        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        await admin.GotoAsync("/admin/settings");
        Assert.True(await admin.IsCheckedAsync("input[name='Sync.CreateUsersFromShopify']"));
        await admin.UncheckAsync("input[name='Sync.CreateUsersFromShopify']");
        await admin.SelectOptionAsync("select[name='Sync.NameSplitRule']", "LastFirst");
        await admin.ClickAsync("#sync-settings button[type=submit]");
        Assert.Contains("Settings saved", await admin.Locator(".flash").InnerTextAsync(), StringComparison.Ordinal);

        await admin.ReloadAsync();
        Assert.False(await admin.IsCheckedAsync("input[name='Sync.CreateUsersFromShopify']"));
        Assert.Equal("LastFirst", await admin.InputValueAsync("select[name='Sync.NameSplitRule']"));
        await SiteFixture.ScreenshotAsync(admin, "admin-settings");

        try
        {
            // Without a restart: a new Shopify customer no longer becomes a user.
            var email = $"ada.{Guid.NewGuid():N}"[..16] + "@example.com";
            var id = await site.CreateCustomerInShopifyAsync("uk-demo.myshopify.com", new { first_name = "Nobody", last_name = "Known", email });
            await SiteFixture.EventuallyAsync(
                async () => (await site.SyncAdmin.GetLogAsync(new(Store: "uk", Topic: "customers/create"), CancellationToken.None)).Any(e => e.CustomerId == id),
                "the customers/create webhook is applied");
            var entry = (await site.SyncAdmin.GetLogAsync(new(Store: "uk", Topic: "customers/create"), CancellationToken.None)).First(e => e.CustomerId == id);
            Assert.Equal("skipped", entry.Outcome);
            Assert.Null(entry.UserId);
            await admin.GotoAsync("/admin/customers?q=" + Uri.EscapeDataString(email));
            Assert.Equal(0, await admin.Locator("table.customers tbody tr").CountAsync());
        }
        finally
        {
            await admin.GotoAsync("/admin/settings");
            await admin.CheckAsync("input[name='Sync.CreateUsersFromShopify']");
            await admin.SelectOptionAsync("select[name='Sync.NameSplitRule']", "FirstLast");
            await admin.ClickAsync("#sync-settings button[type=submit]");
            await admin.Locator(".flash").WaitForAsync();
        }

        Assert.True(await admin.IsCheckedAsync("input[name='Sync.CreateUsersFromShopify']"));
    }

    [BrowserFact]
    public async Task Store_secrets_are_write_only_and_test_connection_uses_the_saved_token_at_once()
    {
        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        await admin.GotoAsync("/admin/settings");
        var us = admin.Locator("form.store-form[data-store=us]");
        Assert.Equal("(set)", await us.Locator("[data-secret=AccessToken]").InnerTextAsync());
        var html = await admin.ContentAsync();
        Assert.DoesNotContain(site.Emulator.Options.AccessToken, html, StringComparison.Ordinal);
        Assert.DoesNotContain(site.Emulator.Options.WebhookSecret, html, StringComparison.Ordinal);

        await us.Locator("button", new() { HasTextString = "Test connection" }).ClickAsync();
        Assert.Contains("us: connected to", await admin.Locator(".flash").InnerTextAsync(), StringComparison.Ordinal);

        try
        {
            await us.Locator("input[name='Store.AccessToken']").FillAsync("shpat_wrong_token");
            await us.Locator("button", new() { HasTextString = "Save us" }).ClickAsync();
            Assert.Contains("Store us saved", await admin.Locator(".flash").InnerTextAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain("shpat_wrong_token", await admin.ContentAsync(), StringComparison.Ordinal);
            Assert.Equal(string.Empty, await us.Locator("input[name='Store.AccessToken']").InputValueAsync());

            // Only the token was saved on the site: the store's domain and Enabled keep following configuration.
            var savedOnSite = site.Site.Services.GetRequiredService<OrchardShopify.AspNetCore.Settings.ShopifySettingsService>().Get().SavedOnSite;
            Assert.Equal(["Stores:us:AccessToken"], savedOnSite.Where(k => k.StartsWith("Stores:us:", StringComparison.OrdinalIgnoreCase)));

            await us.Locator("button", new() { HasTextString = "Test connection" }).ClickAsync();
            Assert.Contains("us: the connection failed", await admin.Locator(".flash").InnerTextAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await admin.GotoAsync("/admin/settings");
            await us.Locator("button", new() { HasTextString = "Forget values saved here" }).ClickAsync();
            await admin.Locator(".flash").WaitForAsync();
        }

        await us.Locator("button", new() { HasTextString = "Test connection" }).ClickAsync();
        Assert.Contains("us: connected to", await admin.Locator(".flash").InnerTextAsync(), StringComparison.Ordinal);

        await us.Locator("button", new() { HasTextString = "Register webhooks" }).ClickAsync();
        var registered = await admin.Locator(".flash").InnerTextAsync();
        Assert.Contains("us: webhooks to " + new Uri(site.BaseUrl, "/!/shopify/webhook"), registered, StringComparison.Ordinal);
        Assert.Contains("already registered: CUSTOMERS_CREATE", registered, StringComparison.Ordinal);
    }
    [BrowserFact]
    public async Task Test_connection_and_register_webhooks_say_what_protected_customer_data_to_request_with_a_link()
    {
        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        await admin.GotoAsync("/admin/settings");
        var uk = admin.Locator("form.store-form[data-store=uk]");
        var subscriptions = site.Emulator.State.Subscriptions.ForShop("uk-demo.myshopify.com").Count;
        site.Emulator.SetFaults(new OrchardShopify.Emulator.Control.FaultSettings { ProtectedCustomerData = OrchardShopify.Emulator.Control.ProtectedCustomerDataAccess.NotApproved });
        try
        {
            await uk.Locator("button", new() { HasTextString = "Test connection" }).ClickAsync();
            var tested = await admin.Locator(".flash").InnerTextAsync();
            Assert.StartsWith("Store uk: Shopify has not approved this app for protected customer data, so it refuses customers' names, emails, phone numbers and addresses.", tested, StringComparison.Ordinal);
            Assert.DoesNotContain("This app is not approved", tested, StringComparison.Ordinal);
            Assert.Equal("https://shopify.dev/docs/apps/launch/protected-customer-data", await admin.Locator(".flash a[data-help=protected-customer-data]").GetAttributeAsync("href"));

            // The site's callback already has uk's subscriptions: removed in Shopify, they cannot come back.
            foreach (var subscription in site.Emulator.State.Subscriptions.ForShop("uk-demo.myshopify.com").ToList())
            {
                site.Emulator.State.Subscriptions.Remove("uk-demo.myshopify.com", subscription.Id);
            }

            await uk.Locator("button", new() { HasTextString = "Register webhooks" }).ClickAsync();
            var refused = await admin.Locator(".flash").InnerTextAsync();
            Assert.StartsWith("Store uk: Shopify has not approved this app for protected customer data, so it refuses the customer webhooks", refused, StringComparison.Ordinal);
            Assert.Equal(1, await admin.Locator(".flash a[data-help=protected-customer-data]").CountAsync());
            Assert.Empty(site.Emulator.State.Subscriptions.ForShop("uk-demo.myshopify.com"));
        }
        finally
        {
            site.Emulator.SetFaults(new OrchardShopify.Emulator.Control.FaultSettings());
            await admin.GotoAsync("/admin/settings");
            await uk.Locator("button", new() { HasTextString = "Register webhooks" }).ClickAsync();
            await admin.Locator(".flash").WaitForAsync();
        }

        Assert.Equal(subscriptions, site.Emulator.State.Subscriptions.ForShop("uk-demo.myshopify.com").Count);
    }
}
