namespace OrchardShopify.Core.Configuration;

/// <summary>A configured, enabled store, resolved from <see cref="ShopifySyncOptions.Stores"/>.</summary>
public sealed class ShopifyStore
{
    internal ShopifyStore(string handle, StoreOptions store, ShopifySyncOptions options)
    {
        Handle = handle;
        ShopDomain = store.ShopDomain.Trim().ToLowerInvariant();
        AccessToken = store.AccessToken;
        WebhookSecret = string.IsNullOrEmpty(store.WebhookSecret) ? options.WebhookSecret : store.WebhookSecret;
        PreviousWebhookSecret = store.PreviousWebhookSecret;
        ApiVersion = store.ApiVersion ?? options.ApiVersion;
        ApiBaseUrl = store.ApiBaseUrl ?? new Uri($"https://{ShopDomain}");
    }

    public string Handle { get; }

    public string ShopDomain { get; }

    public string? AccessToken { get; }

    public string? WebhookSecret { get; }

    public string? PreviousWebhookSecret { get; }

    public string ApiVersion { get; }

    public Uri ApiBaseUrl { get; }

    public bool CanCallAdminApi => !string.IsNullOrEmpty(AccessToken);

    /// <summary>Never prints secrets.</summary>
    public override string ToString() => $"{Handle} ({ShopDomain})";
}
