using System.Diagnostics;
using System.Text.Json.Nodes;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Emulator.Tests.Infrastructure;

namespace OrchardShopify.Emulator.Tests;

public sealed class BulkOperationTests
{
    private static async Task<JsonNode> RunToCompletionAsync(AdminClient client, string bulkQuery, TimeSpan timeout)
    {
        var started = await client.DataAsync("mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message } } }", new { q = bulkQuery });
        Assert.Empty(started["bulkOperationRunQuery"]!["userErrors"]!.AsArray());
        var id = started["bulkOperationRunQuery"]!["bulkOperation"]!["id"]!.GetValue<string>();
        Assert.StartsWith("gid://shopify/BulkOperation/", id, StringComparison.Ordinal);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var poll = await client.DataAsync("query($id: ID!) { bulkOperation(id: $id) { id status objectCount rootObjectCount fileSize url } }", new { id });
            var operation = poll["bulkOperation"]!;
            if (operation["status"]!.GetValue<string>() is "COMPLETED" or "FAILED")
            {
                return operation;
            }

            Assert.True(clock.Elapsed < timeout, "bulk operation did not finish in time");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Bulk_export_writes_JSONL_with_parentId_rows_for_nested_connections()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 12 });
        using var client = new AdminClient(emulator, Emulators.Us);
        var shop = emulator.Shops[Emulators.Us].Snapshot();

        var operation = await RunToCompletionAsync(client, """
            { customers { edges { node { id email numberOfOrders
                addressesV2 { edges { node { id city } } }
                orders { edges { node { id name lineItems { edges { node { id sku } } } } } }
            } } } }
            """, TimeSpan.FromSeconds(10));
        var jsonl = await client.Http.GetStringAsync(operation["url"]!.GetValue<string>());
        var rows = jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject()).ToList();

        Assert.Equal("COMPLETED", operation["status"]!.GetValue<string>());
        var expected = shop.Count + shop.Sum(c => c.Addresses.Length + c.Orders.Length + c.Orders.Sum(o => o.LineItems.Length));
        Assert.Equal(expected, rows.Count);
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), operation["objectCount"]!.GetValue<string>());
        Assert.Equal(shop.Count, rows.Count(r => !r.ContainsKey("__parentId")));
        var customerIds = rows.Where(r => !r.ContainsKey("__parentId")).Select(r => r["id"]!.GetValue<string>()).ToHashSet();
        var orderIds = rows.Where(r => r["id"]!.GetValue<string>().Contains("/Order/", StringComparison.Ordinal)).Select(r => r["id"]!.GetValue<string>()).ToHashSet();
        Assert.All(rows.Where(r => r.ContainsKey("city") || r.ContainsKey("name")), r => Assert.Contains(r["__parentId"]!.GetValue<string>(), customerIds));
        Assert.All(rows.Where(r => r.ContainsKey("sku")), r => Assert.Contains(r["__parentId"]!.GetValue<string>(), orderIds));
        Assert.All(rows.Where(r => !r.ContainsKey("__parentId")), r => Assert.False(r.ContainsKey("addressesV2")));
    }

    /// <summary>The site's two bulk queries (src/OrchardShopify.Core/ShopifyApi/Documents) and a nodes-form one with more fields.</summary>
    public static TheoryData<string> SiteBulkQueries() => new()
    {
        """
        query BulkCustomerProfilesExport { customers { edges { node { id firstName lastName updatedAt verifiedEmail state numberOfOrders
          amountSpent { amount currencyCode } tags defaultEmailAddress { emailAddress marketingState } defaultPhoneNumber { phoneNumber } } } } }
        """,
        """
        query BulkCustomersExport { customers { edges { node { id firstName lastName note state createdAt updatedAt numberOfOrders verifiedEmail
          amountSpent { amount currencyCode } tags defaultEmailAddress { emailAddress marketingState } defaultPhoneNumber { phoneNumber }
          addressesV2 { edges { node { id firstName lastName company address1 address2 city province provinceCode zip country countryCodeV2 phone } } } } } } }
        """,
        """
        { customers(query: "-state:invited") { nodes { legacyResourceId id displayName email phone locale taxExempt canDelete validEmailAddress createdAt
          defaultPhoneNumber { marketingState phoneNumber } amountSpent { currencyCode amount } addressesV2 { nodes { name id zip } } } } }
        """,
    };

    [Theory]
    [MemberData(nameof(SiteBulkQueries))]
    public async Task Bulk_export_written_from_the_customer_model_is_the_JSONL_the_GraphQL_execution_writes(string query)
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 40 });
        using var client = new AdminClient(emulator, Emulators.Us);
        const string create = "mutation($input: CustomerInput!) { customerCreate(input: $input) { customer { id } userErrors { field message } } }";
        var created = await client.DataAsync(create, new
        {
            input = new
            {
                email = "zoe.quote@example.com",
                firstName = "Zoë \"Q\"",
                lastName = "<O'Brien & Sons>",
                note = "Line one\nline \"two\" \u00e9 \ud83c\udf4e </script>",
                tags = new[] { "vip", "a\"b", "Ünïcode" },
                addresses = new object[]
                {
                    new { address1 = "1 Main St", city = "Boston", countryCode = "US", provinceCode = "MA", zip = "02108", company = "Ørchard \"Co\"" },
                    new { address1 = "2 Side St", address2 = "Unit 5", city = "Austin", countryCode = "US", provinceCode = "TX", zip = "78701" },
                },
            },
        });
        Assert.Empty(created["customerCreate"]!["userErrors"]!.AsArray());
        var phoneOnly = await client.DataAsync(create, new { input = new { phone = "+12025550199", lastName = "Phone-only" } });
        Assert.Empty(phoneOnly["customerCreate"]!["userErrors"]!.AsArray());

        emulator.State.Bulk.UseRowPlans = false;
        var executed = await ExportAsync(client, query);
        emulator.State.Bulk.UseRowPlans = true;
        var written = await ExportAsync(client, query);

        Assert.Equal(executed.Jsonl, written.Jsonl);
        Assert.Equal(executed.ObjectCount, written.ObjectCount);
        Assert.Equal(executed.RootObjectCount, written.RootObjectCount);
        var rows = written.Jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject()).ToList();
        var customerId = created["customerCreate"]!["customer"]!["id"]!.GetValue<string>();
        var customer = Assert.Single(rows, r => r["id"]!.GetValue<string>() == customerId);
        Assert.DoesNotContain("addressesV2", customer.Select(p => p.Key));
        if (query.Contains("tags", StringComparison.Ordinal))
        {
            Assert.Equal(["a\"b", "vip", "Ünïcode"], customer["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
            var phoneOnlyId = phoneOnly["customerCreate"]!["customer"]!["id"]!.GetValue<string>();
            Assert.Null(Assert.Single(rows, r => r["id"]!.GetValue<string>() == phoneOnlyId)["defaultEmailAddress"]);
        }

        if (query.Contains("addressesV2", StringComparison.Ordinal))
        {
            var addresses = rows.Where(r => r["__parentId"]?.GetValue<string>() == customerId).ToList();
            Assert.Equal(2, addresses.Count);
            Assert.All(addresses, a => Assert.Equal("__parentId", a.Select(p => p.Key).Last()));
            Assert.All(addresses, a => Assert.StartsWith("gid://shopify/MailingAddress/", a["id"]!.GetValue<string>(), StringComparison.Ordinal));
        }
    }

    private static async Task<(string Jsonl, string ObjectCount, string RootObjectCount)> ExportAsync(AdminClient client, string query)
    {
        var operation = await RunToCompletionAsync(client, query, TimeSpan.FromSeconds(10));
        Assert.Equal("COMPLETED", operation["status"]!.GetValue<string>());
        var jsonl = await client.Http.GetStringAsync(operation["url"]!.GetValue<string>());
        return (jsonl, operation["objectCount"]!.GetValue<string>(), operation["rootObjectCount"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bulk_export_streams_a_shop_of_100000_customers()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { Shops = ["big-demo.myshopify.com"], CustomersPerShop = 100_000 });
        using var client = new AdminClient(emulator);

        var operation = await RunToCompletionAsync(client, "{ customers { edges { node { id email updatedAt } } } }", TimeSpan.FromSeconds(30));
        using var stream = await client.Http.GetStreamAsync(operation["url"]!.GetValue<string>());
        using var reader = new StreamReader(stream);
        var lines = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (lines++ == 0)
            {
                Assert.StartsWith("{\"id\":\"gid://shopify/Customer/", line, StringComparison.Ordinal);
            }
        }

        Assert.Equal(100_000, lines);
        Assert.Equal("100000", operation["rootObjectCount"]!.GetValue<string>());
    }

    [Fact]
    public async Task Only_one_bulk_query_runs_per_shop_and_currentBulkOperation_reports_it()
    {
        // The first export stays running long enough for the second request, however fast the file is written.
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions
        {
            Shops = ["big-demo.myshopify.com"],
            CustomersPerShop = 300,
            Faults = new FaultSettings { BulkOperationDelayMs = 60_000 },
        });
        using var client = new AdminClient(emulator);
        const string run = "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { code message } } }";
        var query = "{ customers { edges { node { id addressesV2 { edges { node { id } } } } } } }";

        var first = await client.DataAsync(run, new { q = query });
        var second = await client.DataAsync(run, new { q = query });
        var current = await client.DataAsync("{ currentBulkOperation { id status } }");

        var firstId = first["bulkOperationRunQuery"]!["bulkOperation"]!["id"]!.GetValue<string>();
        Assert.Equal("OPERATION_IN_PROGRESS", second["bulkOperationRunQuery"]!["userErrors"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(firstId, current["currentBulkOperation"]!["id"]!.GetValue<string>());
        Assert.Equal("RUNNING", current["currentBulkOperation"]!["status"]!.GetValue<string>());
        await emulator.DisposeAsync();
    }

    [Fact]
    public async Task Bulk_query_with_an_unknown_field_is_rejected_with_a_user_error()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1 });
        using var client = new AdminClient(emulator);

        var data = await client.DataAsync("mutation { bulkOperationRunQuery(query: \"{ customers { edges { node { id shoeSize } } } }\") { bulkOperation { id } userErrors { field message } } }");

        Assert.Null(data["bulkOperationRunQuery"]!["bulkOperation"]);
        Assert.Contains("shoeSize", data["bulkOperationRunQuery"]!["userErrors"]![0]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
