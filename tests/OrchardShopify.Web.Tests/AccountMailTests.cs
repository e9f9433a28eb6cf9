using Microsoft.Playwright;
using OrchardShopify.Web.Mail;
using OrchardShopify.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace OrchardShopify.Web.Tests;

/// <summary>
/// The site's mail (no mail server in demo mode): confirmation links for registrations, and set-password links for
/// forgotten passwords and for customers whose account the sync created from Shopify, read from the admin's outbox.
/// </summary>
[Collection(SiteCollection.Name)]
public sealed class AccountMailTests(SiteFixture site)
{
    [BrowserFact]
    public async Task A_customer_created_from_shopify_sets_a_password_from_the_mailed_link_and_sees_their_orders()
    {
        var email = $"mary.{Guid.NewGuid():N}"[..17] + "@example.com";
        await site.CreateCustomerInShopifyAsync("uk-demo.myshopify.com", new { first_name = "Mary", last_name = "Somerville", email });
        var outbox = site.Site.Services.GetRequiredService<MailOutbox>();
        await SiteFixture.EventuallyAsync(async () => await FindUserAsync(email) is not null, "the customer arrives as a user");

        // The account has no password: signing in fails until one is set from the mailed link.
        var page = await site.NewPageAsync();
        await page.GotoAsync("/account/sign-in");
        await page.ClickAsync("a[href='/account/forgot-password']");
        await page.FillAsync("input[name=Email]", email);
        await page.ClickAsync("form button[type=submit]");
        Assert.Equal(1, await page.Locator("[data-state=sent]").CountAsync());

        var mail = Assert.Single(outbox.List(email));
        Assert.Equal("Set your password", mail.Subject);
        Assert.NotNull(mail.Link);

        // The administrator's outbox lists it with its link; the customer follows it.
        var admin = await site.SignedInPageAsync(SiteFixture.AdminEmail, SiteFixture.AdminPassword);
        await admin.GotoAsync("/admin/outbox?to=" + Uri.EscapeDataString(email));
        var link = await admin.Locator($"table.outbox tr[data-to='{email}'] a.mail-link").GetAttributeAsync("href");
        Assert.Equal(mail.Link, link);

        await page.GotoAsync(link!);
        await page.FillAsync("input[name=Password]", "Mary-sets-1-password");
        await page.ClickAsync("form button[type=submit]");
        await SiteFixture.WaitForUrlAsync(page, "/account");
        Assert.Equal("Mary Somerville", await SiteFixture.LinkedCustomerNameAsync(page));
        Assert.True((await FindUserAsync(email))!.EmailConfirmed);

        // The link works once.
        await page.GotoAsync(link!);
        await page.FillAsync("input[name=Password]", "Another-1-password");
        await page.ClickAsync("form.card button[type=submit]");
        Assert.Contains("not valid or has expired", await page.Locator(".problem").InnerTextAsync(), StringComparison.Ordinal);
    }

    private Task<OrchardShopify.Web.Identity.SiteUser?> FindUserAsync(string email) => site.FindUserAsync(email);

    [BrowserFact]
    public async Task Asking_for_a_link_for_an_unknown_email_answers_the_same_and_mails_nobody()
    {
        var email = $"nobody.{Guid.NewGuid():N}"[..19] + "@example.com";
        var page = await site.NewPageAsync();
        await page.GotoAsync("/account/forgot-password");
        await page.FillAsync("input[name=Email]", email);
        await page.ClickAsync("form button[type=submit]");

        Assert.Equal(1, await page.Locator("[data-state=sent]").CountAsync());
        Assert.Empty(site.Site.Services.GetRequiredService<MailOutbox>().List(email));
    }
}
