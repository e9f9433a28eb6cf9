using System.Text.RegularExpressions;
using OrchardShopify.Liquid.Tests.Support;

namespace OrchardShopify.Liquid.Tests;

[Collection(ShopCollection.Name)]
public sealed partial class OrdersTagTests(ShopFixture shop)
{
    private const string OrderList = """
        {% shopify_customer_orders store: "uk", status: status, limit: limit, after: cursor %}
        count={{ orders_count }} status={{ status }} not_found={{ not_found }}
        {% for order in orders %}[{{ order.name }} {{ order.fulfillment_status }} {{ order.financial_status }} cancelled={{ order.cancelled }} total={{ order.total.amount }} {{ order.total.currency_code }} shipping={{ order.shipping.amount }}{% for line in order.line_items %} ({{ line.title }} x{{ line.quantity }} {{ line.sku }}){% endfor %}]
        {% endfor %}next={{ paging.has_next_page }} cursor={{ paging.next_cursor }}
        {% endshopify_customer_orders %}
        """;

    [Fact]
    public async Task Orders_are_listed_with_totals_fulfillment_status_and_line_items()
    {
        var html = await RenderAsync(ShopFixture.Ada);

        Assert.Contains("count=3 status=any not_found=false", html, StringComparison.Ordinal);
        Assert.Contains("[#UK1001 unfulfilled paid cancelled=false total=94.99 GBP shipping=4.99 (Analytical Engine x2 AE-1)]", html, StringComparison.Ordinal);
        Assert.Contains("[#UK1002 fulfilled paid cancelled=false total=132.49 GBP shipping=4.99 (Difference Engine x1 DE-2) (Punch Cards x3 PC-9)]", html, StringComparison.Ordinal);
        Assert.Contains("[#UK1003 unfulfilled refunded cancelled=true", html, StringComparison.Ordinal);
        Assert.Contains("next=false cursor=", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Orders_of_other_customers_never_appear()
    {
        var ada = await RenderAsync(ShopFixture.Ada);
        var grace = await RenderAsync(ShopFixture.Grace);

        Assert.DoesNotContain("#UK1101", ada, StringComparison.Ordinal);
        Assert.DoesNotContain("COBOL", ada, StringComparison.Ordinal);
        Assert.Contains("[#UK1101 unfulfilled paid cancelled=false total=23.99 GBP", grace, StringComparison.Ordinal);
        Assert.DoesNotContain("#UK100", grace, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("open", "#UK1001")]
    [InlineData("closed", "#UK1002")]
    [InlineData("cancelled", "#UK1003")]
    public async Task Status_filter_keeps_only_orders_in_that_state(string status, string expected)
    {
        var html = await RenderAsync(ShopFixture.Ada, status: status);

        Assert.Equal([expected], OrderNames(html));
        Assert.Contains($"count=1 status={status}", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_follow_the_cursor_until_every_order_was_shown_once()
    {
        var first = await RenderAsync(ShopFixture.Ada, limit: "2");
        var cursor = CursorPattern().Match(first).Groups[1].Value;
        var second = await RenderAsync(ShopFixture.Ada, limit: "2", cursor: cursor);

        Assert.Equal(2, OrderNames(first).Count);
        Assert.Contains("next=true", first, StringComparison.Ordinal);
        Assert.NotEmpty(cursor);
        Assert.Single(OrderNames(second));
        Assert.Contains("next=false", second, StringComparison.Ordinal);
        Assert.Equal(["#UK1001", "#UK1002", "#UK1003"], OrderNames(first).Concat(OrderNames(second)).Order());
    }

    [Fact]
    public async Task Unlinked_user_and_user_of_another_store_get_not_found_and_no_orders()
    {
        var nobody = await RenderAsync(ShopFixture.Nobody);
        var graceInUs = await shop.MultiStore.RenderAsync("""{% shopify_customer_orders store: "us" %}{{ not_found }}:{{ orders_count }}:{{ orders.size }}{% endshopify_customer_orders %}""", ShopFixture.Grace);

        Assert.Contains("count=0 status=any not_found=true", nobody, StringComparison.Ordinal);
        Assert.Empty(OrderNames(nobody));
        Assert.Equal("true:0:0", graceInUs);
    }

    [Fact]
    public async Task Store_may_be_omitted_in_single_store_mode()
    {
        var html = await shop.SingleStore.RenderAsync("""{% shopify_customer_orders status: "open" %}{% for order in orders %}{{ order.name }}{% endfor %}{% endshopify_customer_orders %}""", ShopFixture.Ada);

        Assert.Equal("#UK1001", html);
    }

    [Fact]
    public async Task Markup_in_line_items_is_html_encoded()
    {
        var html = await RenderAsync(ShopFixture.Mallory);

        Assert.Contains("(&lt;iframe src=evil&gt; x1 X-1)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<iframe", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pending", null, "shopify_customer_orders: status must be any, open, closed or cancelled (got 'pending')")]
    [InlineData(null, "50", "shopify_customer_orders: limit must be a whole number from 1 to 20 (got '50')")]
    public async Task Bad_values_from_variables_are_precise_errors_when_rendered(string? status, string? limit, string expected)
    {
        var error = await Assert.ThrowsAsync<ShopifyTagException>(() => RenderAsync(ShopFixture.Ada, status: status, limit: limit));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public async Task A_cursor_passed_on_from_the_query_string_reads_the_first_page_when_absent_and_the_next_page_when_present()
    {
        // As the docs pass it on in Orchard Core: after: Request.Query["after"], which Orchard Core's Liquid gives as the
        // query value's string array (empty when the parameter is absent).
        const string Template = """{% shopify_customer_orders store: "uk", limit: 2, after: query["after"], status: query["status"] %}{% for order in orders %}[{{ order.name }} {% endfor %}cursor={{ paging.next_cursor }}{% endshopify_customer_orders %}""";

        var first = await shop.MultiStore.RenderAsync(Template, ShopFixture.Ada, new Dictionary<string, object>
        {
            ["query"] = new Dictionary<string, object> { ["after"] = Array.Empty<string>(), ["status"] = Array.Empty<string>() },
        });
        var cursor = CursorPattern().Match(first).Groups[1].Value;
        var second = await shop.MultiStore.RenderAsync(Template, ShopFixture.Ada, new Dictionary<string, object>
        {
            ["query"] = new Dictionary<string, object> { ["after"] = new[] { cursor }, ["status"] = new[] { "any" } },
        });

        Assert.Equal(2, OrderNames(first).Count);
        Assert.NotEmpty(cursor);
        Assert.Equal(3, OrderNames(first).Concat(OrderNames(second)).Distinct().Count());
    }

    [Theory]
    [InlineData("not a cursor!")]
    [InlineData("Zm9yZ2VkLWN1cnNvcg")]
    public async Task A_cursor_shopify_did_not_return_renders_the_body_with_page_error_and_no_orders(string cursor)
    {
        const string Template = """{% shopify_customer_orders store: "uk", after: query %}count={{ orders_count }} error={{ page_error }}{% endshopify_customer_orders %}|{% shopify_customer_addresses store: "uk", after: query %}addresses={{ addresses_count }} error={{ page_error }}{% endshopify_customer_addresses %}""";

        var html = await shop.MultiStore.RenderAsync(Template, ShopFixture.Ada, new Dictionary<string, object> { ["query"] = cursor });

        Assert.Matches("^count=0 error=.*start again from the first page.*\\|addresses=0 error=.*start again from the first page", html);
        Assert.DoesNotContain(cursor, html, StringComparison.Ordinal);
    }

    private Task<string> RenderAsync(string userId, string? status = null, string? limit = null, string? cursor = null)
    {
        var variables = new Dictionary<string, string>();
        if (status is not null)
        {
            variables["status"] = status;
        }

        if (limit is not null)
        {
            variables["limit"] = limit;
        }

        if (cursor is not null)
        {
            variables["cursor"] = cursor;
        }

        return shop.MultiStore.RenderAsync(OrderList, userId, variables);
    }

    private static List<string> OrderNames(string html) => [.. OrderNamePattern().Matches(html).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"\[(#\w+) ")]
    private static partial Regex OrderNamePattern();

    [GeneratedRegex(@"cursor=(\S+)")]
    private static partial Regex CursorPattern();
}
