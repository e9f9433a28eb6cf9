using System.Net.Http.Headers;

namespace OrchardShopify.Testing.Hosting.Webhooks;

/// <summary>One webhook request as Shopify sends it: URL path, headers (in order, repeats allowed) and the raw body.</summary>
public sealed record SignedDelivery(string Path, string Topic, string WebhookId, byte[] Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public const string TopicHeader = "X-Shopify-Topic";
    public const string HmacHeader = "X-Shopify-Hmac-Sha256";
    public const string ShopDomainHeader = "X-Shopify-Shop-Domain";
    public const string ApiVersionHeader = "X-Shopify-API-Version";
    public const string WebhookIdHeader = "X-Shopify-Webhook-Id";
    public const string EventIdHeader = "X-Shopify-Event-Id";
    public const string TriggeredAtHeader = "X-Shopify-Triggered-At";

    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public SignedDelivery WithoutHeader(string name) => this with { Headers = [.. Headers.Where(h => !string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))] };

    public SignedDelivery WithHeader(string name, string value) => WithoutHeader(name) with { Headers = [.. WithoutHeader(name).Headers, new(name, value)] };

    /// <summary>The header sent a second time with <paramref name="value"/>.</summary>
    public SignedDelivery WithRepeatedHeader(string name, string value) => this with { Headers = [.. Headers, new(name, value)] };

    /// <summary>A new request each time (a request message can be sent once).</summary>
    public HttpRequestMessage ToRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent(Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        foreach (var (name, value) in Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}
