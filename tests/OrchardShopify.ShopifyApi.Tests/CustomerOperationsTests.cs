using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.ShopifyApi.Tests.Support;
using static OrchardShopify.ShopifyApi.Tests.Support.ShopifyJson;

namespace OrchardShopify.ShopifyApi.Tests;

public sealed class CustomerOperationsTests
{
    [Fact]
    public async Task Customer_by_id_posts_to_the_store_endpoint_with_the_token_and_reads_email_and_phone_objects()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data($$"""{ "customer":{{Customer(7408779690174, "Ada", "Lovelace", "ada@example.com", "+16135551212")}}} """));
        using var shopify = new TestShopify(stub);

        var customer = await shopify.Customers.GetCustomerAsync(shopify.Store, 7408779690174, CancellationToken.None);

        var sent = Assert.Single(stub.Sent);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal("https://orchard-uk.myshopify.com/admin/api/2026-10/graphql.json", sent.Url.AbsoluteUri);
        Assert.Equal(TestShopify.Token, sent.AccessToken);
        Assert.Equal("CustomerById", sent.OperationName);
        Assert.Equal("gid://shopify/Customer/7408779690174", sent.Variables!["id"]!.GetValue<string>());
        Assert.Contains("defaultEmailAddress", sent.Query, StringComparison.Ordinal);
        Assert.NotNull(customer);
        Assert.Equal(7408779690174, customer.Id);
        Assert.Equal(new CustomerProfile("Ada", "Lovelace", "ada@example.com", "+16135551212"), customer.Profile);
        Assert.Equal(new DateTimeOffset(2026, 10, 14, 8, 15, 27, TimeSpan.Zero), customer.UpdatedAt);
    }

    [Fact]
    public async Task Unknown_customer_is_null()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data("""{"customer":null}"""));
        using var shopify = new TestShopify(stub);

        Assert.Null(await shopify.Customers.GetCustomerAsync(shopify.Store, 1, CancellationToken.None));
    }

    [Fact]
    public async Task Emulator_base_url_keeps_its_path_and_a_store_can_pin_another_version()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data("""{"customer":null}"""));
        using var shopify = new TestShopify(stub, apiBaseUrl: new Uri("http://127.0.0.1:5123/shops/orchard-uk.myshopify.com"), apiVersion: "2026-07");

        await shopify.Customers.GetCustomerAsync(shopify.Store, 1, CancellationToken.None);

        Assert.Equal("http://127.0.0.1:5123/shops/orchard-uk.myshopify.com/admin/api/2026-07/graphql.json", Assert.Single(stub.Sent).Url.AbsoluteUri);
    }

    [Fact]
    public async Task Find_by_email_confirms_the_exact_address_among_tokenized_search_results()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data($$"""
            { "customers":{ "nodes":[{{Customer(1, "Ada", "Byron", "ada.byron@example.com", null)}},{{Customer(2, "Ada", "Lovelace", "Ada@Example.com", null)}}]} } 
            """));
        using var shopify = new TestShopify(stub);

        var found = await shopify.Customers.FindCustomerByEmailAsync(shopify.Store, "ada@example.com", CancellationToken.None);

        Assert.Equal(2, found?.Id);
        var sent = Assert.Single(stub.Sent);
        Assert.Equal("CustomerSearch", sent.OperationName);
        Assert.Equal("email:\"ada@example.com\"", sent.Variables!["query"]!.GetValue<string>());
    }

    [Fact]
    public async Task Find_by_email_is_null_when_only_similar_addresses_match()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data($$"""{ "customers":{ "nodes":[{{Customer(1, "Ada", "Byron", "ada.byron@example.com", null)}}]} } """));
        using var shopify = new TestShopify(stub);

        Assert.Null(await shopify.Customers.FindCustomerByEmailAsync(shopify.Store, "ada@example.com", CancellationToken.None));
    }

    [Fact]
    public async Task Find_by_phone_matches_the_e164_number_exactly()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data($$"""
            { "customers":{ "nodes":[{{Customer(3, "Bob", null, null, "+16135551213")}},{{Customer(4, "Cy", null, null, "+16135551212")}}]} } 
            """));
        using var shopify = new TestShopify(stub);

        var found = await shopify.Customers.FindCustomerByPhoneAsync(shopify.Store, "+16135551212", CancellationToken.None);

        Assert.Equal(4, found?.Id);
        Assert.Equal("phone:\"+16135551212\"", Assert.Single(stub.Sent).Variables!["query"]!.GetValue<string>());
    }

    [Fact]
    public async Task Customers_updated_since_follow_the_cursor_200_at_a_time_so_a_page_with_signals_stays_under_1000_points()
    {
        var stub = new ShopifyStub((sent, n) => n == 1
            ? ShopifyStub.Data($$"""{ "customers":{ "nodes":[{{Customer(1, "A", null, "a@example.com", null)}},{{Customer(2, "B", null, "b@example.com", null)}}],"pageInfo":{ "hasNextPage":true,"endCursor":"eyJsYXN0X2lkIjoyfQ=="} } } """)
            : ShopifyStub.Data($$"""{ "customers":{ "nodes":[{{Customer(3, "C", null, "c@example.com", null)}}],"pageInfo":{ "hasNextPage":false,"endCursor":"eyJsYXN0X2lkIjozfQ=="} } } """));
        using var shopify = new TestShopify(stub);

        var ids = new List<long>();
        await foreach (var customer in shopify.Customers.GetCustomersUpdatedSinceAsync(shopify.Store, new DateTimeOffset(2026, 10, 1, 12, 30, 0, TimeSpan.FromHours(2)), CancellationToken.None))
        {
            ids.Add(customer.Id);
        }

        Assert.Equal([1, 2, 3], ids);
        Assert.Equal(2, stub.Sent.Count);
        Assert.All(stub.Sent, s =>
        {
            Assert.Equal("updated_at:>'2026-10-01T10:30:00Z'", s.Variables!["query"]!.GetValue<string>());
            Assert.Equal(200, s.Variables!["first"]!.GetValue<int>());
        });
        Assert.Null(stub.Sent[0].Variables!["after"]);
        Assert.Equal("eyJsYXN0X2lkIjoyfQ==", stub.Sent[1].Variables!["after"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_sends_the_profile_as_customer_input()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data($$"""{ "customerCreate":{ "customer":{{Customer(9, "Ada", "Lovelace", "ada@example.com", "+16135551212")}},"userErrors":[]} } """, requested: 10, actual: 10));
        using var shopify = new TestShopify(stub);

        var created = await shopify.Customers.CreateCustomerAsync(shopify.Store, new CustomerProfile("Ada", "Lovelace", "ada@example.com", "+16135551212"), CancellationToken.None);

        Assert.Equal(9, created.Id);
        var input = Assert.Single(stub.Sent).Variables!["input"]!.AsObject();
        Assert.Equal(["firstName", "lastName", "email", "phone"], input.Select(p => p.Key));
        Assert.Equal("ada@example.com", input["email"]!.GetValue<string>());
        Assert.Equal("+16135551212", input["phone"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_sends_only_the_changed_fields()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data($$"""{ "customerUpdate":{ "customer":{{Customer(9, "Ada", "King", "ada@example.com", "+442079460000")}},"userErrors":[]} } """, requested: 10, actual: 10));
        using var shopify = new TestShopify(stub);

        var updated = await shopify.Customers.UpdateCustomerAsync(
            shopify.Store, 9, new CustomerProfile("Ada", "King", "ada@example.com", "+442079460000"), ProfileFields.LastName | ProfileFields.Phone, CancellationToken.None);

        var sent = Assert.Single(stub.Sent);
        Assert.Equal("CustomerUpdate", sent.OperationName);
        var input = sent.Variables!["input"]!.AsObject();
        Assert.Equal(["id", "lastName", "phone"], input.Select(p => p.Key));
        Assert.Equal("gid://shopify/Customer/9", input["id"]!.GetValue<string>());
        Assert.Equal("King", updated.Profile.LastName);
    }

    [Fact]
    public async Task Update_that_clears_a_field_sends_null()
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data($$"""{ "customerUpdate":{ "customer":{{Customer(9, "Ada", "King", "ada@example.com", null)}},"userErrors":[]} } """));
        using var shopify = new TestShopify(stub);

        await shopify.Customers.UpdateCustomerAsync(shopify.Store, 9, new CustomerProfile("Ada", "King", "ada@example.com", null), ProfileFields.Phone, CancellationToken.None);

        var input = Assert.Single(stub.Sent).Variables!["input"]!.AsObject();
        Assert.True(input.ContainsKey("phone"));
        Assert.Null(input["phone"]);
    }

    [Theory]
    [InlineData("email", "Email has already been taken", ShopifyUserErrorCode.EmailTaken)]
    [InlineData("phone", "Phone has already been taken", ShopifyUserErrorCode.PhoneTaken)]
    [InlineData("phone", "Phone is invalid", ShopifyUserErrorCode.Invalid)]
    [InlineData("email", "Email is invalid", ShopifyUserErrorCode.Invalid)]
    [InlineData("customer", "Customer must have a name, phone number or email address", ShopifyUserErrorCode.Other)]
    [InlineData("firstName", "First name can't be blank", ShopifyUserErrorCode.Blank)]
    public async Task User_errors_become_typed_exceptions(string field, string message, ShopifyUserErrorCode expected)
    {
        var stub = new ShopifyStub((_, _) => ShopifyStub.Data($$"""{ "customerCreate":{ "customer":null,"userErrors":[{ "field":["{{field}}"],"message":"{{message}}"} ]} } """));
        using var shopify = new TestShopify(stub);

        var error = await Assert.ThrowsAsync<ShopifyUserErrorException>(() =>
            shopify.Customers.CreateCustomerAsync(shopify.Store, new CustomerProfile("Ada", null, "ada@example.com", "+16135551212"), CancellationToken.None));

        Assert.Equal(expected, error.Code);
        Assert.Equal(field, error.Field);
        Assert.False(error.IsTransient);
        Assert.Equal("uk", error.StoreHandle);
        Assert.Equal("CustomerCreate", error.Operation);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Single(stub.Sent);
    }
}
