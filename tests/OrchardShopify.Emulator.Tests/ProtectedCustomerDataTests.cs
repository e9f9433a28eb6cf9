using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Emulator.Tests.Infrastructure;

namespace OrchardShopify.Emulator.Tests;

/// <summary>An app Shopify has not approved for protected customer data: refusals in Shopify's own words.</summary>
public sealed class ProtectedCustomerDataTests
{
    private const string Subscribe = "mutation($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) { webhookSubscription { id topic } userErrors { field message } } }";

    private const string WebhookRefusal = "This app is not approved to subscribe to webhook topics containing protected customer data. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.";

    private const string CustomerRefusal = "This app is not approved to access the Customer object. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.";

    [Fact]
    public async Task Not_approved_customer_topics_are_refused_as_Shopify_words_it_and_other_topics_still_subscribe()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 2, Faults = new FaultSettings { ProtectedCustomerData = ProtectedCustomerDataAccess.NotApproved } });
        using var client = new AdminClient(emulator);

        foreach (var topic in new[] { "CUSTOMERS_CREATE", "CUSTOMERS_UPDATE", "CUSTOMERS_DELETE", "ORDERS_CREATE" })
        {
            var data = await client.DataAsync(Subscribe, new { topic, sub = new { uri = "https://site.example/!/shopify/webhook", format = "JSON" } });
            var payload = data["webhookSubscriptionCreate"]!;
            Assert.Null(payload["webhookSubscription"]);
            var error = Assert.Single(payload["userErrors"]!.AsArray())!;
            Assert.Equal(WebhookRefusal, error["message"]!.GetValue<string>());
            Assert.Equal(["webhookSubscription"], error["field"]!.AsArray().Select(f => f!.GetValue<string>()));
        }

        Assert.Empty(emulator.State.Subscriptions.ForShop(client.Shop));
        await client.SubscribeAsync("APP_UNINSTALLED", new Uri("https://site.example/!/shopify/webhook"));
    }

    [Fact]
    public async Task Not_approved_the_Customer_object_is_null_with_Shopifys_error_and_customers_cannot_be_written()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 2 });
        using var client = new AdminClient(emulator);
        var before = emulator.State.Shops[client.Shop].Snapshot().Count;
        emulator.SetFaults(new FaultSettings { ProtectedCustomerData = ProtectedCustomerDataAccess.NotApproved });

        // customers is CustomerConnection! (non-null): as in any GraphQL server, the refused field's null reaches data.
        var read = await client.SendAsync("{ shop { name } customers(first: 1) { nodes { id email } } }");
        Assert.Equal(HttpStatusCode.OK, read.Status);
        Assert.Null(read.Data);
        Assert.Equal(CustomerRefusal, read.FirstErrorMessage);
        Assert.Equal("ACCESS_DENIED", read.FirstErrorCode);
        Assert.Equal(["customers"], read.Errors![0]!["path"]!.AsArray().Select(p => p!.GetValue<string>()));

        // customer(id:) is nullable: it alone is null, the rest of the answer is read.
        var one = await client.SendAsync("{ shop { name } customer(id: \"gid://shopify/Customer/1\") { id email } }");
        Assert.NotNull(one.Data!["shop"]!["name"]);
        Assert.Null(one.Data!["customer"]);
        Assert.Equal(CustomerRefusal, one.FirstErrorMessage);
        Assert.Equal("ACCESS_DENIED", one.FirstErrorCode);
        Assert.Equal(["customer"], one.Errors![0]!["path"]!.AsArray().Select(p => p!.GetValue<string>()));

        var write = await client.SendAsync("mutation { customerCreate(input: { email: \"new@example.com\" }) { customer { id } userErrors { message } } }");
        Assert.Null(write.Data!["customerCreate"]);
        Assert.Equal(CustomerRefusal, write.FirstErrorMessage);
        Assert.Equal(before, emulator.State.Shops[client.Shop].Snapshot().Count);
    }

    [Fact]
    public async Task Level_1_only_name_email_and_phone_fields_are_null_with_an_error_per_field_and_the_rest_is_read()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1 });
        using var client = new AdminClient(emulator);

        // Switched on through the control API, as a test or a developer does it against a running emulator.
        using (var switched = await client.Http.PostAsJsonAsync(new Uri(emulator.BaseUrl, "_emulator/faults"), new { protectedCustomerData = "Level1" }))
        {
            Assert.Equal(HttpStatusCode.OK, switched.StatusCode);
            Assert.Equal("Level1", (await switched.Content.ReadFromJsonAsync<JsonObject>())!["protectedCustomerData"]!.GetValue<string>());
        }

        var read = await client.SendAsync("{ customers(first: 1) { nodes { id updatedAt firstName email defaultPhoneNumber { phoneNumber } } } }");
        var node = read.Data!["customers"]!["nodes"]![0]!;
        Assert.StartsWith("gid://shopify/Customer/", node["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(node["updatedAt"]);
        Assert.Null(node["firstName"]);
        Assert.Null(node["email"]);
        Assert.Null(node["defaultPhoneNumber"]);
        Assert.Equal(3, read.Errors!.Count);
        Assert.All(read.Errors!, e => Assert.Equal(CustomerRefusal, e!["message"]!.GetValue<string>()));
        Assert.Contains(read.Errors!, e => e!["path"]!.AsArray().Select(p => p!.ToString()).SequenceEqual(["customers", "nodes", "0", "email"]));

        // Customer topics still subscribe at Level 1.
        await client.SubscribeAsync("CUSTOMERS_UPDATE", new Uri("https://site.example/!/shopify/webhook"));
    }

    [Fact]
    public async Task Not_approved_a_bulk_export_is_refused_with_Shopifys_words_as_a_user_error_and_nothing_runs()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 2 });
        using var client = new AdminClient(emulator);
        emulator.SetFaults(new FaultSettings { ProtectedCustomerData = ProtectedCustomerDataAccess.NotApproved });

        var data = await client.DataAsync(
            "mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id } userErrors { code field message } } }",
            new { q = "{ customers { edges { node { id firstName } } } }" });

        Assert.Null(data["bulkOperationRunQuery"]!["bulkOperation"]);
        var error = Assert.Single(data["bulkOperationRunQuery"]!["userErrors"]!.AsArray())!;
        Assert.Equal(CustomerRefusal, error["message"]!.GetValue<string>());
        Assert.Equal(["query"], error["field"]!.AsArray().Select(f => f!.GetValue<string>()));

        // BulkOperationUserErrorCode (INVALID, LIMIT_REACHED, OPERATION_IN_PROGRESS) has no value for this refusal.
        Assert.Null(error["code"]);
        Assert.Null(emulator.State.Bulk.Current(client.Shop));
    }
}
