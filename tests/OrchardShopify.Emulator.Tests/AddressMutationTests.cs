using System.Text.Json.Nodes;
using OrchardShopify.Emulator.Tests.Infrastructure;

namespace OrchardShopify.Emulator.Tests;

public sealed class AddressMutationTests
{
    private const string AddressFields = "id city zip provinceCode countryCodeV2 country";
    private const string Create = $"mutation($customerId: ID!, $address: MailingAddressInput!, $setAsDefault: Boolean) {{ customerAddressCreate(customerId: $customerId, address: $address, setAsDefault: $setAsDefault) {{ address {{ {AddressFields} }} userErrors {{ field message }} }} }}";
    private const string Update = $"mutation($customerId: ID!, $addressId: ID!, $address: MailingAddressInput!, $setAsDefault: Boolean) {{ customerAddressUpdate(customerId: $customerId, addressId: $addressId, address: $address, setAsDefault: $setAsDefault) {{ address {{ {AddressFields} }} userErrors {{ field message }} }} }}";
    private const string Delete = "mutation($customerId: ID!, $addressId: ID!) { customerAddressDelete(customerId: $customerId, addressId: $addressId) { deletedAddressId userErrors { field message } } }";
    private const string Read = "query($id: ID!) { customer(id: $id) { updatedAt defaultAddress { id city } addressesV2(first: 50) { nodes { id city } } } }";

    [Fact]
    public async Task Created_address_is_stored_and_made_default_only_when_asked_or_when_it_is_the_first()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        var customer = (await client.CreateCustomerAsync(new { email = "addr1@example.com" }))["id"]!.GetValue<string>();

        var first = await client.DataAsync(Create, new { customerId = customer, address = new { address1 = "1 Main St", city = "Ottawa", provinceCode = "on", countryCode = "CA", zip = "K1A 0B1" } });
        var second = await client.DataAsync(Create, new { customerId = customer, address = new { address1 = "2 High St", city = "Bath", countryCode = "GB", zip = "BA1 1AA" }, setAsDefault = false });
        var afterSecond = await client.DataAsync(Read, new { id = customer });
        var third = await client.DataAsync(Create, new { customerId = customer, address = new { city = "Boston", countryCode = "US", provinceCode = "MA", zip = "02108" }, setAsDefault = true });
        var afterThird = await client.DataAsync(Read, new { id = customer });

