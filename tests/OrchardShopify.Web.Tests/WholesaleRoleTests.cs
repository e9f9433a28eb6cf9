using System.Net;
using System.Text.RegularExpressions;
using OrchardShopify.Web.Hosting;
using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

/// <summary>
/// The sample site's wholesale page over HTTP, in demo mode (the emulator delivers its webhooks to the site): Grace opens
/// it only while her customer has the <c>wholesale</c> tag in Shopify; the tag added grants the role, removed revokes it.
/// </summary>
public sealed partial class WholesaleRoleTests : IAsyncLifetime
{
    private const string UkDomain = "uk-demo.myshopify.com";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orchardshopify-web-wholesale", Guid.NewGuid().ToString("N"));
    private RunningSite _site = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _site = await SiteFixture.StartSiteAsync(
            _folder,
            new Dictionary<string, string?>
            {
                ["Site:Demo:CustomersPerShop"] = "0",
                ["Shopify:TagRoles:0:Tag"] = "wholesale",
                ["Shopify:TagRoles:0:Role"] = "Wholesale",
            },
            withPublicUrl: true);
    }

    public async Task DisposeAsync()
    {
        await _site.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_wholesale_tag_added_in_Shopify_opens_the_page_and_removing_it_closes_it_again()
    {
        using var grace = await SignedInAsync("grace@example.com", "Demo-customer-1");
        Assert.Equal("/account/access-denied", await DeniedAsync(grace));

        var shop = _site.Demo!.Emulator.Shops[UkDomain];
        var customer = shop.FindByEmail("grace@example.com")!;
        Tag(shop, customer.Id, "wholesale", "orchard-club");
        await SiteFixture.EventuallyAsync(async () => (await GetAsync(grace, "/wholesale")).Status == HttpStatusCode.OK, "the tag opens the page");
        Assert.Contains("data-state=\"wholesale-member\"", (await GetAsync(grace, "/wholesale")).Body, StringComparison.Ordinal);

        // Her account page shows the tags as the sync stored them on her link (<shopify-customer-signals>).
        var tags = SignalTags().Match((await GetAsync(grace, "/account")).Body);
        Assert.True(tags.Success, "the account page has no tags signal");
        Assert.Equal(["orchard-club", "wholesale"], tags.Groups[1].Value.Split(", ").Order(StringComparer.Ordinal));

        Tag(shop, customer.Id, "orchard-club");
        await SiteFixture.EventuallyAsync(async () => (await GetAsync(grace, "/wholesale")).Status == HttpStatusCode.Redirect, "removing the tag closes the page");
        Assert.Equal("/account/access-denied", await DeniedAsync(grace));
    }

    [Fact]
    public async Task Anonymous_visitors_are_sent_to_sign_in()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _site.BaseUrl };
        using var response = await anonymous.GetAsync("/wholesale");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/sign-in", response.Headers.Location!.AbsolutePath);
    }

    private void Tag(OrchardShopify.Emulator.Customers.Shop shop, long customerId, params string[] tags)
    {
        var (_, errors, change) = shop.Update(customerId, new Dictionary<string, object?> { ["tags"] = tags.Cast<object?>().ToList() });
        Assert.Empty(errors);
        _site.Demo!.Emulator.State.Publish(change!);
    }

    private static async Task<string> DeniedAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/wholesale");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!.AbsolutePath;
    }

    private async Task<HttpClient> SignedInAsync(string email, string password)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = _site.BaseUrl };
        var form = (await GetAsync(client, "/account/sign-in")).Body;
        using var posted = await client.PostAsync("/account/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Email"] = email,
            ["Password"] = password,
            ["__RequestVerificationToken"] = TokenPattern().Match(form).Groups[1].Value,
        }));
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        return client;
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("data-signal=\"tags\">([^<]*)</dd>")]
    private static partial Regex SignalTags();
}
