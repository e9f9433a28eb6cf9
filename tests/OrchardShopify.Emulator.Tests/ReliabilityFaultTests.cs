using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Emulator.Tests.Infrastructure;

namespace OrchardShopify.Emulator.Tests;

/// <summary>The knobs a reliability test turns: random duplicate counts, applied-but-unanswered calls, a revoked token.</summary>
public sealed class ReliabilityFaultTests
{
    private const string CreateMutation = "mutation($input: CustomerInput!) { customerCreate(input: $input) { customer { id } userErrors { message } } }";

    [Fact]
    public async Task Duplicate_range_delivers_each_webhook_between_min_and_max_times_with_one_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions
        {
            CustomersPerShop = 1,
            Faults = new FaultSettings { DuplicateDeliveries = 2, DuplicateDeliveriesMax = 3, ShuffleDeliveries = true, ShuffleWindowMs = 50, RandomSeed = 11 },
        });
        using var client = new AdminClient(emulator);
        await client.SubscribeAsync("CUSTOMERS_CREATE", receiver.Url);

        for (var i = 0; i < 20; i++)
        {
            await client.CreateCustomerAsync(new { email = $"range{i}@example.com" });
        }

        await emulator.WaitForWebhooksAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        var copiesPerWebhook = receiver.All.GroupBy(w => w.Header("X-Shopify-Webhook-Id")).ToList();

        Assert.Equal(20, copiesPerWebhook.Count);
        Assert.All(copiesPerWebhook, copies =>
        {
            Assert.InRange(copies.Count(), 2, 3);
            Assert.Single(copies.Select(c => Convert.ToBase64String(c.Body)).Distinct());
        });
        Assert.Contains(copiesPerWebhook, c => c.Count() == 2);
        Assert.Contains(copiesPerWebhook, c => c.Count() == 3);
    }

    [Fact]
    public async Task Timed_out_call_was_applied_although_the_client_got_no_answer()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions
        {
            CustomersPerShop = 1,
            Faults = new FaultSettings { ApiTimeoutRate = 1, ApiTimeoutMs = 20_000 },
        });
        using var impatient = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };
        using var request = new HttpRequestMessage(HttpMethod.Post, emulator.AdminApiUrl(Emulators.Uk))
        {
            Content = JsonContent.Create(new { query = CreateMutation, variables = new { input = new { email = "ghost@example.com" } } }),
        };
        request.Headers.Add("X-Shopify-Access-Token", emulator.Options.AccessToken);

        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.SendAsync(request));

        Assert.NotNull(emulator.Shops[Emulators.Uk].FindByEmail("ghost@example.com"));
    }

    [Fact]
    public async Task Revoked_token_is_answered_401_until_the_fault_is_cleared()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1 });
        using var client = new AdminClient(emulator);
        var faults = new Uri(emulator.BaseUrl, "_emulator/faults");

        using (await client.Http.PostAsJsonAsync(faults, new { accessTokenRevoked = true }))
        {
        }

        var revoked = await client.SendAsync(CreateMutation, new { input = new { email = "revoked@example.com" } });
        using (await client.Http.DeleteAsync(faults))
        {
        }

        var restored = await client.SendAsync("{ shop { name } }");

        Assert.Equal(HttpStatusCode.Unauthorized, revoked.Status);
        Assert.Contains("Invalid API key or access token", revoked.Body["errors"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(emulator.Shops[Emulators.Uk].FindByEmail("revoked@example.com"));
        Assert.Equal(HttpStatusCode.OK, restored.Status);
    }

    [Fact]
    public void Command_line_takes_a_duplicate_range_timeouts_and_a_revoked_token()
    {
        var (options, error) = EmulatorCommandLine.Parse(["--duplicate-deliveries", "2-3", "--api-timeout-rate", "0.1", "--api-timeout-ms=4000", "--access-token-revoked"]);

        Assert.Null(error);
        var faults = options!.Faults;
        Assert.Equal((2, (int?)3, 0.1, 4000, true), (faults.DuplicateDeliveries, faults.DuplicateDeliveriesMax, faults.ApiTimeoutRate, faults.ApiTimeoutMs, faults.AccessTokenRevoked));
    }

    [Theory]
    [InlineData("--duplicate-deliveries", "3-2")]
    [InlineData("--duplicate-deliveries", "2-30")]
    [InlineData("--api-timeout-rate", "1.5")]
    [InlineData("--api-timeout-ms", "90000")]
    public void Bad_fault_values_name_the_option(string option, string value)
    {
        var (options, error) = EmulatorCommandLine.Parse([option, value]);

        Assert.Null(options);
        Assert.Contains(option, error, StringComparison.Ordinal);
        Assert.Contains(value, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Fault_endpoint_refuses_a_duplicate_maximum_below_the_minimum()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1 });
        using var http = new HttpClient();
        var faults = new Uri(emulator.BaseUrl, "_emulator/faults");

        using var refused = await http.PostAsJsonAsync(faults, new { duplicateDeliveries = 3, duplicateDeliveriesMax = 2 });
        using var accepted = await http.PostAsJsonAsync(faults, new { duplicateDeliveries = 2, duplicateDeliveriesMax = 3, apiTimeoutRate = 0.2 });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("duplicateDeliveriesMax", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        var current = JsonNode.Parse(await http.GetStringAsync(faults))!;
        Assert.Equal(3, current["duplicateDeliveriesMax"]!.GetValue<int>());
        Assert.Equal(0.2, current["apiTimeoutRate"]!.GetValue<double>());
    }
}
