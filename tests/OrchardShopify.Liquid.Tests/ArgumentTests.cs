using Fluid;

namespace OrchardShopify.Liquid.Tests;

/// <summary>Arguments written as literals are checked when the template is parsed, as Fluid reports its own syntax errors.</summary>
public sealed class ArgumentTests
{
    [Theory]
    [InlineData("""{% shopify_customer_orders status: "pending" %}{% endshopify_customer_orders %}""", "shopify_customer_orders: status must be any, open, closed or cancelled (got 'pending')")]
    [InlineData("""{% shopify_customer_orders status: 1 %}{% endshopify_customer_orders %}""", "shopify_customer_orders: status must be any, open, closed or cancelled (got 1)")]
    [InlineData("""{% shopify_customer_orders limit: 0 %}{% endshopify_customer_orders %}""", "shopify_customer_orders: limit must be a whole number from 1 to 20 (got 0)")]
    [InlineData("""{% shopify_customer_orders limit: 21 %}{% endshopify_customer_orders %}""", "shopify_customer_orders: limit must be a whole number from 1 to 20 (got 21)")]
    [InlineData("""{% shopify_customer_addresses limit: 2.5 %}{% endshopify_customer_addresses %}""", "shopify_customer_addresses: limit must be a whole number from 1 to 20 (got 2.5)")]
    [InlineData("""{% shopify_customer_orders page: 2 %}{% endshopify_customer_orders %}""", "shopify_customer_orders: after (or page) takes the cursor from paging.next_cursor, not a page number (got 2)")]
    [InlineData("""{% shopify_customer store: 5 %}{% endshopify_customer %}""", "shopify_customer: store must be a store handle such as store: \"uk\" (got 5)")]
    [InlineData("""{% shopify_customer customer_id: 5 %}{% endshopify_customer %}""", "shopify_customer has no argument 'customer_id'; it takes store")]
    [InlineData("""{% shopify_customer_orders user: "someone" %}{% endshopify_customer_orders %}""", "shopify_customer_orders has no argument 'user'; it takes store, status, limit, after (or page)")]
    [InlineData("""{% shopify_customer_addresses status: "open" %}{% endshopify_customer_addresses %}""", "shopify_customer_addresses has no argument 'status'; it takes store, limit, after (or page)")]
    [InlineData("""{% shopify_customer "uk" %}{% endshopify_customer %}""", "shopify_customer takes named arguments such as store: \"uk\", not a bare value")]
    [InlineData("""{% shopify_customer_orders after: a, page: b %}{% endshopify_customer_orders %}""", "shopify_customer_orders: after and page are the same argument; give one")]
    [InlineData("""{% shopify_customer store: "uk", store: "us" %}{% endshopify_customer %}""", "shopify_customer: 'store' is given twice")]
    public void Bad_arguments_fail_the_parse_with_a_precise_message(string template, string expected)
    {
        var parser = new FluidParser().RegisterShopifyCustomerTags();

        Assert.False(parser.TryParse(template, out _, out var error));
        Assert.StartsWith(expected + " at (", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Compiled_parser_parses_the_tags_and_still_reports_bad_arguments()
    {
        var parser = new FluidParser().RegisterShopifyCustomerTags().Compile();

        Assert.True(parser.TryParse("""{% shopify_customer_orders store: "uk", status: "open", limit: 5 %}{{ orders_count }}{% endshopify_customer_orders %}""", out _, out var error), error);
        Assert.False(parser.TryParse("""{% shopify_customer_orders limit: 99 %}{% endshopify_customer_orders %}""", out _, out var limitError));
        Assert.StartsWith("shopify_customer_orders: limit must be a whole number from 1 to 20 (got 99)", limitError, StringComparison.Ordinal);
    }

    [Fact]
    public void Block_without_its_end_tag_fails_the_parse()
    {
        var parser = new FluidParser().RegisterShopifyCustomerTags();

        Assert.False(parser.TryParse("""{% shopify_customer store: "uk" %}{{ customer.email }}""", out _, out var error));
        Assert.Contains("'{% endshopify_customer %}' was expected", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Variables_and_request_values_are_accepted_as_arguments_and_checked_when_rendered()
    {
        var parser = new FluidParser().RegisterShopifyCustomerTags();

        Assert.True(parser.TryParse("""{% shopify_customer_orders store: site.store, status: Request.Query["status"], limit: 5, after: paging.next_cursor %}{% endshopify_customer_orders %}""", out _, out var error), error);
    }
}
