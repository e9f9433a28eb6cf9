using System.Text.RegularExpressions;
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
        var mallory = await MalloryRegistersAsync(email, phone: null);

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

    [BrowserFact]
    public async Task The_owner_of_the_mailbox_takes_the_account_over_and_the_stranger_neither_confirms_it_nor_keeps_it()
    {
        // Valentina is a customer of the uk store with no phone number; the site has no account for her.
        var email = $"valentina.{Guid.NewGuid():N}"[..22] + "@example.com";
        var shop = site.Emulator.Shops["uk-demo.myshopify.com"];
        var (valentina, errors, _) = shop.Create(new Dictionary<string, object?> { ["firstName"] = "Valentina", ["lastName"] = "Owner", ["email"] = email });
        Assert.Empty(errors);

        // Mallory registers with Valentina's email, her own name and her own phone number, and stays signed in.
        var mallory = await MalloryRegistersAsync(email, phone: "+447400123456");

        // Valentina opens the confirmation mail's link in her own browser: she is asked to sign in, and nothing is confirmed.
        var link = site.MailLink(email, "Confirm your email");
        var owner = await site.NewPageAsync();
        await owner.GotoAsync(link);
        await SiteFixture.WaitForUrlAsync(owner, new Regex("/account/sign-in\\?ReturnUrl=%2Faccount%2Fconfirm-email"));
        Assert.False((await FindUserAsync(email))!.EmailConfirmed);

        // Nor does the link confirm anything for someone signed in to another account.
        var other = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        var refused = await other.GotoAsync(link);
        Assert.Equal(403, refused!.Status);
        Assert.Equal(1, await other.Locator("[data-state=other-account]").CountAsync());
        Assert.False((await FindUserAsync(email))!.EmailConfirmed);

        // Valentina sets a password from the mailed link instead.
        await owner.GotoAsync("/account/forgot-password");
        await owner.FillAsync("input[name=Email]", email);
        await owner.ClickAsync("form button[type=submit]");
        await owner.GotoAsync(site.MailLink(email, "Set your password"));
        await owner.FillAsync("input[name=Password]", "Valentina-pass-1");
        await owner.ClickAsync("form.card button[type=submit]");
        await SiteFixture.WaitForUrlAsync(owner, "/account");
        Assert.Contains("were removed", await owner.Locator(".flash").First.InnerTextAsync(), StringComparison.Ordinal);

        // Mallory's session ended with it.
        await mallory.GotoAsync("/account");
        await SiteFixture.WaitForUrlAsync(mallory, new Regex("/account/sign-in\\?ReturnUrl=%2Faccount$"));

        // The account is Valentina's, linked to her customer; Mallory's name and phone reached neither it nor Shopify.
        Assert.Equal("Valentina Owner", await SiteFixture.LinkedCustomerNameAsync(owner));
        var user = (await FindUserAsync(email))!;
        Assert.True(user.EmailConfirmed);
        Assert.DoesNotContain("Mallory", $"{user.FirstName} {user.LastName}", StringComparison.Ordinal);
        Assert.Null(user.PhoneNumber);
        await site.Emulator.WaitForWebhooksAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        var now = shop.Find(valentina!.Id)!;
        Assert.Equal(("Valentina", "Owner", (string?)null, email), (now.FirstName, now.LastName, now.Phone, now.Email));
    }

    /// <summary>Mallory registers with <paramref name="email"/>, her own name (and phone), and is signed in.</summary>
    private async Task<Microsoft.Playwright.IPage> MalloryRegistersAsync(string email, string? phone)
    {
        var mallory = await site.NewPageAsync();
        await mallory.GotoAsync("/account/register");
        await mallory.FillAsync("input[name=FirstName]", "Mallory");
        await mallory.FillAsync("input[name=LastName]", "Attacker");
        await mallory.FillAsync("input[name=Email]", email);
        if (phone is not null)
        {
            await mallory.FillAsync("input[name=Phone]", phone);
        }

        await mallory.FillAsync("input[name=Password]", "Mallory-pass-1");
        await mallory.ClickAsync("form.card button[type=submit]");
        await SiteFixture.WaitForUrlAsync(mallory, "/account");
        return mallory;
    }

    private Task<OrchardShopify.Web.Identity.SiteUser?> FindUserAsync(string email) => site.FindUserAsync(email);
}
