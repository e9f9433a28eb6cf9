namespace OrchardShopify.Core.Webhooks;

/// <summary>Webhook topics as Shopify sends them in <c>X-Shopify-Topic</c>.</summary>
public static class ShopifyTopics
{
    public const string CustomersCreate = "customers/create";
    public const string CustomersUpdate = "customers/update";
    public const string CustomersDelete = "customers/delete";
    public const string CustomersEnable = "customers/enable";
    public const string CustomersDisable = "customers/disable";
    public const string CustomersDataRequest = "customers/data_request";
    public const string CustomersRedact = "customers/redact";
    public const string ShopRedact = "shop/redact";
}

/// <summary>Header names Shopify puts on every delivery (compared case-insensitively).</summary>
public static class ShopifyWebhookHeaders
{
    public const string Topic = "X-Shopify-Topic";
    public const string HmacSha256 = "X-Shopify-Hmac-Sha256";
    public const string ShopDomain = "X-Shopify-Shop-Domain";
    public const string ApiVersion = "X-Shopify-API-Version";
    public const string WebhookId = "X-Shopify-Webhook-Id";
    public const string EventId = "X-Shopify-Event-Id";
    public const string TriggeredAt = "X-Shopify-Triggered-At";
    public const string Name = "X-Shopify-Name";
}
