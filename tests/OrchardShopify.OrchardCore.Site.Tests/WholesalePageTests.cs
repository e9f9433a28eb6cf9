using System.Net;
using OrchardShopify.Emulator.Webhooks;
using OrchardShopify.OrchardCore.Site.Tests.Support;

namespace OrchardShopify.OrchardCore.Site.Tests;

/// <summary>
/// The sample's <c>/wholesale</c> Liquid page: the <c>wholesale</c> tag added to the customer in Shopify (the emulator's
/// own webhook body) gives the member the Orchard Core role Wholesale and the page's trade prices; removed, it takes the
/// role away again. Orchard Core reads roles from the sign-in cookie, so each check signs in afresh.
/// </summary>
public sealed partial class MultiStoreTests
{
    [Fact]
    public async Task A_wholesale_tag_in_Shopify_gives_the_Wholesale_role_and_the_page_and_removing_it_takes_both_away()
    {
        var shop = Site.Emulator.Shops[OrchardSiteFixture.UkDomain];
        var (customer, errors, _) = shop.Create(new Dictionary<string, object?> { ["firstName"] = "Wanda", ["lastName"] = "Trade", ["email"] = "wanda.trade@example.com" });
        Assert.Empty(errors);
        await Site.CreateMemberAsync("wanda-trade", customer!.Email!, MemberPassword);

        Assert.Empty(shop.Update(customer.Id, new Dictionary<string, object?> { ["tags"] = new List<object?> { "Wholesale" } }).Errors);
        await DeliverAsync(shop, customer.Id, "customers/create", "wholesale-1");
        await OrchardSiteFixture.EventuallyAsync(() => Site.FindUserByEmailAsync(customer.Email!), u => u?.RoleNames.Contains("Wholesale") == true, "the Wholesale role");
        var member = await WholesalePageAsync();
        Assert.True(member.Contains("data-state=\"wholesale-member\"", StringComparison.Ordinal), member);

        Assert.Empty(shop.Update(customer.Id, new Dictionary<string, object?> { ["tags"] = new List<object?>() }).Errors);
        await DeliverAsync(shop, customer.Id, "customers/update", "wholesale-2");
        await OrchardSiteFixture.EventuallyAsync(() => Site.FindUserByEmailAsync(customer.Email!), u => u?.RoleNames.Contains("Wholesale") == false, "the Wholesale role removed");
        var page = await WholesalePageAsync();
        Assert.Contains("data-state=\"wholesale-denied\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("wholesale-member", page, StringComparison.Ordinal);
    }

    private async Task DeliverAsync(OrchardShopify.Emulator.Customers.Shop shop, long customerId, string topic, string webhookId)
    {
        var current = shop.Find(customerId)!;
        using var http = Site.CreateClient();
        Assert.Equal(HttpStatusCode.OK, await SendAsync(http, _uk.Sign(topic, WebhookPayloads.CustomerBody(shop, topic, current), webhookId, current.UpdatedAt)));
    }

    private async Task<string> WholesalePageAsync()
    {
        using var browser = Site.NewBrowser();
        await browser.SignInAsync("wanda-trade", MemberPassword);
        var page = await browser.GetAsync("/wholesale");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        return page.Html;
    }
}
