using System.Globalization;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Primitives;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Core.Webhooks;

/// <summary>
/// Turns a raw request into a <see cref="WebhookDelivery"/> or a precise refusal. Order: size, shop,
/// signature (before anything is trusted), required headers, topic, JSON well-formedness.
/// </summary>
public sealed class WebhookVerifier
{
    private readonly StoreRegistry _stores;

    public WebhookVerifier(StoreRegistry stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        _stores = stores;
    }

    /// <param name="headers">The request's headers; names are matched case-insensitively, repeated names are joined.</param>
    /// <param name="expectedTopic">The topic the URL stands for (<c>/customer/create</c> → <c>customers/create</c>), or null for the all-topics URL.</param>
    /// <exception cref="WebhookVerificationException">The delivery must not be stored.</exception>
    public WebhookDelivery Verify(IEnumerable<KeyValuePair<string, StringValues>> headers, ReadOnlyMemory<byte> body, string? expectedTopic = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var lookup = new Dictionary<string, StringValues>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in headers)
        {
            lookup[name] = lookup.TryGetValue(name, out var existing) ? StringValues.Concat(existing, values) : values;
        }

        return Verify(name => lookup.GetValueOrDefault(name), body, expectedTopic);
    }

    /// <param name="header">
    /// Every value of the named request header (the name matched case-insensitively), empty when the request has none;
    /// an ASP.NET Core request's <c>Headers[name]</c> answers exactly that, without copying the headers.
    /// </param>
    /// <param name="expectedTopic">The topic the URL stands for (<c>/customer/create</c> → <c>customers/create</c>), or null for the all-topics URL.</param>
    /// <exception cref="WebhookVerificationException">The delivery must not be stored.</exception>
    public WebhookDelivery Verify(Func<string, StringValues> header, ReadOnlyMemory<byte> body, string? expectedTopic = null)
    {
        ArgumentNullException.ThrowIfNull(header);
        var maxBytes = _stores.Options.MaxWebhookBodyBytes;
        if (body.Length > maxBytes)
        {
            throw Fail(WebhookFailureReason.BodyTooLarge, $"The body has {body.Length} bytes; the limit is {maxBytes}.");
        }

        var shopDomain = Single(header, ShopifyWebhookHeaders.ShopDomain, required: true)!;
        var store = _stores.FindByShopDomain(shopDomain)
            ?? throw Fail(WebhookFailureReason.UnknownShop, $"No enabled store is configured for shop '{Printable(shopDomain)}'.");

        var signature = Single(header, ShopifyWebhookHeaders.HmacSha256, required: false);
        if (string.IsNullOrWhiteSpace(signature))
        {
            throw Fail(WebhookFailureReason.MissingSignature, $"The {ShopifyWebhookHeaders.HmacSha256} header is missing.");
        }

        if (!WebhookSignature.Verify(body.Span, signature, store.WebhookSecret)
            && !WebhookSignature.Verify(body.Span, signature, store.PreviousWebhookSecret))
        {
            throw Fail(WebhookFailureReason.InvalidSignature, $"The {ShopifyWebhookHeaders.HmacSha256} header does not match the body for store '{store.Handle}'.");
        }

        var topic = Single(header, ShopifyWebhookHeaders.Topic, required: true)!.Trim();
        var webhookId = Single(header, ShopifyWebhookHeaders.WebhookId, required: true)!.Trim();
        var eventId = Single(header, ShopifyWebhookHeaders.EventId, required: false)?.Trim();
        var apiVersion = Single(header, ShopifyWebhookHeaders.ApiVersion, required: false)?.Trim();
        var triggeredAtText = Single(header, ShopifyWebhookHeaders.TriggeredAt, required: false);
        DateTimeOffset? triggeredAt = null;
        if (!string.IsNullOrWhiteSpace(triggeredAtText))
        {
            if (!DateTimeOffset.TryParse(triggeredAtText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                throw Fail(WebhookFailureReason.InvalidHeader, $"The {ShopifyWebhookHeaders.TriggeredAt} header '{Printable(triggeredAtText)}' is not an ISO 8601 time.");
            }

            triggeredAt = parsed;
        }

        if (webhookId.Length > 200)
        {
            throw Fail(WebhookFailureReason.InvalidHeader, $"The {ShopifyWebhookHeaders.WebhookId} header is longer than 200 characters.");
        }

        if (expectedTopic is not null && !string.Equals(topic, expectedTopic, StringComparison.OrdinalIgnoreCase))
        {
            throw Fail(WebhookFailureReason.TopicMismatch, $"This URL receives '{expectedTopic}' but the delivery's topic is '{Printable(topic)}'.");
        }

        if (!IsWellFormedJson(body.Span, out var jsonError))
        {
            throw Fail(WebhookFailureReason.MalformedJson, $"The body is not valid JSON: {jsonError}");
        }

        return new WebhookDelivery(topic.ToLowerInvariant(), store, webhookId, eventId, triggeredAt, apiVersion, body);
    }

    private static string? Single(Func<string, StringValues> header, string name, bool required)
    {
        var values = header(name);
        if (values.Count == 0 || string.IsNullOrWhiteSpace(values[0]))
        {
            if (required)
            {
                throw Fail(WebhookFailureReason.MissingHeaders, $"The {name} header is missing.");
            }

            return null;
        }

        if (values.Count > 1)
        {
            throw Fail(WebhookFailureReason.DuplicatedHeader, $"The {name} header appears {values.Count} times; Shopify sends it once.");
        }

        return values[0];
    }

    private static bool IsWellFormedJson(ReadOnlySpan<byte> body, out string error)
    {
        error = "";

        // JSON text is UTF-8 (RFC 8259); the reader does not check the bytes inside strings it skips.
        if (!Utf8.IsValid(body))
        {
            error = "the body is not valid UTF-8.";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "expected a JSON object.";
                return false;
            }

            reader.Skip();
            if (reader.Read())
            {
                error = "unexpected content after the JSON object.";
                return false;
            }

            return true;
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    // Header values are attacker-controlled: keep them short and printable in messages.
    private static string Printable(string value)
    {
        var trimmed = value.Length > 100 ? value[..100] + "…" : value;
        return new string(trimmed.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }

    private static WebhookVerificationException Fail(WebhookFailureReason reason, string message) => new(reason, message);
}
