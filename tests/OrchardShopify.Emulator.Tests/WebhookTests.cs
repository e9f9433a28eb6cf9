using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Emulator.Tests.Infrastructure;
using OrchardShopify.Emulator.Webhooks;

namespace OrchardShopify.Emulator.Tests;

public sealed partial class WebhookTests
{
    private const string Secret = "emulator-secret";

    private static bool Verifies(ReceivedWebhook webhook, string secret = Secret) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), webhook.Body))),
            Encoding.ASCII.GetBytes(webhook.Header("X-Shopify-Hmac-Sha256")));

    [Fact]
    public async Task Customer_create_is_delivered_with_Shopify_headers_and_an_HMAC_over_the_raw_bytes()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator, Emulators.Us);
        await client.SubscribeAsync("CUSTOMERS_CREATE", receiver.Url);

        var created = await client.CreateCustomerAsync(new { firstName = "Zoë", lastName = "Ångström", email = "zoe@example.com" });
        var webhook = await receiver.NextAsync();

        Assert.True(Verifies(webhook));
        Assert.Equal("customers/create", webhook.Header("X-Shopify-Topic"));
        Assert.Equal(Emulators.Us, webhook.Header("X-Shopify-Shop-Domain"));
        Assert.Equal("2026-10", webhook.Header("X-Shopify-API-Version"));
        Assert.True(Guid.TryParse(webhook.Header("X-Shopify-Webhook-Id"), out _));
        Assert.NotEmpty(webhook.Header("X-Shopify-Event-Id"));
        Assert.True(DateTimeOffset.TryParse(webhook.Header("X-Shopify-Triggered-At"), out _));
        Assert.True(webhook.Body.AsSpan().IndexOf("Zoë"u8) >= 0, "non-ASCII text is sent as raw UTF-8");
        var payload = JsonNode.Parse(webhook.Body)!;
        var gid = created["id"]!.GetValue<string>();
        Assert.Equal(gid, payload["admin_graphql_api_id"]!.GetValue<string>());
        Assert.Equal(gid.Split('/')[^1], payload["id"]!.GetValue<long>().ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("Zoë", payload["first_name"]!.GetValue<string>());
        Assert.Equal("zoe@example.com", payload["email"]!.GetValue<string>());
        Assert.Matches(OffsetTimestamp(), payload["updated_at"]!.GetValue<string>());
        Assert.Equal("USD", payload["currency"]!.GetValue<string>());
        Assert.NotNull(payload["addresses"]);

        // The commerce signals, as Shopify's customers/create example carries them.
        Assert.Equal("", payload["tags"]!.GetValue<string>());
        Assert.Equal(0, payload["orders_count"]!.GetValue<int>());
        Assert.Equal("0.00", payload["total_spent"]!.GetValue<string>());
        Assert.Equal("not_subscribed", payload["email_marketing_consent"]!["state"]!.GetValue<string>());
        Assert.Equal("disabled", payload["state"]!.GetValue<string>());
        Assert.True(payload["verified_email"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Re_serialized_body_does_not_verify_so_receivers_must_use_raw_bytes()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        await client.SubscribeAsync("CUSTOMERS_CREATE", receiver.Url);

        await client.CreateCustomerAsync(new { firstName = "Chloé", email = "chloe@example.com" });
        var webhook = await receiver.NextAsync();
        var reserialized = Encoding.UTF8.GetBytes(JsonNode.Parse(webhook.Body)!.ToJsonString());

        Assert.True(Verifies(webhook));
        Assert.False(Verifies(webhook with { Body = reserialized }));
    }

    [Fact]
    public async Task Customer_delete_payload_carries_only_the_ids()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        await client.SubscribeAsync("CUSTOMERS_DELETE", receiver.Url);
        var created = await client.CreateCustomerAsync(new { email = "bye@example.com" });

        await client.DataAsync("mutation($id: ID!) { customerDelete(input: {id: $id}) { deletedCustomerId userErrors { message } } }", new { id = created["id"]!.GetValue<string>() });
        var webhook = await receiver.NextAsync();

        var payload = JsonNode.Parse(webhook.Body)!.AsObject();
        Assert.Equal("customers/delete", webhook.Header("X-Shopify-Topic"));
        Assert.Equal(["id", "admin_graphql_api_id"], payload.Select(p => p.Key));
    }

    [Fact]
    public async Task Merchant_edits_through_the_control_api_are_delivered_as_webhooks()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var emulator = await Emulators.StartAsync();
        using var client = new AdminClient(emulator);
        await client.SubscribeAsync("CUSTOMERS_CREATE", receiver.Url);
        await client.SubscribeAsync("CUSTOMERS_UPDATE", receiver.Url);
        var customers = new Uri(emulator.BaseUrl, $"_emulator/shops/{Emulators.Uk}/customers");

        using var created = await client.Http.PostAsJsonAsync(customers, new { customer = new { first_name = "Merchant", email = "merchant@example.com", phone = "+44 7700 900999" } });
        var id = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<long>();
        using var updated = await client.Http.PutAsJsonAsync(new Uri(customers + "/" + id), new { note = "VIP" });
        var webhooks = await receiver.TakeAsync(2);

        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, updated.StatusCode);
        var byTopic = webhooks.ToDictionary(w => w.Header("X-Shopify-Topic"));
        Assert.Equal("+447700900999", JsonNode.Parse(byTopic["customers/create"].Body)!["phone"]!.GetValue<string>());
        Assert.Equal("VIP", JsonNode.Parse(byTopic["customers/update"].Body)!["note"]!.GetValue<string>());
        Assert.NotEqual(byTopic["customers/create"].Header("X-Shopify-Event-Id"), byTopic["customers/update"].Header("X-Shopify-Event-Id"));
    }

    [Fact]
    public async Task Failing_endpoint_is_retried_on_the_scaled_schedule_and_removed_after_8_failures()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = () => 500;
        const double scale = 10_000;
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1, TimeScale = scale });
        using var client = new AdminClient(emulator);
        await client.SubscribeAsync("CUSTOMERS_CREATE", receiver.Url);

        await client.CreateCustomerAsync(new { email = "retry@example.com" });
        var attempts = await receiver.TakeAsync(8);
        await emulator.WaitForWebhooksAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        var remaining = await client.DataAsync("{ webhookSubscriptions(first: 10) { nodes { id } } }");
        await client.CreateCustomerAsync(new { email = "after@example.com" });

        Assert.Single(attempts.Select(a => a.Header("X-Shopify-Webhook-Id")).Distinct());
        Assert.Single(attempts.Select(a => Convert.ToBase64String(a.Body)).Distinct());
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => b.ReceivedAt - a.ReceivedAt).ToList();
        for (var i = 0; i < gaps.Count; i++)
        {
            var expected = WebhookDispatcher.RetryIntervals[i] / scale;
            Assert.True(gaps[i] >= expected * 0.9, $"gap {i} was {gaps[i].TotalMilliseconds} ms, schedule says {expected.TotalMilliseconds} ms");
        }

        Assert.InRange(WebhookDispatcher.RetryIntervals.Sum(i => i.TotalSeconds), TimeSpan.FromHours(4).TotalSeconds - 1, TimeSpan.FromHours(4).TotalSeconds + 1);
        Assert.Empty(remaining["webhookSubscriptions"]!["nodes"]!.AsArray());
        Assert.True(await receiver.StaysQuietAsync(TimeSpan.FromMilliseconds(300)));
        var log = emulator.State.Deliveries.Snapshot();
        Assert.Equal(Enumerable.Range(1, 8), log.Select(a => a.Attempt));
        Assert.True(log[^1].SubscriptionRemoved);
    }

    [Fact]
    public async Task Endpoint_that_recovers_receives_the_retry_and_keeps_its_subscription()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var calls = 0;
        receiver.Respond = () => Interlocked.Increment(ref calls) <= 2 ? 503 : 200;
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1, TimeScale = 100_000 });
        using var client = new AdminClient(emulator);
        await client.SubscribeAsync("CUSTOMERS_CREATE", receiver.Url);

        await client.CreateCustomerAsync(new { email = "flaky@example.com" });
        var attempts = await receiver.TakeAsync(3);
        await emulator.WaitForWebhooksAsync(TimeSpan.FromSeconds(5), CancellationToken.None);

        Assert.Single(attempts.Select(a => a.Header("X-Shopify-Webhook-Id")).Distinct());
        var subscription = Assert.Single(emulator.State.Subscriptions.ForShop(Emulators.Uk));
        Assert.Equal(0, subscription.ConsecutiveFailures);
    }

    [Fact]
    public async Task Endpoint_slower_than_5_seconds_counts_as_a_failure_and_is_retried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var calls = 0;
        receiver.Stall = () => Interlocked.Increment(ref calls) == 1 ? TimeSpan.FromSeconds(8) : TimeSpan.Zero;
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1, TimeScale = 100_000 });
        using var client = new AdminClient(emulator);
        await client.SubscribeAsync("CUSTOMERS_CREATE", receiver.Url);

        await client.CreateCustomerAsync(new { email = "slow@example.com" });
        await receiver.TakeAsync(2, TimeSpan.FromSeconds(10));
        await emulator.WaitForWebhooksAsync(TimeSpan.FromSeconds(5), CancellationToken.None);

        var log = emulator.State.Deliveries.Snapshot();
        Assert.Equal(2, log.Count);
        Assert.Equal("Timed out after 5 s", log[0].Error);
        Assert.InRange(log[0].DurationMs, 4900, 7000);
        Assert.True(log[1].Succeeded);
    }

    [Fact]
    public async Task Duplicate_fault_delivers_each_webhook_several_times_with_the_same_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1, Faults = new FaultSettings { DuplicateDeliveries = 3 } });
        using var client = new AdminClient(emulator);
        await client.SubscribeAsync("CUSTOMERS_CREATE", receiver.Url);

        await client.CreateCustomerAsync(new { email = "dup@example.com" });
        var copies = await receiver.TakeAsync(3);

        Assert.Single(copies.Select(c => c.Header("X-Shopify-Webhook-Id")).Distinct());
        Assert.All(copies, c => Assert.True(Verifies(c)));
        Assert.True(await receiver.StaysQuietAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Wrong_signature_fault_produces_an_HMAC_that_does_not_verify()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1 });
        using var client = new AdminClient(emulator);
        await client.SubscribeAsync("CUSTOMERS_CREATE", receiver.Url);
        using (await client.Http.PostAsJsonAsync(new Uri(emulator.BaseUrl, "_emulator/faults"), new { wrongSignature = true }))
        {
        }

        await client.CreateCustomerAsync(new { email = "forged@example.com" });
        var webhook = await receiver.NextAsync();

        Assert.NotEmpty(webhook.Header("X-Shopify-Hmac-Sha256"));
        Assert.False(Verifies(webhook));
    }

    [Fact]
    public async Task Shuffle_fault_delivers_out_of_order()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions
        {
            CustomersPerShop = 1,
            Faults = new FaultSettings { ShuffleDeliveries = true, ShuffleWindowMs = 400, RandomSeed = 7 },
        });
        using var client = new AdminClient(emulator);
        await client.SubscribeAsync("CUSTOMERS_CREATE", receiver.Url);
        var sent = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            sent.Add((await client.CreateCustomerAsync(new { email = $"s{i}@example.com" }))["email"]!.GetValue<string>());
        }

        var received = (await receiver.TakeAsync(12)).Select(w => JsonNode.Parse(w.Body)!["email"]!.GetValue<string>()).ToList();

        Assert.Equal(sent.Order(), received.Order());
        Assert.NotEqual(sent, received);
    }

    [Fact]
    public async Task Delivery_log_is_readable_over_http()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1 });
        using var client = new AdminClient(emulator);
        await client.SubscribeAsync("CUSTOMERS_CREATE", receiver.Url);
        await client.CreateCustomerAsync(new { email = "logged@example.com" });
        var webhook = await receiver.NextAsync();
        await emulator.WaitForWebhooksAsync(TimeSpan.FromSeconds(5), CancellationToken.None);

        var log = JsonNode.Parse(await client.Http.GetStringAsync(new Uri(emulator.BaseUrl, $"_emulator/deliveries?shop={Emulators.Uk}")))!.AsArray();

        var entry = Assert.Single(log)!;
        Assert.Equal(webhook.Header("X-Shopify-Webhook-Id"), entry["webhookId"]!.GetValue<string>());
        Assert.Equal(200, entry["statusCode"]!.GetValue<int>());
        Assert.True(entry["succeeded"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Subscription_rules_reject_unknown_topics_and_duplicate_addresses()
    {
        await using var emulator = await Emulators.StartAsync(new EmulatorOptions { CustomersPerShop = 1 });
        using var client = new AdminClient(emulator);
        const string create = "mutation($topic: WebhookSubscriptionTopic!, $url: URL!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: {callbackUrl: $url}) { webhookSubscription { id } userErrors { field message } } }";
        await client.SubscribeAsync("CUSTOMERS_UPDATE", new Uri("http://127.0.0.1:9/hooks"));

        var unknown = await client.SendAsync(create, new { topic = "CUSTOMER_TELEPORTED", url = "http://127.0.0.1:9/hooks" });
        var duplicate = await client.SendAsync(create, new { topic = "CUSTOMERS_UPDATE", url = "http://127.0.0.1:9/hooks" });

        Assert.Contains("CUSTOMER_TELEPORTED", unknown.FirstErrorMessage, StringComparison.Ordinal);
        Assert.Equal("Address for this topic has already been taken", duplicate.Data!["webhookSubscriptionCreate"]!["userErrors"]![0]!["message"]!.GetValue<string>());
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")]
    private static partial Regex OffsetTimestamp();
}