        Assert.Empty(first["customerAddressCreate"]!["userErrors"]!.AsArray());
        Assert.Equal("Canada", first["customerAddressCreate"]!["address"]!["country"]!.GetValue<string>());
        Assert.Equal("ON", first["customerAddressCreate"]!["address"]!["provinceCode"]!.GetValue<string>());
        Assert.Empty(second["customerAddressCreate"]!["userErrors"]!.AsArray());
        Assert.Equal("Ottawa", afterSecond["customer"]!["defaultAddress"]!["city"]!.GetValue<string>());
        Assert.Equal(third["customerAddressCreate"]!["address"]!["id"]!.GetValue<string>(), afterThird["customer"]!["defaultAddress"]!["id"]!.GetValue<string>());
        Assert.Equal(["Ottawa", "Bath", "Boston"], afterThird["customer"]!["addressesV2"]!["nodes"]!.AsArray().Select(n => n!["city"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("US", "NY", "1234", "zip", "Zip is not valid for United States")]
    [InlineData("CA", "ZZ", "K1A 0B1", "provinceCode", "Province is not valid for Canada")]
    [InlineData("GB", null, "NOT A CODE", "zip", "Zip is not valid for United Kingdom")]
    public async Task Address_that_does_not_fit_its_country_is_refused_with_the_field_and_Shopifys_words(string country, string? province, string zip, string field, string message)
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        var customer = (await client.CreateCustomerAsync(new { email = $"bad-{field}-{country}@example.com" }))["id"]!.GetValue<string>();

        var data = await client.DataAsync(Create, new { customerId = customer, address = new { city = "Somewhere", countryCode = country, provinceCode = province, zip } });

        var error = Assert.Single(data["customerAddressCreate"]!["userErrors"]!.AsArray());
        Assert.Equal(["address", field], error!["field"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Equal(message, error["message"]!.GetValue<string>());
        Assert.Null(data["customerAddressCreate"]!["address"]);
        Assert.Empty((await client.DataAsync(Read, new { id = customer }))["customer"]!["addressesV2"]!["nodes"]!.AsArray());
    }

    [Fact]
    public async Task Unknown_country_code_fails_the_variable_like_the_CountryCode_enum()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        var customer = (await client.CreateCustomerAsync(new { email = "qq@example.com" }))["id"]!.GetValue<string>();

        var response = await client.SendAsync(Create, new { customerId = customer, address = new { city = "Nowhere", countryCode = "QQ" } });

        Assert.Equal("INVALID_VARIABLE", response.FirstErrorCode);
        Assert.Contains("countryCode", response.FirstErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_customers_address_cannot_be_changed_or_deleted()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        var owner = (await client.CreateCustomerAsync(new { email = "owner@example.com" }))["id"]!.GetValue<string>();
        var other = (await client.CreateCustomerAsync(new { email = "other@example.com" }))["id"]!.GetValue<string>();
        var address = (await client.DataAsync(Create, new { customerId = owner, address = new { city = "Leeds", countryCode = "GB" } }))["customerAddressCreate"]!["address"]!["id"]!.GetValue<string>();

        var update = await client.DataAsync(Update, new { customerId = other, addressId = address, address = new { city = "Stolen" } });
        var delete = await client.DataAsync(Delete, new { customerId = other, addressId = address });

        Assert.Equal("Address does not exist", update["customerAddressUpdate"]!["userErrors"]![0]!["message"]!.GetValue<string>());
        Assert.Equal("addressId", update["customerAddressUpdate"]!["userErrors"]![0]!["field"]![0]!.GetValue<string>());
        Assert.Null(delete["customerAddressDelete"]!["deletedAddressId"]);
        Assert.Equal("Address does not exist", delete["customerAddressDelete"]!["userErrors"]![0]!["message"]!.GetValue<string>());
        Assert.Equal("Leeds", (await client.DataAsync(Read, new { id = owner }))["customer"]!["addressesV2"]!["nodes"]![0]!["city"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_changes_only_the_given_fields_and_can_make_the_address_default()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        var customer = (await client.CreateCustomerAsync(new { email = "upd@example.com" }))["id"]!.GetValue<string>();
        await client.DataAsync(Create, new { customerId = customer, address = new { city = "York", countryCode = "GB", zip = "YO1 7HH" } });
        var second = (await client.DataAsync(Create, new { customerId = customer, address = new { city = "Hull", countryCode = "GB", zip = "HU1 1AA" } }))["customerAddressCreate"]!["address"]!["id"]!.GetValue<string>();

        var data = await client.DataAsync(Update, new { customerId = customer, addressId = second, address = new { city = "Kingston upon Hull" }, setAsDefault = true });
        var after = await client.DataAsync(Read, new { id = customer });

        Assert.Empty(data["customerAddressUpdate"]!["userErrors"]!.AsArray());
        Assert.Equal("HU1 1AA", data["customerAddressUpdate"]!["address"]!["zip"]!.GetValue<string>());
        Assert.Equal("Kingston upon Hull", after["customer"]!["defaultAddress"]!["city"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deleting_the_default_address_makes_the_next_one_default_and_sends_customers_update()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        await client.SubscribeAsync("CUSTOMERS_UPDATE", receiver.Url);
        var customer = (await client.CreateCustomerAsync(new { email = "del@example.com" }))["id"]!.GetValue<string>();
        var first = (await client.DataAsync(Create, new { customerId = customer, address = new { city = "Derby", countryCode = "GB" } }))["customerAddressCreate"]!["address"]!["id"]!.GetValue<string>();
        await client.DataAsync(Create, new { customerId = customer, address = new { city = "Crewe", countryCode = "GB" } });
        await receiver.NextAsync();
        await receiver.NextAsync();

        var data = await client.DataAsync(Delete, new { customerId = customer, addressId = first });
        var webhook = await receiver.NextAsync();
        var after = await client.DataAsync(Read, new { id = customer });

        Assert.Equal(first, data["customerAddressDelete"]!["deletedAddressId"]!.GetValue<string>());
        Assert.Equal("Crewe", after["customer"]!["defaultAddress"]!["city"]!.GetValue<string>());
        Assert.Equal("customers/update", webhook.Header("X-Shopify-Topic"));
        var payload = JsonNode.Parse(webhook.Body)!;
        Assert.Equal(["Crewe"], payload["addresses"]!.AsArray().Select(a => a!["city"]!.GetValue<string>()));
        Assert.Equal("Crewe", payload["default_address"]!["city"]!.GetValue<string>());
        Assert.True(payload["default_address"]!["default"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Webhook_payload_lists_the_ten_most_recently_updated_addresses()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        var customer = (await client.CreateCustomerAsync(new { email = "many@example.com" }))["id"]!.GetValue<string>();
        var ids = new List<string>();
        for (var i = 1; i <= 12; i++)
        {
            ids.Add((await client.DataAsync(Create, new { customerId = customer, address = new { city = $"Town {i}", countryCode = "IE" } }))["customerAddressCreate"]!["address"]!["id"]!.GetValue<string>());
        }

        await client.SubscribeAsync("CUSTOMERS_UPDATE", receiver.Url);
        await client.DataAsync(Update, new { customerId = customer, addressId = ids[0], address = new { city = "Town 1 again" } });
        var payload = JsonNode.Parse((await receiver.NextAsync()).Body)!;
        var all = await client.DataAsync(Read, new { id = customer });

        var cities = payload["addresses"]!.AsArray().Select(a => a!["city"]!.GetValue<string>()).ToList();
        Assert.Equal(10, cities.Count);
        Assert.Contains("Town 1 again", cities);
        Assert.DoesNotContain("Town 2", cities);
        Assert.DoesNotContain("Town 3", cities);
        Assert.Equal(12, all["customer"]!["addressesV2"]!["nodes"]!.AsArray().Count);
    }
}
