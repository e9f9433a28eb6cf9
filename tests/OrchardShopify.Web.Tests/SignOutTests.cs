using System.Text.RegularExpressions;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

[Collection(SiteCollection.Name)]
public sealed class SignOutTests(SiteFixture site)
{
    [BrowserFact]
    public async Task Sign_out_in_the_header_signs_the_customer_out()
    {
        var page = await site.SignedInPageAsync("grace@example.com", site.Site.DemoPassword);
        await page.GotoAsync("/account");
        Assert.EndsWith("/account", page.Url, StringComparison.Ordinal);

        var response = await page.RunAndWaitForResponseAsync(
            () => page.ClickAsync("header form button[type=submit]"),
            r => r.Url.EndsWith("/account/sign-out", StringComparison.Ordinal) && r.Request.Method == "POST");
        Assert.Equal(302, response.Status);
        await SiteFixture.WaitForUrlAsync(page, new Regex("^[^?#]*://[^/]+/$")); // the home page

        // The sign-in cookie is gone: the account page asks to sign in again, and the header offers it.
        await page.GotoAsync("/account");
        Assert.Contains("/account/sign-in", page.Url, StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("header a[href='/account/sign-in']").CountAsync());
        Assert.Equal(0, await page.Locator("header form button[type=submit]").CountAsync());
    }
}
