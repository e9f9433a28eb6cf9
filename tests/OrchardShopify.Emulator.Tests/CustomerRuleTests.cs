using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using OrchardShopify.Emulator.Tests.Infrastructure;

namespace OrchardShopify.Emulator.Tests;

public sealed class CustomerRuleTests
{
    private const string Create = "mutation($input: CustomerInput!) { customerCreate(input: $input) { customer { id phone } userErrors { field message } } }";
    private const string Update = "mutation($input: CustomerInput!) { customerUpdate(input: $input) { customer { id updatedAt } userErrors { field message } } }";

    [Fact]
    public async Task Duplicate_email_is_rejected_as_taken_and_no_second_customer_is_created()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        await client.CreateCustomerAsync(new { email = "ada@example.com", firstName = "Ada" });
        var count = emulator.Shops[Emulators.Uk].Count;

        var data = await client.DataAsync(Create, new { input = new { email = "ADA@example.com", firstName = "Other" } });

        var error = Assert.Single(data["customerCreate"]!["userErrors"]!.AsArray());
        Assert.Equal("Email has already been taken", error!["message"]!.GetValue<string>());
        Assert.Equal(["email"], error["field"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.Null(data["customerCreate"]!["customer"]);
        Assert.Equal(count, emulator.Shops[Emulators.Uk].Count);
    }

    [Fact]
    public async Task Duplicate_phone_in_another_format_is_rejected_as_taken()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        await client.CreateCustomerAsync(new { phone = "+16135551212", lastName = "One" });

        var data = await client.DataAsync(Create, new { input = new { phone = "(613)555-1212", lastName = "Two" } });

        var error = Assert.Single(data["customerCreate"]!["userErrors"]!.AsArray());
        Assert.Equal("Phone has already been taken", error!["message"]!.GetValue<string>());
        Assert.Equal("phone", error["field"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Same_email_is_allowed_in_a_different_shop()
    {
        await using var emulator = await Emulators.StartAsync();
        using var uk = new AdminClient(emulator, Emulators.Uk);
        using var us = new AdminClient(emulator, Emulators.Us);

        await uk.CreateCustomerAsync(new { email = "twin@example.com" });
        var other = await us.CreateCustomerAsync(new { email = "twin@example.com" });

        Assert.NotNull(other["id"]);
    }

    [Theory]
    [InlineData("6135551212")]
    [InlineData("+16135551212")]
    [InlineData("(613)555-1212")]
    [InlineData("+1 613-555-1212")]
    [InlineData("1-613-555-1212")]
    public async Task Phone_input_is_normalized_to_E164(string input)
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var customer = await client.CreateCustomerAsync(new { phone = input });

        Assert.Equal("+16135551212", customer["phone"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("+39 06 6982 1234", "+390669821234")]
    [InlineData("0044 20 7946 0958", "+442079460958")]
    [InlineData("+44 7700 900123", "+447700900123")]
    public async Task International_phone_is_stored_in_E164(string input, string expected)
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var customer = await client.CreateCustomerAsync(new { phone = input });

        Assert.Equal(expected, customer["phone"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("+39 6 6982 1234")]
    [InlineData("+44 7700 9001")]
    [InlineData("555-1212")]
    [InlineData("call me")]
    [InlineData("+1 113 555 1212")]
    public async Task Unusable_phone_is_rejected_as_invalid(string input)
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var data = await client.DataAsync(Create, new { input = new { phone = input, firstName = "P" } });

        var error = Assert.Single(data["customerCreate"]!["userErrors"]!.AsArray());
        Assert.Equal("Phone is invalid", error!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Customer_without_name_phone_or_email_is_rejected()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);

        var data = await client.DataAsync(Create, new { input = new { note = "nobody" } });

        var error = Assert.Single(data["customerCreate"]!["userErrors"]!.AsArray());
        Assert.Equal("Customer must have a name, phone number or email address", error!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpdatedAt_strictly_advances_on_every_change_even_within_one_second()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 10, 5, 12, 0, 0, TimeSpan.Zero));
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1, TimeProvider = clock });
        using var client = new AdminClient(emulator);
        var created = await client.CreateCustomerAsync(new { firstName = "Tick" });
        var id = created["id"]!.GetValue<string>();

        var stamps = new List<DateTimeOffset> { DateTimeOffset.Parse(created["updatedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture) };
        for (var i = 0; i < 3; i++)
        {
            var data = await client.DataAsync(Update, new { input = new { id, note = $"n{i}" } });
            stamps.Add(DateTimeOffset.Parse(data["customerUpdate"]!["customer"]!["updatedAt"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        }

        Assert.True(stamps.Zip(stamps.Skip(1)).All(p => p.Second > p.First), string.Join(", ", stamps));
    }

    [Fact]
    public async Task Customer_with_orders_cannot_be_deleted_but_one_without_orders_can()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        var shop = emulator.Shops[Emulators.Uk];
        var withOrders = shop.Snapshot().First(c => !c.Orders.IsEmpty);
        var fresh = await client.CreateCustomerAsync(new { email = "gone@example.com" });
        const string delete = "mutation($id: ID!) { customerDelete(input: {id: $id}) { deletedCustomerId userErrors { field message } } }";

        var refused = await client.DataAsync(delete, new { id = $"gid://shopify/Customer/{withOrders.Id}" });
        var deleted = await client.DataAsync(delete, new { id = fresh["id"]!.GetValue<string>() });

        Assert.Null(refused["customerDelete"]!["deletedCustomerId"]);
        Assert.Contains("orders", refused["customerDelete"]!["userErrors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(shop.Find(withOrders.Id));
        Assert.Equal(fresh["id"]!.GetValue<string>(), deleted["customerDelete"]!["deletedCustomerId"]!.GetValue<string>());
        Assert.Null(shop.FindByEmail("gone@example.com"));
    }

    [Fact]
    public async Task CustomerSet_upserts_by_email_and_reports_taken_with_a_code()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        await client.CreateCustomerAsync(new { email = "holder@example.com" });
        const string set = "mutation($identifier: CustomerSetIdentifiers, $input: CustomerSetInput!) { customerSet(identifier: $identifier, input: $input) { customer { id firstName } userErrors { code field message } } }";

        var created = await client.DataAsync(set, new { identifier = new { email = "upsert@example.com" }, input = new { email = "upsert@example.com", firstName = "First" } });
        var updated = await client.DataAsync(set, new { identifier = new { email = "upsert@example.com" }, input = new { email = "upsert@example.com", firstName = "Second" } });
        var taken = await client.DataAsync(set, new { identifier = new { email = "upsert@example.com" }, input = new { email = "holder@example.com" } });

        Assert.Equal(created["customerSet"]!["customer"]!["id"]!.GetValue<string>(), updated["customerSet"]!["customer"]!["id"]!.GetValue<string>());
        Assert.Equal("Second", updated["customerSet"]!["customer"]!["firstName"]!.GetValue<string>());
        var error = taken["customerSet"]!["userErrors"]![0]!;
        Assert.Equal("INVALID", error["code"]!.GetValue<string>());
        var takenByInput = await client.DataAsync(set, new { input = new { email = "holder@example.com" } });
        Assert.Equal("TAKEN", takenByInput["customerSet"]!["userErrors"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(["input", "email"], takenByInput["customerSet"]!["userErrors"]![0]!["field"]!.AsArray().Select(f => f!.GetValue<string>()));
    }

    [Fact]
    public async Task CustomerByIdentifier_finds_by_email_and_by_phone_in_any_format()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        var created = await client.CreateCustomerAsync(new { email = "find.me@example.com", phone = "+1 613-555-0199".Replace("0199", "2199", StringComparison.Ordinal) });
        const string find = "query($identifier: CustomerIdentifierInput!) { customerByIdentifier(identifier: $identifier) { id } }";

        var byEmail = await client.DataAsync(find, new { identifier = new { emailAddress = "Find.Me@example.com" } });
        var byPhone = await client.DataAsync(find, new { identifier = new { phoneNumber = "6135552199" } });
        var missing = await client.DataAsync(find, new { identifier = new { emailAddress = "nobody@example.com" } });

        Assert.Equal(created["id"]!.GetValue<string>(), byEmail["customerByIdentifier"]!["id"]!.GetValue<string>());
        Assert.Equal(created["id"]!.GetValue<string>(), byPhone["customerByIdentifier"]!["id"]!.GetValue<string>());
        Assert.Null(missing["customerByIdentifier"]);
    }

    [Fact]
    public async Task Customers_query_filters_by_email_phone_and_updated_at()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 10, 5, 12, 0, 0, TimeSpan.Zero));
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 30, TimeProvider = clock });
        using var client = new AdminClient(emulator, Emulators.Us);
        var seeded = emulator.Shops[Emulators.Us].Snapshot()[4];
        var fresh = await client.CreateCustomerAsync(new { email = "recent@example.com" });
        const string search = "query($q: String!) { customers(first: 50, query: $q) { nodes { id email } } }";

        var byEmail = await client.DataAsync(search, new { q = $"email:{seeded.Email}" });
        var byPhone = await client.DataAsync(search, new { q = $"phone:'{seeded.Phone}'" });
        var recent = await client.DataAsync(search, new { q = "updated_at:>'2026-10-01T00:00:00Z'" });

        Assert.Equal(seeded.Email, Assert.Single(byEmail["customers"]!["nodes"]!.AsArray())!["email"]!.GetValue<string>());
        Assert.Equal($"gid://shopify/Customer/{seeded.Id}", Assert.Single(byPhone["customers"]!["nodes"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Equal(fresh["id"]!.GetValue<string>(), Assert.Single(recent["customers"]!["nodes"]!.AsArray())!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cursor_pagination_visits_every_customer_exactly_once()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 45 });
        using var client = new AdminClient(emulator);
        var seen = new List<string>();
        string? after = null;
        bool hasNext;
        do
        {
            var data = await client.DataAsync("query($after: String) { customers(first: 10, after: $after, sortKey: UPDATED_AT) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }", new { after });
            var connection = data["customers"]!;
            seen.AddRange(connection["edges"]!.AsArray().Select(e => e!["node"]!["id"]!.GetValue<string>()));
            hasNext = connection["pageInfo"]!["hasNextPage"]!.GetValue<bool>();
            after = connection["pageInfo"]!["endCursor"]?.GetValue<string>();
        }
        while (hasNext);

        Assert.Equal(45, seen.Count);
        Assert.Equal(45, seen.Distinct().Count());
    }

    [Fact]
    public async Task Customer_fields_use_Shopify_shapes_for_orders_money_and_addresses()
    {
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator, Emulators.Us);
        var seeded = emulator.Shops[Emulators.Us].Snapshot().First(c => c.Orders.Length >= 2);

        var data = await client.DataAsync("""
            query($id: ID!) { customer(id: $id) {
              legacyResourceId numberOfOrders amountSpent { amount currencyCode } state verifiedEmail
              defaultPhoneNumber { phoneNumber marketingState }
              addressesV2(first: 5) { nodes { id countryCodeV2 provinceCode formattedArea } }
              lastOrder { name }
              orders(first: 10) { nodes { name displayFinancialStatus currentTotalPriceSet { shopMoney { amount currencyCode } } lineItems(first: 5) { nodes { title quantity sku originalUnitPriceSet { shopMoney { amount } } } } } }
            } }
            """, new { id = $"gid://shopify/Customer/{seeded.Id}" });

        var customer = data["customer"]!;
        Assert.Equal(seeded.Id.ToString(CultureInfo.InvariantCulture), customer["legacyResourceId"]!.GetValue<string>());
        Assert.Equal(seeded.Orders.Length.ToString(CultureInfo.InvariantCulture), customer["numberOfOrders"]!.GetValue<string>());
        Assert.Equal(seeded.AmountSpent, decimal.Parse(customer["amountSpent"]!["amount"]!.GetValue<string>(), CultureInfo.InvariantCulture));
        Assert.Equal("USD", customer["amountSpent"]!["currencyCode"]!.GetValue<string>());
        Assert.Equal(seeded.Phone, customer["defaultPhoneNumber"]!["phoneNumber"]!.GetValue<string>());
        Assert.Equal("US", customer["addressesV2"]!["nodes"]![0]!["countryCodeV2"]!.GetValue<string>());
        Assert.Equal(seeded.Orders.Length, customer["orders"]!["nodes"]!.AsArray().Count);
        Assert.IsType<string>(customer["orders"]!["nodes"]![0]!["currentTotalPriceSet"]!["shopMoney"]!["amount"]!.GetValue<object>().ToString());
        Assert.NotEmpty(customer["orders"]!["nodes"]![0]!["lineItems"]!["nodes"]!.AsArray());
    }

    [Fact]
    public async Task Orders_can_be_filtered_by_status()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 50 });
        using var client = new AdminClient(emulator);
        var customer = emulator.Shops[Emulators.Uk].Snapshot().First(c => c.Orders.Any(o => o.IsOpen) && c.Orders.Any(o => !o.IsOpen));

        var data = await client.DataAsync("query($id: ID!) { customer(id: $id) { open: orders(first: 10, query: \"status:open\") { nodes { closedAt cancelledAt } } all: orders(first: 10) { nodes { id } } } }", new { id = $"gid://shopify/Customer/{customer.Id}" });

        var open = data["customer"]!["open"]!["nodes"]!.AsArray();
        Assert.Equal(customer.Orders.Count(o => o.IsOpen), open.Count);
        Assert.All(open, o => Assert.Null(o!["closedAt"]));
        Assert.Equal(customer.Orders.Length, data["customer"]!["all"]!["nodes"]!.AsArray().Count);
    }
}
