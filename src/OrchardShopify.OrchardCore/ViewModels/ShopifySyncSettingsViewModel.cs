using OrchardShopify.Core.Configuration;

namespace OrchardShopify.OrchardCore.ViewModels;

/// <remarks>Not sealed: Orchard Core proxies shape models (Castle DynamicProxy subclasses them).</remarks>
public class ShopifySyncSettingsViewModel
{
    public bool Enabled { get; set; }

    public bool InboundEnabled { get; set; }

    public bool CreateUsersFromShopify { get; set; }

    public bool UpdateUsersInShopify { get; set; }

    public string? UpdateShopifyUserJob { get; set; }

    public bool MultiStore { get; set; }

    public UserMatchStrategy MatchStrategy { get; set; }

    public bool RefreshLinkedUserProfile { get; set; }

    public bool RefreshEmailFromShopify { get; set; }

    /// <summary>Region national phone numbers are read in (GB, US, …); blank follows the calling code.</summary>
    public string? DefaultRegion { get; set; }

    /// <summary>The region in force: <see cref="DefaultRegion"/>, else the main region of the calling code.</summary>
    public string? PhoneRegion { get; set; }

    public string? DefaultCountryCallingCode { get; set; }

    public string? ApiVersion { get; set; }

    /// <summary>Scheduled catch-up of customers changed in Shopify.</summary>
    public bool CatchUpEnabled { get; set; } = true;

    /// <summary>Time between two runs of a store, like <c>00:15:00</c>; blank keeps the configured (or default) interval.</summary>
    public string? CatchUpInterval { get; set; }

    /// <summary>Scheduled reconciliation report of each store (nothing is fixed).</summary>
    public bool ScheduledReconciliationEnabled { get; set; } = true;

    /// <summary>Time between two scheduled reconciliations of a store, like <c>1.00:00:00</c>; blank keeps the configured one.</summary>
    public string? ScheduledReconciliationInterval { get; set; }

    /// <summary>Mismatches a reconciliation may find before health turns degraded; blank keeps the configured one.</summary>
    public string? HealthMaxReconciliationDrift { get; set; }

    /// <summary>Subscribe a store's missing customer webhooks again when the check finds them missing.</summary>
    public bool AutoRegisterWebhooks { get; set; }

    /// <summary>A new fallback webhook secret; blank keeps the stored one.</summary>
    public string? WebhookSecret { get; set; }

    public bool HasWebhookSecret { get; set; }

    public List<ShopifyStoreViewModel> Stores { get; set; } = [];

    public bool HasDecryptionError { get; set; }

    /// <summary>Why the sync is not running, from the engine's validation; empty when it runs.</summary>
    public IReadOnlyList<string> Problems { get; set; } = [];

    /// <summary>The webhook address to give Shopify, relative to the tenant.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>
    /// The fields whose shown value comes from the tenant's configuration (nothing saved on the site overrides it),
    /// by field (<c>CreateUsersFromShopify</c>, <c>Stores:uk:ShopDomain</c>), with the configuration key that sets it.
    /// </summary>
    public IReadOnlyDictionary<string, string> ConfigurationKeys { get; set; } = new Dictionary<string, string>();
}

public sealed class ShopifyStoreViewModel
{
    public string? Handle { get; set; }

    /// <summary>The handle the row was shown with (blank for the row that adds a store): a store's handle cannot change.</summary>
    public string? OriginalHandle { get; set; }

    public string? ShopDomain { get; set; }

    public bool Enabled { get; set; } = true;

    public string? ApiVersion { get; set; }

    /// <summary>A new access token; blank keeps the stored one.</summary>
    public string? AccessToken { get; set; }

    /// <summary>A new webhook secret; blank keeps the stored one, a new one turns the stored one into the previous secret.</summary>
    public string? WebhookSecret { get; set; }

    public bool HasAccessToken { get; set; }

    public bool HasWebhookSecret { get; set; }

    public bool HasPreviousWebhookSecret { get; set; }

    /// <summary>The store is in the tenant's configuration; removing it here only forgets the values saved on the site.</summary>
    public bool IsConfigured { get; set; }

    /// <summary>Values of the store are saved on the site.</summary>
    public bool IsSaved { get; set; }

    /// <summary>Unticked: stop accepting webhooks signed with the previous secret.</summary>
    public bool KeepPreviousWebhookSecret { get; set; } = true;

    public bool Remove { get; set; }
}
