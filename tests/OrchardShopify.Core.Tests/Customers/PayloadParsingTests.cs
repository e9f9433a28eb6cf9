using System.Text;
using OrchardShopify.Core.Customers;

namespace OrchardShopify.Core.Tests.Customers;

public sealed class PayloadParsingTests
{
    [Fact]
    public void The_customer_create_example_from_shopify_parses_completely()
    {
        var customer = CustomerPayloadParser.ParseCustomer(SyncHarness.Payload("customers-create-steve-lastnameson.json"));

        Assert.Equal(1073339470L, customer.Id);
        Assert.Equal("gid://shopify/Customer/1073339470", customer.AdminGraphqlApiId);
        Assert.Equal("steve.lastnameson@example.com", customer.Email);
        Assert.Equal("Steve", customer.FirstName);
        Assert.Equal("Lastnameson", customer.LastName);
        Assert.Equal("+15142546011", customer.Phone);
        Assert.Equal("enabled", customer.State);
        Assert.Null(customer.Note);
        Assert.True(customer.VerifiedEmail);
        Assert.False(customer.TaxExempt);
        Assert.Equal(new DateTimeOffset(2025, 7, 1, 14, 37, 24, TimeSpan.FromHours(-4)), customer.UpdatedAt);
        var address = Assert.Single(customer.Addresses);
        Assert.Equal(1053317300L, address.Id);
        Assert.Equal("Ottawa", address.City);
        Assert.Equal("ON", address.ProvinceCode);
        Assert.Equal("CA", address.CountryCode);
        Assert.Equal("Canada", customer.DefaultAddress!.Country);
    }

    [Fact]
    public void The_customer_resource_example_with_consent_and_metafields_parses()
    {
        var customer = CustomerPayloadParser.ParseCustomer(SyncHarness.Payload("customer-resource-bob-norman.json"));

        Assert.Equal(207119551L, customer.Id);
        Assert.Equal("bob.norman@mail.example.com", customer.Email);
        Assert.Equal("Placed an order that had a fraud warning", customer.Note);
        Assert.Equal("disabled", customer.State);
        Assert.Equal("+16135551111", customer.Phone);
        Assert.Equal("Louisville", Assert.Single(customer.Addresses).City);
    }

    [Fact]
    public void Nulls_and_absent_fields_are_tolerated()
    {
        var customer = CustomerPayloadParser.ParseCustomer(Encoding.UTF8.GetBytes("""{"id":5,"email":null,"first_name":null,"addresses":null,"default_address":null,"updated_at":null}"""));

        Assert.Equal(5L, customer.Id);
        Assert.Null(customer.Email);
        Assert.Null(customer.LastName);
        Assert.Empty(customer.Addresses);
        Assert.Null(customer.DefaultAddress);
        Assert.Null(customer.UpdatedAt);
    }

    [Theory]
    [InlineData("""{"id":9007199254740993}""", 9007199254740993L)]
    [InlineData("""{"id":"706405506930370084"}""", 706405506930370084L)]
    [InlineData("""{"id":9223372036854775807}""", long.MaxValue)]
    public void Ids_are_64_bit_whether_numbers_or_strings(string json, long expected)
    {
        Assert.Equal(expected, CustomerPayloadParser.ParseCustomer(Encoding.UTF8.GetBytes(json)).Id);
    }

    [Theory]
    [InlineData("""{"email":"a@b.com"}""", "'id' is missing")]
    [InlineData("""{"id":null}""", "'id' is missing")]
    [InlineData("""{"id":-4}""", "'id' must be a positive 64-bit integer")]
    [InlineData("""{"id":1.5}""", "'id' must be a positive 64-bit integer")]
    [InlineData("""{"id":92233720368547758070}""", "'id' must be a positive 64-bit integer")]
    [InlineData("""{"id":"abc"}""", "'id' must be a positive 64-bit integer")]
    [InlineData("""[1]""", "must be a JSON object")]
    public void A_payload_without_a_usable_id_is_refused_precisely(string json, string expected)
    {
        var ex = Assert.Throws<CustomerPayloadException>(() => CustomerPayloadParser.ParseCustomer(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_carries_only_the_id()
    {
        Assert.Equal(1073339470L, CustomerPayloadParser.ParseDelete(SyncHarness.Payload("customers-delete.json")).Id);
    }

    [Fact]
    public void Redact_carries_the_customer_and_orders()
    {
        var redact = CustomerPayloadParser.ParsePrivacyRequest(SyncHarness.Payload("customers-redact.json"));

        Assert.Equal(1073339470L, redact.CustomerId);
        Assert.Equal("uk-demo.myshopify.com", redact.ShopDomain);
        Assert.Equal([299938L, 280263L, 220458L], redact.Orders);
    }

    [Theory]
    [InlineData("customers/create", "customers-create-steve-lastnameson.json", 1073339470L)]
    [InlineData("customers/delete", "customers-delete.json", 1073339470L)]
    [InlineData("customers/redact", "customers-redact.json", 1073339470L)]
    [InlineData("orders/create", "orders-create-steve-lastnameson.json", 1073339470L)]
    [InlineData("shop/redact", "shop-redact.json", null)]
    public void The_customer_a_delivery_is_about_is_found_whatever_its_topic(string topic, string payload, long? expected)
    {
        // An order's own id, its line items' ids and its address's customer_id are not taken for the customer.
        Assert.Equal(expected, CustomerPayloadParser.FindCustomerId(topic, SyncHarness.Payload(payload)));
    }

    [Theory]
    [InlineData("customers/update", """{"id":"1073339470","email":null}""", 1073339470L)]
    [InlineData("customers_marketing_consent/update", """{"id":1073339470,"phone":"+15142546011","sms_marketing_consent":{"state":"subscribed"}}""", 1073339470L)]
    [InlineData("customers_email_marketing_consent/update", """{"customer_id":1073339470,"email_address":"steve.lastnameson@example.com"}""", 1073339470L)]
    [InlineData("orders/updated", """{"id":5678901234567,"customer":null}""", null)]
    [InlineData("orders/updated", """{"id":5678901234567,"customer":{"email":"x@example.com"},"customer_id":1073339470}""", 1073339470L)]
    [InlineData("customers/update", """{"id":"abc","email":"steve.lastnameson@example.com"}""", null)]
    [InlineData("customers/update", """{"id":-4}""", null)]
    [InlineData("customers/update", """{"id":1073339470,"email":""", null)]
    [InlineData("customers/update", """[{"id":1073339470}]""", null)]
    [InlineData("customers/update", "not json", null)]
    [InlineData("customers/update", "", null)]
    public void Finding_the_customer_is_lenient_and_never_throws(string topic, string json, long? expected)
    {
        Assert.Equal(expected, CustomerPayloadParser.FindCustomerId(topic, Encoding.UTF8.GetBytes(json)));
    }
}
