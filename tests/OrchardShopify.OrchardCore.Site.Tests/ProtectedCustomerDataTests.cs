using System.Net;
using AngleSharp.Html.Dom;
using OrchardShopify.Emulator.Control;
using OrchardShopify.OrchardCore.Site.Tests.Support;

namespace OrchardShopify.OrchardCore.Site.Tests;

/// <summary>Register webhooks on the Orchard Core settings page for an app Shopify has not approved for protected customer data.</summary>
public sealed class ProtectedCustomerDataTests(ConfiguredSiteFixture site) : SiteTest<ConfiguredSiteFixture>(site), IClassFixture<ConfiguredSiteFixture>
{
    [Fact]
    public async Task Register_webhooks_says_what_to_request_with_a_link_instead_of_the_raw_error()
    {
        Site.Emulator.SetFaults(new FaultSettings { ProtectedCustomerData = ProtectedCustomerDataAccess.NotApproved });
        try
        {
            using var browser = Site.NewBrowser();
            await browser.SignInAsync(OrchardSiteFixture.AdminUserName, OrchardSiteFixture.AdminPassword);
            var settings = await browser.GetAsync("/Admin/Settings/shopify");
            var button = settings.Document.QuerySelectorAll("button[formaction]").OfType<IHtmlButtonElement>()
                .Single(b => b.GetAttribute("formaction")!.Contains("RegisterWebhooks", StringComparison.Ordinal));

            var result = await browser.SubmitAsync((IHtmlFormElement)button.Closest("form")!, submitter: button);

            Assert.Equal(HttpStatusCode.OK, result.Status);
            var alert = Assert.Single(result.Document.QuerySelectorAll(".alert"), a => a.TextContent.Contains("Store uk", StringComparison.Ordinal));
            Assert.Contains("Store uk: Shopify has not approved this app for protected customer data, so it refuses the customer webhooks", alert.TextContent, StringComparison.Ordinal);
            Assert.Contains("Name, Email, Phone and Address fields (Level 2)", alert.TextContent, StringComparison.Ordinal);
            Assert.DoesNotContain("This app is not approved", alert.TextContent, StringComparison.Ordinal);
            var link = Assert.Single(alert.QuerySelectorAll("a[href]"));
            Assert.Equal("https://shopify.dev/docs/apps/launch/protected-customer-data", link.GetAttribute("href"));
            Assert.Empty(Site.Emulator.State.Subscriptions.ForShop(OrchardSiteFixture.UkDomain));
        }
        finally
        {
            Site.Emulator.SetFaults(new FaultSettings());
        }
    }
}
