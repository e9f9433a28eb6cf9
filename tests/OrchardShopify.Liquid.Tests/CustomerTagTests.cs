using Fluid;
using Microsoft.AspNetCore.Http;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.Liquid.Tests.Support;

namespace OrchardShopify.Liquid.Tests;

[Collection(ShopCollection.Name)]
public sealed class CustomerTagTests(ShopFixture shop)
{
    private const string CustomerCard = """
        {% shopify_customer store: "uk" %}
        {% if not_found %}not_found:true signed_in:{{ signed_in }}{% else %}
        name={{ customer.name }}|first={{ customer.first_name }}|last={{ customer.last_name }}|email={{ customer.email }}|note={{ customer.note }}
        orders={{ customer.orders_count }}|spent={{ customer.total_spent.amount }} {{ customer.total_spent.currency_code }}
        last={{ customer.last_order.name }} {{ customer.last_order.total.amount }}|city={{ customer.default_address.city }}|store={{ store }}
        {% endif %}
        {% endshopify_customer %}
        """;

    [Fact]
    public async Task Signed_in_user_sees_their_own_customer_with_orders_total_last_order_and_default_address()
    {
        var html = await shop.MultiStore.RenderAsync(CustomerCard, ShopFixture.Ada);

        Assert.Contains("name=Ada Lovelace|first=Ada|last=Lovelace|email=ada@example.com|note=Prefers the blue box", html, StringComparison.Ordinal);
        // Cancelled orders do not count as spent: 94.99 + 132.49.
        Assert.Contains("orders=3|spent=227.48 GBP", html, StringComparison.Ordinal);
        Assert.Contains("last=#UK1001 94.99|city=London|store=uk", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Grace", html, StringComparison.Ordinal);
        Assert.DoesNotContain("not_found", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_merchants_note_about_the_customer_is_not_shown_to_them_unless_the_site_says_so()
    {
        var hidden = await shop.SingleStore.RenderAsync(CustomerCard, ShopFixture.Ada);
        var shown = await shop.MultiStore.RenderAsync(CustomerCard, ShopFixture.Ada);

        Assert.Contains("email=ada@example.com|note=\n", hidden.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("Prefers the blue box", hidden, StringComparison.Ordinal);
        Assert.Contains("note=Prefers the blue box", shown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_customers_data_never_appears_whoever_else_is_in_the_store()
    {
        var ada = await shop.MultiStore.RenderAsync(CustomerCard, ShopFixture.Ada);
        var grace = await shop.MultiStore.RenderAsync(CustomerCard, ShopFixture.Grace);

        Assert.Contains("email=grace@example.com", grace, StringComparison.Ordinal);
        Assert.DoesNotContain("ada@example.com", grace, StringComparison.Ordinal);
        Assert.DoesNotContain("Lovelace", grace, StringComparison.Ordinal);
        Assert.DoesNotContain("grace@example.com", ada, StringComparison.Ordinal);
        Assert.DoesNotContain("Navy account", ada, StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_without_a_link_gets_not_found()
    {
        var html = await shop.MultiStore.RenderAsync(CustomerCard, ShopFixture.Nobody);

        Assert.Contains("not_found:true signed_in:true", html, StringComparison.Ordinal);
        Assert.DoesNotContain("email=", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_linked_only_in_another_store_gets_not_found_in_this_one()
    {
        var html = await shop.MultiStore.RenderAsync("""{% shopify_customer store: "us" %}{{ store }}:{{ not_found }}:{{ customer.email }}{% endshopify_customer %}""", ShopFixture.Grace);

        Assert.Equal("us:true:", html);
    }

    [Fact]
    public async Task Anonymous_visitor_is_not_signed_in_and_sees_no_customer()
    {
        var html = await shop.MultiStore.RenderAsync("""{% shopify_customer store: "uk" %}{{ signed_in }}:{{ not_found }}:{{ customer.email }}{% endshopify_customer %}""", userId: null);

        Assert.Equal("false:true:", html);
    }

    [Fact]
    public async Task Named_store_is_read_in_multi_store_mode()
    {
        var html = await shop.MultiStore.RenderAsync("""{% shopify_customer store: "us" %}{{ customer.default_address.address1 }} {{ customer.total_spent.currency_code }} {{ customer.last_order.name }}{% endshopify_customer %}""", ShopFixture.Ada);

        Assert.Equal("350 Fifth Avenue USD #US2001", html);
    }

    [Fact]
    public async Task Store_may_be_omitted_in_single_store_mode()
    {
        var html = await shop.SingleStore.RenderAsync("{% shopify_customer %}{{ store }}:{{ customer.email }}{% endshopify_customer %}", ShopFixture.Ada);

        Assert.Equal("uk:ada@example.com", html);
    }

    [Fact]
    public async Task Multi_store_mode_requires_the_store_even_for_anonymous_visitors()
    {
        const string template = "{% shopify_customer %}{{ customer.email }}{% endshopify_customer %}";

        var signedIn = await Assert.ThrowsAsync<ShopifyTagException>(() => shop.MultiStore.RenderAsync(template, ShopFixture.Ada));
        var anonymous = await Assert.ThrowsAsync<ShopifyTagException>(() => shop.MultiStore.RenderAsync(template, userId: null));

        Assert.Equal("shopify_customer: Several stores are configured (uk, us); name one with store: \"handle\".", signedIn.Message);
        Assert.Equal(signedIn.Message, anonymous.Message);
    }

    [Fact]
    public async Task Unknown_store_is_a_precise_error()
    {
        var error = await Assert.ThrowsAsync<ShopifyTagException>(() =>
            shop.MultiStore.RenderAsync("""{% shopify_customer store: "mars" %}{{ customer.email }}{% endshopify_customer %}""", ShopFixture.Ada));

        Assert.Equal("shopify_customer: No enabled store has the handle 'mars'. Configured: uk, us.", error.Message);
        Assert.DoesNotContain("shpat", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Markup_in_shopify_data_is_html_encoded()
    {
        var html = await shop.MultiStore.RenderAsync("""{% shopify_customer store: "uk" %}{{ customer.first_name }}|{{ customer.name }}|{{ customer.note }}|{{ customer.default_address.address1 }}{% endshopify_customer %}""", ShopFixture.Mallory);

        Assert.StartsWith("&lt;script&gt;alert(&#x27;first&#x27;)&lt;/script&gt;|", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;Bold&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
        Assert.Contains("&lt;svg onload=alert(2)&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Host_can_say_which_user_is_signed_in()
    {
        // A host whose links are keyed by something other than the name identifier claim.
        var html = await shop.MultiStore.RenderAsync("""{% shopify_customer store: "uk" %}{{ customer.email }}{% endshopify_customer %}""", ShopFixture.Ada,
            decorate: services => new OverridingServices(services, typeof(ICurrentUserIdAccessor), new FixedUser(ShopFixture.Grace)));

        Assert.Equal("grace@example.com", html);
    }

    [Fact]
    public async Task Template_context_without_services_is_refused_with_the_way_to_provide_them()
    {
        var parser = new FluidParser().RegisterShopifyCustomerTags();
        var template = parser.Parse("{% shopify_customer %}{% endshopify_customer %}");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => template.RenderAsync(new TemplateContext()).AsTask());

        Assert.Contains("SetShopifyServices", error.Message, StringComparison.Ordinal);
    }

    private sealed class FixedUser(string userId) : ICurrentUserIdAccessor
    {
        public string? GetUserId(HttpContext httpContext) => userId;
    }
}
