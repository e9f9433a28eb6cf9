using System.Net;
using System.Text.Json;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Emulator.Control;

namespace OrchardShopify.AspNetCore.Tests.Stores;

/// <summary>
/// A store whose app Shopify has not approved for protected customer data (the emulator refuses as Shopify does):
/// Register webhooks, Test connection and the import say what is missing and link what to request, not Shopify's raw error.
/// </summary>
public sealed class ProtectedCustomerDataTests
{
    private const string Docs = "https://shopify.dev/docs/apps/launch/protected-customer-data";

    [Fact]
    public async Task Register_webhooks_names_the_missing_approval_and_subscribes_nothing()
    {
        await using var env = await EmulatorSite.StartAsync(customers: 2);
        env.Emulator.SetFaults(new FaultSettings { ProtectedCustomerData = ProtectedCustomerDataAccess.NotApproved });

        using var response = await env.AdminAsync(HttpMethod.Post, "/stores/uk/webhooks");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("protected_customer_data", body.GetProperty("error").GetString());
        var message = body.GetProperty("message").GetString()!;
        Assert.StartsWith("Store uk: Shopify has not approved this app for protected customer data, so it refuses the customer webhooks (customers/create, customers/update, customers/delete).", message, StringComparison.Ordinal);
        Assert.Contains("Name, Email, Phone and Address fields (Level 2)", message, StringComparison.Ordinal);
        Assert.EndsWith(Docs, message, StringComparison.Ordinal);
        Assert.DoesNotContain("This app is not approved", message, StringComparison.Ordinal);
        Assert.Empty(env.Emulator.State.Subscriptions.ForShop(TestSite.UkDomain));

        // Once approved, the same button subscribes the three topics.
        env.Emulator.SetFaults(new FaultSettings());
        var registered = await env.AdminJsonAsync(HttpMethod.Post, "/stores/uk/webhooks");
        Assert.Equal(3, registered.GetProperty("created").GetArrayLength());
    }

    [Theory]
    [InlineData(ProtectedCustomerDataAccess.NotApproved)]
    [InlineData(ProtectedCustomerDataAccess.Level1)]
    public async Task Test_connection_reports_the_shop_and_that_customer_fields_are_refused(ProtectedCustomerDataAccess access)
    {
        await using var env = await EmulatorSite.StartAsync(customers: 2);
        env.Emulator.SetFaults(new FaultSettings { ProtectedCustomerData = access });

        var result = await env.AdminJsonAsync(HttpMethod.Post, "/stores/uk/test-connection");

        Assert.False(result.GetProperty("ok").GetBoolean());
        Assert.Equal(TestSite.UkDomain, result.GetProperty("myshopifyDomain").GetString());
        Assert.Equal(
            "Store uk: Shopify has not approved this app for protected customer data, so it refuses customers' names, emails, phone numbers and addresses.",
            result.GetProperty("error").GetString()![..result.GetProperty("error").GetString()!.IndexOf(". In", StringComparison.Ordinal)] + ".");
        Assert.Equal(Docs, result.GetProperty("helpUrl").GetString());

        env.Emulator.SetFaults(new FaultSettings());
        var approved = await env.AdminJsonAsync(HttpMethod.Post, "/stores/uk/test-connection");
        Assert.True(approved.GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, approved.GetProperty("error").ValueKind);
    }

    [Theory]
    [InlineData("all")]
    [InlineData("changed")]
    public async Task An_import_fails_with_what_to_request_and_creates_no_users(string mode)
    {
        await using var env = await EmulatorSite.StartAsync(customers: 3);
        env.Emulator.SetFaults(new FaultSettings { ProtectedCustomerData = ProtectedCustomerDataAccess.NotApproved });

        var started = await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk", new { mode, since = mode == "changed" ? "2020-01-01T00:00:00Z" : null });
        var status = await env.WaitForJobAsync($"/import/{started.GetProperty("id").GetString()}");

        Assert.Equal("failed", status.GetProperty("status").GetString());
        var error = status.GetProperty("error").GetString()!;
        Assert.StartsWith("Store uk: Shopify has not approved this app for protected customer data", error, StringComparison.Ordinal);
        Assert.EndsWith(Docs, error, StringComparison.Ordinal);
        Assert.Empty(await env.Site.WithUsersAsync(users => Task.FromResult(users.Users.ToList())));
    }
}
