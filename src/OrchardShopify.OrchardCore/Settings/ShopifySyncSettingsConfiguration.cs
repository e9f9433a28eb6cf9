using Microsoft.Extensions.Options;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.OrchardCore.Settings;

/// <summary>
/// Lays the saved site settings over the tenant configuration (<c>OrchardCore:OrchardShopify</c>): saved flags
/// replace configured ones, saved stores replace or add stores by handle, and a blank saved secret keeps the
/// configured one (so secrets may live in environment variables only). A value not saved on the site (null) keeps
/// the configured one.
/// </summary>
internal sealed class ShopifySyncSettingsConfiguration : IConfigureOptions<ShopifySyncOptions>
{
    private readonly ShopifySyncSettingsSnapshot _snapshot;

    public ShopifySyncSettingsConfiguration(ShopifySyncSettingsSnapshot snapshot)
    {
        _snapshot = snapshot;
    }

    public void Configure(ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_snapshot.Current is { } settings)
        {
            Apply(settings, options);
        }
    }

    public static void Apply(ShopifySyncSettings settings, ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        options.Enabled = settings.Enabled ?? options.Enabled;
        options.InboundEnabled = settings.InboundEnabled ?? options.InboundEnabled;
        options.CreateUsersFromShopify = settings.CreateUsersFromShopify ?? options.CreateUsersFromShopify;
        options.UpdateUsersInShopify = settings.UpdateUsersInShopify ?? options.UpdateUsersInShopify;
        options.UpdateShopifyUserJob = string.IsNullOrWhiteSpace(settings.UpdateShopifyUserJob) ? options.UpdateShopifyUserJob : settings.UpdateShopifyUserJob.Trim();
        options.MultiStore = settings.MultiStore ?? options.MultiStore;
        options.MatchStrategy = settings.MatchStrategy ?? options.MatchStrategy;
        options.RefreshLinkedUserProfile = settings.RefreshLinkedUserProfile ?? options.RefreshLinkedUserProfile;
        options.RefreshEmailFromShopify = settings.RefreshEmailFromShopify ?? options.RefreshEmailFromShopify;
        options.DefaultRegion = string.IsNullOrWhiteSpace(settings.DefaultRegion) ? options.DefaultRegion : settings.DefaultRegion.Trim().ToUpperInvariant();
        options.DefaultCountryCallingCode = string.IsNullOrWhiteSpace(settings.DefaultCountryCallingCode) ? options.DefaultCountryCallingCode : settings.DefaultCountryCallingCode.Trim();
        options.ApiVersion = string.IsNullOrWhiteSpace(settings.ApiVersion) ? options.ApiVersion : settings.ApiVersion.Trim();
        options.WebhookSecret = settings.WebhookSecret ?? options.WebhookSecret;

        foreach (var store in settings.Stores)
        {
            if (string.IsNullOrWhiteSpace(store.Handle))
            {
                continue;
            }

            var handle = store.Handle.Trim();
            var target = options.Stores.GetValueOrDefault(handle) ?? new StoreOptions();
            target.ShopDomain = string.IsNullOrWhiteSpace(store.ShopDomain) ? target.ShopDomain : store.ShopDomain.Trim();
            target.Enabled = store.Enabled ?? target.Enabled;
            target.ApiVersion = string.IsNullOrWhiteSpace(store.ApiVersion) ? target.ApiVersion : store.ApiVersion.Trim();
            target.AccessToken = store.AccessToken ?? target.AccessToken;
            target.WebhookSecret = store.WebhookSecret ?? target.WebhookSecret;
            target.PreviousWebhookSecret = store.PreviousWebhookSecret ?? target.PreviousWebhookSecret;
            options.Stores[handle] = target;
        }
    }
}
