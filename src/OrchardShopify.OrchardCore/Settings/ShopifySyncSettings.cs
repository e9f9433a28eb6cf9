using OrchardShopify.Core.Configuration;

namespace OrchardShopify.OrchardCore.Settings;

/// <summary>
/// The sync's site settings (Admin › Settings › Shopify). Names follow <see cref="ShopifySyncOptions"/>; the
/// secrets are stored encrypted with Data Protection (<see cref="ShopifySecretProtector"/>). A null value is not set
/// on the site: the tenant's configuration (<c>OrchardCore:OrchardShopify</c>), or the engine's default, applies.
/// The settings page stores only values that differ from that, so an untouched Save changes nothing.
/// </summary>
public sealed class ShopifySyncSettings
{
    public bool? Enabled { get; set; }

    public bool? InboundEnabled { get; set; }

    public bool? CreateUsersFromShopify { get; set; }

    public bool? UpdateUsersInShopify { get; set; }

    public string? UpdateShopifyUserJob { get; set; }

    public bool? MultiStore { get; set; }

    public UserMatchStrategy? MatchStrategy { get; set; }

    public bool? RefreshLinkedUserProfile { get; set; }

    public bool? RefreshEmailFromShopify { get; set; }

    public string? DefaultRegion { get; set; }

    public string? DefaultCountryCallingCode { get; set; }

    public string? ApiVersion { get; set; }

    /// <summary>Scheduled catch-up on or off (the host's <c>CatchUp:Enabled</c>).</summary>
    public bool? CatchUpEnabled { get; set; }

    /// <summary>Time between two catch-up runs of a store (the host's <c>CatchUp:Interval</c>).</summary>
    public TimeSpan? CatchUpInterval { get; set; }

    /// <summary>Scheduled reconciliation on or off (the host's <c>ScheduledReconciliation:Enabled</c>).</summary>
    public bool? ScheduledReconciliationEnabled { get; set; }

    /// <summary>Time between two scheduled reconciliations of a store (the host's <c>ScheduledReconciliation:Interval</c>).</summary>
    public TimeSpan? ScheduledReconciliationInterval { get; set; }

    /// <summary>Mismatches a reconciliation may find before health turns degraded (the host's <c>HealthMaxReconciliationDrift</c>).</summary>
    public int? HealthMaxReconciliationDrift { get; set; }

    /// <summary>Subscribe missing customer webhooks again automatically (the host's <c>AutoRegisterWebhooks</c>).</summary>
    public bool? AutoRegisterWebhooks { get; set; }

    /// <summary>Encrypted fallback webhook secret.</summary>
    public string? WebhookSecret { get; set; }

    public List<ShopifyStoreSettings> Stores { get; set; } = [];
}

/// <summary>A store's values saved on the site; null values come from the store's configuration.</summary>
public sealed class ShopifyStoreSettings
{
    public string Handle { get; set; } = "";

    public string? ShopDomain { get; set; }

    public bool? Enabled { get; set; }

    public string? ApiVersion { get; set; }

    /// <summary>Encrypted Admin API access token.</summary>
    public string? AccessToken { get; set; }

    /// <summary>Encrypted webhook signing secret.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Encrypted secret before the last rotation, still accepted until it is dropped.</summary>
    public string? PreviousWebhookSecret { get; set; }

    /// <summary>True when nothing of the store is saved on the site.</summary>
    internal bool IsEmpty =>
        ShopDomain is null && Enabled is null && ApiVersion is null && AccessToken is null && WebhookSecret is null && PreviousWebhookSecret is null;
}
