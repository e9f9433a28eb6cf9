using OrchardShopify.Web.Tests.Support;

namespace OrchardShopify.Web.Tests;

/// <summary>A page link edited by hand (or kept from long ago) is the visitor's mistake: 400 and a reason, not "Shopify could not be reached".</summary>
[Collection(SiteCollection.Name)]
public sealed class BadPageLinkTests(SiteFixture site)
{
    [BrowserFact]
    public async Task A_malformed_or_unknown_orders_cursor_answers_400_with_a_reason_and_the_rest_of_the_page()
    {
        var ada = await site.SignedInPageAsync("ada@example.com", site.Site.DemoPassword);

        foreach (var cursor in new[] { "not-a-cursor!", "Zm9yZ2VkLWN1cnNvcg" })
        {
            var response = await ada.GotoAsync($"/account?orders-uk={Uri.EscapeDataString(cursor)}");
            Assert.NotNull(response);
            Assert.Equal(400, response.Status);
            var orders = await ada.Locator("#store-uk shopify-customer-orders, #store-uk .shopify-customer-orders").First.InnerTextAsync();
            Assert.Contains("That page link is not valid", orders, StringComparison.Ordinal);
            Assert.DoesNotContain("could not be reached", orders, StringComparison.Ordinal);

            // The rest of the account page still shows the customer and the other store's orders.
            Assert.Equal("Ada Lovelace", await ada.Locator("#store-uk .customer-name").First.InnerTextAsync());
            Assert.Equal(2, await ada.Locator("#store-us tr.order").CountAsync());
        }
    }
}
