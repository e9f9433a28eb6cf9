using System.Globalization;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

[Collection(SiteCollection.Name)]
public sealed class DeadLetterTests(SiteFixture site)
{
    [BrowserFact]
    public async Task A_push_that_failed_every_attempt_is_found_inspected_and_replayed_from_the_admin()
    {
        // Someone registers while Shopify answers every call with a server error: the push to each store fails every attempt.
        var email = $"kat.{Guid.NewGuid():N}"[..15] + "@example.com";
        await site.SetShopifyFaultsAsync(new { serverErrorRate = 1.0 });
        try
        {
            var visitor = await site.NewPageAsync();
            await visitor.GotoAsync("/account/register");
            await visitor.FillAsync("input[name=FirstName]", "Katherine");
            await visitor.FillAsync("input[name=LastName]", "Johnson");
            await visitor.FillAsync("input[name=Email]", email);
            await visitor.FillAsync("input[name=Password]", "Register-pass-1");
            await visitor.ClickAsync("form button[type=submit]");
            await SiteFixture.WaitForUrlAsync(visitor, "/account");
            await visitor.GotoAsync(site.MailLink(email, "Confirm your email"));
            await visitor.Locator("[data-state=confirmed]").WaitForAsync();
            await SiteFixture.EventuallyAsync(
                async () => (await site.SyncAdmin.GetDeliveriesAsync(new(Store: "uk", Topic: "user/push", Status: OrchardShopify.AspNetCore.Admin.SyncDeliveryStatus.DeadLetter), CancellationToken.None)).Count > 0,
                "the push is dead-lettered");
        }
        finally
        {
            await site.SetShopifyFaultsAsync(null);
        }

        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);

        var row = admin.Locator("table.deliveries tr[data-status=DeadLetter]").Filter(new() { HasTextString = "user/push" });
        await SiteFixture.EventuallyAsync(
            async () =>
            {
                await admin.GotoAsync("/admin/deliveries?store=uk&topic=user/push&status=DeadLetter");
                return await row.CountAsync() > 0;
            },
            "the failed push is listed among the dead letters of uk");
        Assert.Equal(0, await admin.Locator("table.deliveries tr:not([data-status=DeadLetter]) td").CountAsync());
        Assert.Equal(0, await admin.Locator("table.deliveries tr td:nth-child(4)").Filter(new() { HasNotTextString = "uk" }).CountAsync());
        await SiteFixture.ScreenshotAsync(admin, "admin-dead-letters");

        // The banner's link and the dashboard's count lead to the dead letters themselves.
        await admin.GotoAsync("/admin");
        Assert.Equal("/admin/deliveries?status=DeadLetter", await admin.Locator(".health-banner a", new() { HasTextString = "See the dead letters" }).GetAttributeAsync("href"));
        var dashboardCount = long.Parse((await admin.Locator("p.problem a[href='/admin/deliveries?status=DeadLetter']").InnerTextAsync()).Split(' ')[0], CultureInfo.InvariantCulture);
        Assert.True(dashboardCount >= 1, $"the dashboard counts {dashboardCount} dead letters");
        await admin.GotoAsync("/admin/deliveries?store=uk&topic=user/push&status=DeadLetter");

        var id = await row.First.GetAttributeAsync("data-id");
        await row.First.Locator("a", new() { HasTextString = "Inspect" }).ClickAsync();
        await SiteFixture.WaitForUrlAsync(admin, $"/admin/deliveries/{id}");
        Assert.Contains("Shopify store 'uk'", await admin.Locator("dd.error-text").InnerTextAsync(), StringComparison.Ordinal);

        // Replayed from the list, with the row's own button.
        await admin.GotoAsync("/admin/deliveries?store=uk&topic=user/push&status=DeadLetter");
        await admin.Locator($"table.deliveries tr[data-id='{id}'] button", new() { HasTextString = "Replay" }).ClickAsync();
        Assert.Contains("queued again", await admin.Locator(".flash").InnerTextAsync(), StringComparison.Ordinal);
        await SiteFixture.EventuallyAsync(
            async () =>
            {
                await admin.ReloadAsync();
                return await admin.Locator("h1 .badge").InnerTextAsync() == "succeeded";
            },
            "the replayed push succeeds now that Shopify answers");
        await SiteFixture.ScreenshotAsync(admin, "admin-delivery");
        Assert.NotNull(site.Emulator.Shops["uk-demo.myshopify.com"].FindByEmail(email));
    }
}
