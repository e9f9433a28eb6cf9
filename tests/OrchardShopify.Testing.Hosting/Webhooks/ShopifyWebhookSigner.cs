using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace OrchardShopify.Testing.Hosting.Webhooks;

/// <summary>One version of a Shopify customer, as a webhook carries it.</summary>
public sealed record ShopifyCustomerVersion(long Id, string? Email, string? FirstName, string? LastName, string? Phone, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// Builds deliveries the way Shopify does for one shop: REST-shaped customer bodies written as raw UTF-8 (non-ASCII
/// unescaped), signed with HMAC-SHA256 over those bytes, and the full set of Shopify headers. Signing is done here
/// with the framework's HMAC, independently of the product's verifier.
/// </summary>
public sealed class ShopifyWebhookSigner(string shopDomain, string secret)
{
    private static readonly JsonWriterOptions Raw = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public string ShopDomain { get; } = shopDomain;

    public static string PathFor(string topic) => topic switch
    {
        "customers/create" => "/!/shopify/webhook/customer/create",
        "customers/update" => "/!/shopify/webhook/customer/update",
        "customers/delete" => "/!/shopify/webhook/customer/delete",
        "customers/redact" or "customers/data_request" or "shop/redact" => "/!/shopify/webhook/compliance",
        _ => "/!/shopify/webhook",
    };

    public SignedDelivery Customer(string topic, ShopifyCustomerVersion customer, string webhookId, DateTimeOffset triggeredAt)
        => Sign(topic, CustomerBody(customer), webhookId, triggeredAt);

    public SignedDelivery Delete(long customerId, string webhookId, DateTimeOffset triggeredAt)
        => Sign("customers/delete", Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"id":{{customerId}},"admin_graphql_api_id":"gid://shopify/Customer/{{customerId}}"}""")), webhookId, triggeredAt);

    public SignedDelivery Sign(string topic, byte[] body, string webhookId, DateTimeOffset triggeredAt, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        return new SignedDelivery(
            path ?? PathFor(topic),
            topic,
            webhookId,
            body,
            [
                new(SignedDelivery.TopicHeader, topic),
                new(SignedDelivery.HmacHeader, Signature(body, secret)),
                new(SignedDelivery.ShopDomainHeader, ShopDomain),
                new(SignedDelivery.ApiVersionHeader, "2026-10"),
                new(SignedDelivery.WebhookIdHeader, webhookId),
                new(SignedDelivery.EventIdHeader, "evt-" + webhookId),
                new(SignedDelivery.TriggeredAtHeader, triggeredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
            ]);
    }

    public static string Signature(ReadOnlySpan<byte> body, string secret) => Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>The body of <c>customers/create</c> and <c>customers/update</c> (fields as in Shopify's example payload).</summary>
    public static byte[] CustomerBody(ShopifyCustomerVersion customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Raw))
        {
            json.WriteStartObject();
            json.WriteNumber("id", customer.Id);
            json.WriteString("email", customer.Email);
            json.WriteString("created_at", Timestamp(customer.CreatedAt));
            json.WriteString("updated_at", Timestamp(customer.UpdatedAt));
            json.WriteString("first_name", customer.FirstName);
            json.WriteString("last_name", customer.LastName);
            json.WriteNumber("orders_count", 0);
            json.WriteString("state", "enabled");
            json.WriteString("total_spent", "0.00");
            json.WriteNull("last_order_id");
            json.WriteNull("note");
            json.WriteBoolean("verified_email", true);
            json.WriteNull("multipass_identifier");
            json.WriteBoolean("tax_exempt", false);
            json.WriteString("tags", "");
            json.WriteString("currency", "GBP");
            json.WriteString("phone", customer.Phone);
            json.WriteStartArray("addresses");
            json.WriteEndArray();
            json.WriteStartArray("tax_exemptions");
            json.WriteEndArray();
            json.WriteString("admin_graphql_api_id", $"gid://shopify/Customer/{customer.Id.ToString(CultureInfo.InvariantCulture)}");
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // Shopify writes local time with the shop's offset and second precision.
    private static string Timestamp(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
