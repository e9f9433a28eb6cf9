using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.Bench.Ingest;

/// <summary>One signed <c>customers/create</c> delivery: Shopify's example customer with its own id, email and phone.</summary>
internal sealed record Delivery(byte[] Body, string Signature, string WebhookId, string EventId, DateTimeOffset TriggeredAt, long CustomerId);

internal static class Deliveries
{
    public const string Secret = "bench-webhook-secret-0123456789";
    public const string Domain = "uk-demo.myshopify.com";
    public const string ApiVersion = "2026-10";
    public const string CreatePath = "/!/shopify/webhook/customer/create";

    private const string ExampleId = "1073339470";
    private const string ExampleEmail = "steve.lastnameson@example.com";
    private const string ExamplePhone = "+15142546011";

    /// <summary>Deliveries <paramref name="first"/> … first + count − 1, signed as Shopify signs them (signing is the sender's cost, done before any timing).</summary>
    public static Delivery[] Create(int first, int count)
    {
        var template = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Payloads", "customers-create-steve-lastnameson.json"));
        var triggeredAt = DateTimeOffset.UtcNow;
        var deliveries = new Delivery[count];
        for (var n = 0; n < count; n++)
        {
            var i = first + n;
            var customerId = 5_000_000_000L + i;
            var json = template
                .Replace(ExampleId, customerId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace(ExampleEmail, $"customer{i}@example.com", StringComparison.Ordinal)
                .Replace(ExamplePhone, "+1514" + (2_000_000 + i).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            var body = Encoding.UTF8.GetBytes(json);
            deliveries[n] = new Delivery(
                body,
                WebhookSignature.Compute(body, Secret),
                $"bench-webhook-{i:D8}",
                $"bench-event-{i:D8}",
                triggeredAt,
                customerId);
        }

        return deliveries;
    }

    public static HttpRequestMessage Request(Delivery delivery)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, CreatePath) { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(ShopifyWebhookHeaders.Topic, ShopifyTopics.CustomersCreate);
        request.Headers.Add(ShopifyWebhookHeaders.HmacSha256, delivery.Signature);
        request.Headers.Add(ShopifyWebhookHeaders.ShopDomain, Domain);
        request.Headers.Add(ShopifyWebhookHeaders.ApiVersion, ApiVersion);
        request.Headers.Add(ShopifyWebhookHeaders.WebhookId, delivery.WebhookId);
        request.Headers.Add(ShopifyWebhookHeaders.EventId, delivery.EventId);
        request.Headers.Add(ShopifyWebhookHeaders.TriggeredAt, delivery.TriggeredAt.ToString("O", CultureInfo.InvariantCulture));
        return request;
    }
}
