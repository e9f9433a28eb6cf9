using OrchardShopify.Core.Configuration;

namespace OrchardShopify.OrchardCore.Settings;

/// <summary>
/// The sync's site settings (Admin › Settings › Shopify). Names follow <see cref="ShopifySyncOptions"/>; the
/// secrets are stored encrypted with Data Protection (<see cref="ShopifySecretProtector"/>).
/// </summary>
public sealed class ShopifySyncSettings
{
    public bool Enabled { get; set; } = true;

    public bool InboundEnabled { get; set; } = true;

    public bool CreateUsersFromShopify { get; set; }

    public bool UpdateUsersInShopify { get; set; }

    public string? UpdateShopifyUserJob { get; set; }

    public bool MultiStore { get; set; }

    public UserMatchStrategy MatchStrategy { get; set; } = UserMatchStrategy.EmailOrPhone;

    public bool RefreshLinkedUserProfile { get; set; } = true;

    public bool RefreshEmailFromShopify { get; set; }

    public string DefaultCountryCallingCode { get; set; } = "1";

    public string? ApiVersion { get; set; }

    /// <summary>Encrypted fallback webhook secret.</summary>
    public string? WebhookSecret { get; set; }

    public List<ShopifyStoreSettings> Stores { get; set; } = [];
}

public sealed class ShopifyStoreSettings
{
    public string Handle { get; set; } = "";

    public string ShopDomain { get; set; } = "";

    public bool Enabled { get; set; } = true;

    public string? ApiVersion { get; set; }

    /// <summary>Encrypted Admin API access token.</summary>
    public string? AccessToken { get; set; }

    /// <summary>Encrypted webhook signing secret.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Encrypted secret before the last rotation, still accepted until it is dropped.</summary>
    public string? PreviousWebhookSecret { get; set; }
}
