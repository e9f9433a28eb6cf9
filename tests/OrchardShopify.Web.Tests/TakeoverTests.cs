using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Web.Mail;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

/// <summary>
/// A stranger registers with the email of an existing Shopify customer, as an attacker would: the site never confirmed
/// that email, so the stranger sees none of the customer's data and Shopify's record of her is not touched.
/// </summary>
[Collection(SiteCollection.Name)]
public sealed class TakeoverTests(SiteFixture site)
{
    [BrowserFact]
    public async Task Registering_with_a_customers_email_claims_nothing_and_changes_nothing_in_shopify()
    {
        // Victoria is a customer of the uk store; the site has no account for her.
        var email = $"victoria.{Guid.NewGuid():N}"[..21] + "@example.com";
        var shop = site.Emulator.Shops["uk-demo.myshopify.com"];
        var (victoria, errors, _) = shop.Create(new Dictionary<string, object?> { ["firstName"] = "Victoria", ["lastName"] = "Victim", ["email"] = email, ["phone"] = "+442079460999" });
        Assert.Empty(errors);

        // Mallory registers with Victoria's email.
        var mallory = await site.NewPageAsync();
        await mallory.GotoAsync("/account/register");
        await mallory.FillAsync("input[name=FirstName]", "Mallory");
        await mallory.FillAsync("input[name=LastName]", "Attacker");
        await mallory.FillAsync("input[name=Email]", email);
        await mallory.FillAsync("input[name=Password]", "Mallory-pass-1");
        await mallory.ClickAsync("form.card button[type=submit]");
        await SiteFixture.WaitForUrlAsync(mallory, "/account");

        // Long after a push would have happened: Mallory's account is linked to nobody and shows none of Victoria's data.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await mallory.GotoAsync("/account");
        Assert.Equal(1, await mallory.Locator("#store-uk section.shopify-customer [data-state=not-linked]").CountAsync());
        Assert.Equal(0, await mallory.Locator("#store-uk tr.order").CountAsync());
        Assert.Equal(1, await mallory.Locator("[data-state=email-not-confirmed]").CountAsync());
        Assert.Equal(0, await mallory.Locator("a[href*='confirm-email']").CountAsync());

        // Shopify's record of Victoria is as it was, and no push of Mallory's account was even queued.
        var now = shop.Find(victoria!.Id)!;
        Assert.Equal(("Victoria", "Victim", "+442079460999", victoria.UpdatedAt), (now.FirstName, now.LastName, now.Phone, now.UpdatedAt));
        var pushes = await site.SyncAdmin.GetLogAsync(new(Direction: OrchardShopify.Core.Ports.SyncDirection.Outbound, Take: 500), CancellationToken.None);
        Assert.DoesNotContain(pushes, p => p.CustomerId == victoria.Id);

        // The confirmation link went to Victoria's mailbox, which Mallory cannot read.
        var mail = Assert.Single(site.Site.Services.GetRequiredService<MailOutbox>().List(email));
        Assert.Equal("Confirm your email", mail.Subject);
    }
}
