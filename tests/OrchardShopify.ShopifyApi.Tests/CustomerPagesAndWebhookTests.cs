using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.ShopifyApi.Tests.Support;

namespace OrchardShopify.ShopifyApi.Tests;

public sealed class CustomerPagesAndWebhookTests
{
    private const string Address = """
        {"id":"gid://shopify/MailingAddress/9284721410?model_name=CustomerAddress","firstName":"Ada","lastName":"Lovelace","name":"Ada Lovelace","company":null,"address1":"12 St James's Square","address2":null,"city":"London","province":"England","provinceCode":"ENG","zip":"SW1Y 4LB","country":"United Kingdom","countryCodeV2":"GB","phone":"+442079460000","formatted":["12 St James's Square","London","SW1Y 4LB","United Kingdom"]}
        """;

    [Fact]
    public async Task Customer_view_reads_order_count_string_money_last_order_and_default_address()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data($$"""
            {"customer":{"id":"gid://shopify/Customer/42","displayName":"Ada Lovelace","firstName":"Ada","lastName":"Lovelace","note":"VIP","numberOfOrders":"3","createdAt":"2025-02-01T10:00:00Z","updatedAt":"2026-10-14T08:15:27Z",
             "defaultEmailAddress":{"emailAddress":"ada@example.com"},"defaultPhoneNumber":{"phoneNumber":"+442079460000"},
             "amountSpent":{"amount":"249.50","currencyCode":"GBP"},
             "lastOrder":{"id":"gid://shopify/Order/5001","name":"#1003","createdAt":"2026-10-10T09:00:00Z","displayFinancialStatus":"PAID","displayFulfillmentStatus":"FULFILLED","statusPageUrl":"https://orchard-uk.myshopify.com/73/orders/abc/authenticate?key=xyz","currentTotalPriceSet":{"shopMoney":{"amount":"99.00","currencyCode":"GBP"} } },
             "defaultAddress":{{Address}} } }
            """, requested: 10, actual: 8));
        using var shopify = new TestShopify(stub);

        var view = await shopify.Customers.GetCustomerViewAsync(shopify.Store, 42, CancellationToken.None);

        Assert.NotNull(view);
        Assert.Equal(3, view.NumberOfOrders);
        Assert.Equal(new ShopifyMoney(249.50m, "GBP"), view.AmountSpent);
        Assert.Equal("ada@example.com", view.Email);
        Assert.Equal("+442079460000", view.Phone);
        Assert.Equal("VIP", view.Note);
        Assert.Equal("#1003", view.LastOrder?.Name);
        Assert.Equal("FULFILLED", view.LastOrder?.FulfillmentStatus);
        Assert.Equal(new ShopifyMoney(99.00m, "GBP"), view.LastOrder?.Total);
        Assert.Equal("orchard-uk.myshopify.com", view.LastOrder?.StatusPageUrl?.Host);
        Assert.True(view.DefaultAddress?.IsDefault);
        Assert.Equal("GB", view.DefaultAddress?.CountryCode);
        Assert.Equal(4, view.DefaultAddress?.Formatted.Count);
    }

    [Fact]
    public async Task Addresses_come_from_addresses_v2_with_the_default_flagged_and_a_cursor()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data($$"""
            {"customer":{"defaultAddress":{"id":"gid://shopify/MailingAddress/9284721410?model_name=CustomerAddress"},
             "addressesV2":{"nodes":[{{Address}},{"id":"gid://shopify/MailingAddress/9284721411?model_name=CustomerAddress","address1":"1 Rue de Rivoli","city":"Paris","countryCodeV2":"FR","formatted":[]}],
             "pageInfo":{"hasNextPage":true,"endCursor":"YWRkcjI="} } } }
            """));
        using var shopify = new TestShopify(stub);

        var page = await shopify.Customers.GetAddressesAsync(shopify.Store, 42, first: 2, after: null, CancellationToken.None);

        Assert.Equal([true, false], page.Items.Select(a => a.IsDefault));
        Assert.Equal("Paris", page.Items[1].City);
        Assert.True(page.HasNextPage);
        Assert.Equal("YWRkcjI=", page.EndCursor);
        var sent = Assert.Single(stub.Sent);
        Assert.Contains("addressesV2", sent.Query, StringComparison.Ordinal);
        Assert.Equal(2, sent.Variables!["first"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(OrderStatusFilter.Open, "status:open")]
    [InlineData(OrderStatusFilter.Closed, "status:closed")]
    [InlineData(OrderStatusFilter.Cancelled, "status:cancelled")]
    [InlineData(OrderStatusFilter.Any, null)]
    public async Task Orders_are_filtered_by_status_and_read_with_line_items_and_totals(OrderStatusFilter status, string? expectedQuery)
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data("""
            {"customer":{"orders":{"nodes":[{"id":"gid://shopify/Order/5001","name":"#1003","createdAt":"2026-10-10T09:00:00Z","processedAt":"2026-10-10T09:00:01Z","cancelledAt":null,"closedAt":null,
              "displayFinancialStatus":"PAID","displayFulfillmentStatus":"UNFULFILLED","statusPageUrl":"https://orchard-uk.myshopify.com/73/orders/abc/authenticate?key=xyz",
              "currentSubtotalPriceSet":{"shopMoney":{"amount":"90.00","currencyCode":"GBP"}},"currentShippingPriceSet":{"shopMoney":{"amount":"4.99","currencyCode":"GBP"}},
              "currentTotalTaxSet":{"shopMoney":{"amount":"15.00","currencyCode":"GBP"}},"currentTotalPriceSet":{"shopMoney":{"amount":"94.99","currencyCode":"GBP"}},
              "lineItems":{"nodes":[{"id":"gid://shopify/LineItem/1","title":"Analytical Engine","variantTitle":"Brass","sku":"AE-1","quantity":2,"currentQuantity":2,"discountedTotalSet":{"shopMoney":{"amount":"90.00","currencyCode":"GBP"}}}],"pageInfo":{"hasNextPage":false}}}],
             "pageInfo":{"hasNextPage":false,"endCursor":"b3JkZXIx"}}}}
            """, requested: 412, actual: 14));
        using var shopify = new TestShopify(stub);

        var page = await shopify.Customers.GetOrdersAsync(shopify.Store, 42, status, first: 10, after: "cHJldg==", CancellationToken.None);

        var sent = Assert.Single(stub.Sent);
        Assert.Equal(expectedQuery, sent.Variables!["query"]?.GetValue<string>());
        Assert.Equal("cHJldg==", sent.Variables!["after"]!.GetValue<string>());
        var order = Assert.Single(page.Items);
        Assert.Equal("UNFULFILLED", order.FulfillmentStatus);
        Assert.Equal(new ShopifyMoney(94.99m, "GBP"), order.Total);
        Assert.Equal(new ShopifyMoney(4.99m, "GBP"), order.Shipping);
        var line = Assert.Single(order.LineItems);
        Assert.Equal(("Analytical Engine", 2, "AE-1"), (line.Title, line.Quantity, line.Sku));
        Assert.False(order.IsCancelled);
        Assert.Equal("b3JkZXIx", page.EndCursor);
    }

    [Fact]
    public async Task Registering_customer_webhooks_creates_only_the_missing_topics()
    {
        var callback = new Uri("https://shop.example.com/!/shopify/webhook");
        var stub = new ShopifyStub((sent, _) => sent.OperationName switch
        {
            "WebhookSubscriptions" => ShopifyStub.Data("""
                {"webhookSubscriptions":{"nodes":[
                  {"id":"gid://shopify/WebhookSubscription/1","topic":"CUSTOMERS_CREATE","uri":"https://shop.example.com/!/shopify/webhook","format":"JSON"},
                  {"id":"gid://shopify/WebhookSubscription/2","topic":"CUSTOMERS_UPDATE","uri":"https://elsewhere.example.com/hook","format":"JSON"}],
                 "pageInfo":{"hasNextPage":false,"endCursor":null}}}
                """),
            "WebhookSubscriptionCreate" => ShopifyStub.Data($$"""
                {"webhookSubscriptionCreate":{"webhookSubscription":{"id":"gid://shopify/WebhookSubscription/{{sent.Variables!["topic"]!.GetValue<string>().Length}}","topic":"{{sent.Variables!["topic"]!.GetValue<string>()}}","uri":"{{sent.Variables!["uri"]!.GetValue<string>()}}","format":"JSON"},"userErrors":[]} }
                """),
            _ => throw new InvalidOperationException(sent.OperationName),
        });
        using var shopify = new TestShopify(stub);

        var result = await shopify.Webhooks.RegisterCustomerWebhooksAsync(shopify.Store, callback, CancellationToken.None);

        Assert.Equal(["CUSTOMERS_CREATE"], result.AlreadyRegistered.Select(s => s.Topic));
        Assert.Equal(["CUSTOMERS_UPDATE", "CUSTOMERS_DELETE"], result.Created.Select(s => s.Topic));
        var creates = stub.Operations("WebhookSubscriptionCreate").ToList();
        Assert.All(creates, c => Assert.Equal(callback.AbsoluteUri, c.Variables!["uri"]!.GetValue<string>()));
        var list = stub.Operations("WebhookSubscriptions").Single();
        Assert.Equal(["CUSTOMERS_CREATE", "CUSTOMERS_UPDATE", "CUSTOMERS_DELETE"], list.Variables!["topics"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [Fact]
    public async Task Deleting_a_subscription_reports_whether_it_existed()
    {
        var stub = new ShopifyStub((sent, n) => ShopifyStub.Data(n == 1
            ? """{"webhookSubscriptionDelete":{"deletedWebhookSubscriptionId":"gid://shopify/WebhookSubscription/1","userErrors":[]}}"""
            : """{"webhookSubscriptionDelete":{"deletedWebhookSubscriptionId":null,"userErrors":[]}}"""));
        using var shopify = new TestShopify(stub);

        Assert.True(await shopify.Webhooks.DeleteAsync(shopify.Store, "gid://shopify/WebhookSubscription/1", CancellationToken.None));
        Assert.False(await shopify.Webhooks.DeleteAsync(shopify.Store, "gid://shopify/WebhookSubscription/1", CancellationToken.None));
        Assert.Equal("gid://shopify/WebhookSubscription/1", stub.Sent[0].Variables!["id"]!.GetValue<string>());
    }
}
