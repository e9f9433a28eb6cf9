using OrchardShopify.Liquid.Tests.Support;

namespace OrchardShopify.Liquid.Tests;

[Collection(ShopCollection.Name)]
public sealed class AddressesTagTests(ShopFixture shop)
{
    private const string AddressList = """
        {% shopify_customer_addresses store: "uk" %}count={{ addresses_count }} not_found={{ not_found }}{% for address in addresses %}
        [{{ address.address1 }}, {{ address.city }}, {{ address.country_code }} default={{ address.is_default }} lines={{ address.formatted | join: " / " }}]{% endfor %}
        {% endshopify_customer_addresses %}
        """;

    [Fact]
    public async Task Signed_in_user_sees_their_own_addresses_with_the_default_flagged()
    {
        var html = await shop.MultiStore.RenderAsync(AddressList, ShopFixture.Ada);

        Assert.Contains("count=2 not_found=false", html, StringComparison.Ordinal);
        Assert.Contains("[12 St James&#x27;s Square, London, GB default=true lines=12 St James&#x27;s Square", html, StringComparison.Ordinal);
        Assert.Contains("[1 Rue de Rivoli, Paris, FR default=false", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Bug Lane", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unlinked_user_gets_not_found_and_no_addresses()
    {
        var html = await shop.MultiStore.RenderAsync(AddressList, ShopFixture.Nobody);

        Assert.Contains("count=0 not_found=true", html, StringComparison.Ordinal);
        Assert.DoesNotContain("[", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Addresses_are_paged_with_a_limit_and_the_cursor()
    {
        const string template = """{% shopify_customer_addresses limit: 1, after: cursor %}{% for address in addresses %}{{ address.city }}{% endfor %}|{{ paging.has_next_page }}|{{ paging.next_cursor }}{% endshopify_customer_addresses %}""";

        var first = (await shop.SingleStore.RenderAsync(template, ShopFixture.Ada, new Dictionary<string, string> { ["cursor"] = "" })).Split('|');
        var second = (await shop.SingleStore.RenderAsync(template, ShopFixture.Ada, new Dictionary<string, string> { ["cursor"] = first[2] })).Split('|');

        Assert.Equal(["London", "true"], first[..2]);
        Assert.Equal(["Paris", "false", ""], second);
    }
}
