using System.Net;
using AngleSharp.Dom;
using OrchardShopify.Emulator.Customers;
using OrchardShopify.OrchardCore.Site.Tests.Support;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.OrchardCore.Site.Tests;

/// <summary>The sample's <c>/account</c> Liquid page (shopify_customer, _orders, _addresses per store) over the same site.</summary>
public sealed partial class MultiStoreTests
{
    private const string MemberPassword = "Member-pass-1!";

    [Fact]
    public async Task Account_page_shows_the_signed_in_users_own_customer_orders_and_addresses_and_nobody_elses()
    {
        var shop = Site.Emulator.Shops[OrchardSiteFixture.UkDomain];
        var withHistory = shop.Snapshot().Where(c => c.Email is not null && !c.Orders.IsEmpty && !c.Addresses.IsEmpty).Take(2).ToList();
        Assert.Equal(2, withHistory.Count);
        var (ada, bob) = (withHistory[0], withHistory[1]);

        // Both had accounts on the site before Shopify told it about them; the webhooks link them by email.
        await Site.CreateMemberAsync("ada-liquid", ada.Email!, MemberPassword);
        await Site.CreateMemberAsync("bob-liquid", bob.Email!, MemberPassword);
        await Site.CreateMemberAsync("carol-liquid", "carol.liquid@example.com", MemberPassword);
        using (var http = Site.CreateClient())
        {
            foreach (var customer in withHistory)
            {
                using var request = _uk.Customer("customers/create", Version(customer), $"liquid-{customer.Id}", customer.UpdatedAt).ToRequest();
                using var response = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                await OrchardSiteFixture.EventuallyAsync(
                    () => Site.FindUserByEmailAsync(customer.Email!), u => (long?)u?.Properties["ShopifyUserPart"]?["shopify_ids"]?["uk"] == customer.Id, "the link of " + customer.Email);
            }
        }

        using (var browser = Site.NewBrowser())
        {
            await browser.SignInAsync("ada-liquid", MemberPassword);
            var page = await browser.GetAsync("/account");

            Assert.Equal(HttpStatusCode.OK, page.Status);
            var uk = Store(page, "uk");
            var shown = uk.QuerySelector(".shopify-customer");
            Assert.NotNull(shown);
            Assert.Equal(ada.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), shown!.GetAttribute("data-customer-id"));
            Assert.Contains(ada.Email!, shown.TextContent, StringComparison.Ordinal);
            Assert.Contains(ada.LastName!, shown.TextContent, StringComparison.Ordinal);

            var orders = uk.QuerySelectorAll(".shopify-order").Select(o => o.TextContent).ToList();
            Assert.Equal(Math.Min(5, ada.Orders.Length), orders.Count);
            var newest = ada.Orders.MaxBy(o => o.CreatedAt)!;
            Assert.Contains(orders, o => o.Contains(newest.Name, StringComparison.Ordinal));
            var addresses = uk.QuerySelectorAll(".shopify-address").Select(a => a.TextContent).ToList();
            Assert.Equal(Math.Min(5, ada.Addresses.Length), addresses.Count);
            Assert.Contains(addresses, a => a.Contains(ada.Addresses[0].Address1!, StringComparison.Ordinal));

            // Not linked in the other store; and nothing of Bob anywhere.
            Assert.NotNull(Store(page, "us").QuerySelector(".shopify-not-linked"));
            Assert.Null(Store(page, "us").QuerySelector(".shopify-customer"));
            AssertNothingOf(bob, page.Document.Body!.TextContent);

            // The page takes no customer from the query string.
            var probing = await browser.GetAsync($"/account?customer_id={bob.Id}&store=uk");
            AssertNothingOf(bob, probing.Document.Body!.TextContent);
        }

        using (var browser = Site.NewBrowser())
        {
            await browser.SignInAsync("carol-liquid", MemberPassword);
            var page = await browser.GetAsync("/account");

            Assert.Equal(HttpStatusCode.OK, page.Status);
            foreach (var store in new[] { "uk", "us" })
            {
                Assert.NotNull(Store(page, store).QuerySelector(".shopify-not-linked"));
                Assert.Null(Store(page, store).QuerySelector(".shopify-customer"));
                Assert.Empty(Store(page, store).QuerySelectorAll(".shopify-order, .shopify-address"));
            }

            AssertNothingOf(ada, page.Document.Body!.TextContent);
            AssertNothingOf(bob, page.Document.Body!.TextContent);
        }

        using (var anonymous = Site.NewBrowser())
        {
            var page = await anonymous.GetAsync("/account");

            Assert.Equal(HttpStatusCode.OK, page.Status);
            foreach (var store in new[] { "uk", "us" })
            {
                Assert.NotNull(Store(page, store).QuerySelector(".shopify-anonymous"));
                Assert.Null(Store(page, store).QuerySelector(".shopify-customer"));
                Assert.Empty(Store(page, store).QuerySelectorAll(".shopify-order, .shopify-address"));
            }

            AssertNothingOf(ada, page.Document.Body!.TextContent);
        }
    }

    private static IElement Store(SitePage page, string handle) =>
        page.Document.QuerySelector($"section.shopify-store[data-store='{handle}']") ?? throw new InvalidOperationException($"No {handle} section on {page.Address}:{Environment.NewLine}{page.Html}");

    private static void AssertNothingOf(Customer customer, string text)
    {
        Assert.DoesNotContain(customer.Email!, text, StringComparison.OrdinalIgnoreCase);
        foreach (var order in customer.Orders)
        {
            Assert.DoesNotContain(order.Name, text, StringComparison.Ordinal);
        }

        foreach (var address in customer.Addresses.Where(a => a.Address1 is not null))
        {
            Assert.DoesNotContain(address.Address1!, text, StringComparison.Ordinal);
        }
    }

    private static ShopifyCustomerVersion Version(Customer customer) =>
        new(customer.Id, customer.Email, customer.FirstName, customer.LastName, customer.Phone, customer.CreatedAt, customer.UpdatedAt);
}
