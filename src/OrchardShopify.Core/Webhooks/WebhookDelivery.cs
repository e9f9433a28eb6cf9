using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Core.Webhooks;

/// <summary>A delivery whose signature verified, with Shopify's headers typed.</summary>
public sealed record WebhookDelivery(
    string Topic,
    ShopifyStore Store,
    string WebhookId,
    string? EventId,
    DateTimeOffset? TriggeredAt,
    string? ApiVersion,
    ReadOnlyMemory<byte> Body)
{
    public string ShopDomain => Store.ShopDomain;
}

public enum WebhookFailureReason
{
    BodyTooLarge,
    MissingSignature,
    InvalidSignature,
    MissingHeaders,
    DuplicatedHeader,
    InvalidHeader,
    UnknownShop,
    TopicMismatch,
    MalformedJson,
}

/// <summary>Why a delivery was refused, with the HTTP status a webhook endpoint answers.</summary>
public sealed class WebhookVerificationException : Exception
{
    public WebhookVerificationException(WebhookFailureReason reason, string message)
        : base(message)
    {
        Reason = reason;
    }

    public WebhookVerificationException()
    {
    }

    public WebhookVerificationException(string message)
        : base(message)
    {
    }

    public WebhookVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public WebhookFailureReason Reason { get; }

    /// <summary>413 for size, 401 when the sender cannot be authenticated, 400 for malformed requests.</summary>
    public int StatusCode => Reason switch
    {
        WebhookFailureReason.BodyTooLarge => 413,
        WebhookFailureReason.MissingSignature or WebhookFailureReason.InvalidSignature or WebhookFailureReason.UnknownShop => 401,
        _ => 400,
    };
}
