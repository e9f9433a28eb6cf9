using System.Net;
using OrchardShopify.Emulator.Customers;
using OrchardShopify.OrchardCore.Site.Tests.Support;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.OrchardCore.Site.Tests;

/// <summary>The sample site's own sync event handler (its welcome mail), registered per tenant in the site's Startup.</summary>
public sealed class SyncEventTests(ConfiguredSiteFixture site) : SiteTest<ConfiguredSiteFixture>(site), IClassFixture<ConfiguredSiteFixture>
{
    private readonly ShopifyWebhookSigner _signer = new(OrchardSiteFixture.UkDomain, OrchardSiteFixture.UkSecret);

    private string MailFolder => Path.Combine(Site.DataPath, "Sites", "Default", "welcome-mail");

    [Fact]
    public async Task A_customer_created_from_shopify_gets_one_welcome_mail_even_when_shopify_delivers_twice()
    {
        var (customer, errors, _) = Site.Emulator.Shops[OrchardSiteFixture.UkDomain].Create(new Dictionary<string, object?>
        {
            ["firstName"] = "Grace",
            ["lastName"] = "Hopper",
            ["email"] = "grace.welcome@example.com",
        });
        Assert.Empty(errors);
        using var browser = Site.NewBrowser();

        await DeliverCreateAsync(browser, customer!, "event-welcome-create");
        var user = await OrchardSiteFixture.EventuallyAsync(
            () => Site.FindUserByEmailAsync(customer!.Email!), u => u?.Properties["ShopifyUserPart"]?["shopify_id"] is not null, "the user created from Shopify");
        var mails = await OrchardSiteFixture.EventuallyAsync(() => Task.FromResult(MailsTo(customer!.Email!)), m => m.Count == 1, "the welcome mail");
        Assert.Contains($"User: {user!.UserId}", mails[0], StringComparison.Ordinal);
        Assert.Contains("Subject: Welcome to our site", mails[0], StringComparison.Ordinal);

        // Shopify's retry of the same delivery: applied once, so no second mail.
        await DeliverCreateAsync(browser, customer!, "event-welcome-create");
        await DeliverCreateAsync(browser, customer!, "event-welcome-update-same");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Single(MailsTo(customer!.Email!));
    }

    private List<string> MailsTo(string email) => Directory.Exists(MailFolder)
        ? [.. Directory.GetFiles(MailFolder).Select(File.ReadAllText).Where(t => t.Contains($"To: {email}", StringComparison.Ordinal))]
        : [];

    private async Task DeliverCreateAsync(SiteBrowser browser, Customer customer, string webhookId)
    {
        var version = new ShopifyCustomerVersion(customer.Id, customer.Email, customer.FirstName, customer.LastName, customer.Phone, customer.CreatedAt, customer.UpdatedAt);
        using var response = await browser.Http.SendAsync(_signer.Customer("customers/create", version, webhookId, customer.UpdatedAt).ToRequest());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
