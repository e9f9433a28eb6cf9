using System.Text;
using System.Text.Json;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.Core.Tests.Customers;

/// <summary>The commerce signals read from Shopify's REST payloads (Shopify's own examples) and from GraphQL customer nodes.</summary>
public sealed class SignalParsingTests
{
    [Fact]
    public void The_customers_create_example_carries_no_orders_no_tags_and_email_not_subscribed()
    {
        var signals = CustomerPayloadParser.ParseCustomer(SyncHarness.Payload("customers-create-steve-lastnameson.json")).Signals;

        Assert.NotNull(signals);
        Assert.Equal(0L, signals.NumberOfOrders);
        Assert.Equal(0.00m, signals.AmountSpent);
        Assert.Equal("USD", signals.Currency);
        Assert.Empty(signals.Tags);
        Assert.Equal("not_subscribed", signals.EmailMarketingState);
        Assert.Equal("enabled", signals.State);
        Assert.True(signals.VerifiedEmail);
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 14, 37, 24, TimeSpan.FromHours(-4)), signals.UpdatedAt);
    }

    [Fact]
    public void The_customer_resource_example_carries_orders_spend_tag_and_consent()
    {
        var signals = CustomerPayloadParser.ParseCustomer(SyncHarness.Payload("customer-resource-bob-norman.json")).Signals!;

        Assert.Equal(3L, signals.NumberOfOrders);
        Assert.Equal(375.30m, signals.AmountSpent);
        Assert.Equal(["loyal"], signals.Tags);
        Assert.Equal("subscribed", signals.EmailMarketingState);
        Assert.Equal("disabled", signals.State);
    }

    [Fact]
    public void Comma_separated_tags_with_accents_are_split_and_trimmed()
    {
        var signals = CustomerPayloadParser.ParseCustomer(SyncHarness.Payload("customer-get-bob-norman.json")).Signals!;

        Assert.Equal(["Léon", "Noël"], signals.Tags);
        Assert.True(signals.HasTag("noël"));
        Assert.True(signals.HasTag(" Léon "));
        Assert.False(signals.HasTag("Leon"));
        Assert.Equal((1L, 199.65m, "USD"), (signals.NumberOfOrders, signals.AmountSpent, signals.Currency));
        Assert.Equal("not_subscribed", signals.EmailMarketingState);
    }

    [Theory]
    [InlineData("wholesale, VIP ,, wholesale,vip", new[] { "wholesale", "VIP" })]
    [InlineData("", new string[0])]
    [InlineData(" , ", new string[0])]
    public void Tags_drop_empties_and_case_insensitive_repeats(string tags, string[] expected)
    {
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { id = 5, tags, updated_at = "2026-12-01T10:00:00Z" }));

        Assert.Equal(expected, CustomerPayloadParser.ParseCustomer(body).Signals!.Tags);
    }

    [Fact]
    public void A_payload_without_tags_carries_no_signals_so_stored_tags_are_not_cleared()
    {
        var customer = CustomerPayloadParser.ParseCustomer(Encoding.UTF8.GetBytes("""{"id":5,"orders_count":2,"state":"enabled","updated_at":"2026-12-01T10:00:00Z"}"""));

        Assert.Null(customer.Signals);
    }

    [Fact]
    public void Unreadable_counts_and_amounts_read_as_unknown_not_zero()
    {
        var signals = CustomerPayloadParser.ParseCustomer(Encoding.UTF8.GetBytes("""{"id":5,"tags":"a","orders_count":-1,"total_spent":"n/a","email_marketing_consent":null}""")).Signals!;

        Assert.Null(signals.NumberOfOrders);
        Assert.Null(signals.AmountSpent);
        Assert.Null(signals.EmailMarketingState);
        Assert.Null(signals.UpdatedAt);
    }

    [Fact]
    public void A_graphql_customer_node_reads_the_same_signals_in_the_rest_spelling()
    {
        using var node = JsonDocument.Parse("""
            {
              "id": "gid://shopify/Customer/207119551",
              "firstName": "Bob",
              "lastName": "Norman",
              "updatedAt": "2025-07-01T18:33:13Z",
              "verifiedEmail": true,
              "state": "DISABLED",
              "numberOfOrders": "1",
              "amountSpent": { "amount": "199.65", "currencyCode": "USD" },
              "tags": ["Léon", "Noël"],
              "defaultEmailAddress": { "emailAddress": "bob.norman@mail.example.com", "marketingState": "NOT_SUBSCRIBED" },
              "defaultPhoneNumber": null
            }
            """);

        var customer = ShopifyCustomerClient.ReadCustomer(node.RootElement);
        var rest = CustomerPayloadParser.ParseCustomer(SyncHarness.Payload("customer-get-bob-norman.json")).Signals!;

        Assert.NotNull(customer.Signals);
        Assert.True(rest.SameAs(customer.Signals), $"REST {rest} vs GraphQL {customer.Signals}");
    }

    [Fact]
    public void A_graphql_node_without_tags_has_no_signals()
    {
        using var node = JsonDocument.Parse("""{"id":"gid://shopify/Customer/1","firstName":"A","updatedAt":"2026-12-01T10:00:00Z","verifiedEmail":true}""");

        Assert.Null(ShopifyCustomerClient.ReadCustomer(node.RootElement).Signals);
    }
}
