using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using OrchardCore.DisplayManagement.Entities;
using OrchardCore.DisplayManagement.Handlers;
using OrchardCore.Settings;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.Core.Configuration;
using OrchardShopify.OrchardCore.Settings;

namespace OrchardShopify.OrchardCore.Drivers;

/// <summary>What the tenant's configuration says, for the settings page: the effective values, the keys they come from and their labels.</summary>
internal sealed partial class ShopifySyncSettingsDisplayDriver : SiteDisplayDriver<ShopifySyncSettings>
{
    /// <summary>The catch-up settings the tenant's configuration alone gives (the host's defaults, then <c>OrchardCore:OrchardShopify:CatchUp</c>).</summary>
    private ShopifyCatchUpOptions ConfiguredCatchUp()
    {
        var options = new ShopifyCatchUpOptions();
        _shellConfiguration.GetSection(ShopifySyncConstants.ConfigurationSection).GetSection("CatchUp").Bind(options);
        return options;
    }

    /// <summary>
    /// The scheduled reconciliation, drift threshold and automatic webhook registration the tenant's configuration alone
    /// gives (the host's defaults, then <c>OrchardCore:OrchardShopify</c>).
    /// </summary>
    private ShopifyHostOptions ConfiguredReconciliation()
    {
        var section = _shellConfiguration.GetSection(ShopifySyncConstants.ConfigurationSection);
        var options = new ShopifyHostOptions();
        section.GetSection(nameof(ShopifyHostOptions.ScheduledReconciliation)).Bind(options.ScheduledReconciliation);
        options.HealthMaxReconciliationDrift = section.GetValue(nameof(ShopifyHostOptions.HealthMaxReconciliationDrift), options.HealthMaxReconciliationDrift);
        options.AutoRegisterWebhooks = section.GetValue(nameof(ShopifyHostOptions.AutoRegisterWebhooks), options.AutoRegisterWebhooks);
        return options;
    }

    /// <summary>The options the tenant's configuration alone gives (the engine's defaults, then <c>OrchardCore:OrchardShopify</c>).</summary>
    private ShopifySyncOptions ConfiguredOptions()
    {
        var options = new ShopifySyncOptions();
        foreach (var setup in _configuration.Where(c => c is not ShopifySyncSettingsConfiguration))
        {
            if (setup is IConfigureNamedOptions<ShopifySyncOptions> named)
            {
                named.Configure(Options.DefaultName, options);
            }
            else
            {
                setup.Configure(options);
            }
        }

        return options;
    }

    /// <summary>The page's fields whose value comes from configuration: set there, and not saved on the site.</summary>
    private Dictionary<string, string> ConfigurationKeys(ShopifySyncSettings saved)
    {
        var section = _shellConfiguration.GetSection(ShopifySyncConstants.ConfigurationSection);
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        void Add(string field, object? savedValue)
        {
            if (savedValue is null && section.GetSection(field).Value is not null)
            {
                keys[field] = ConfigurationRoot + field;
            }
        }

        Add(nameof(ShopifySyncOptions.Enabled), saved.Enabled);
        Add(nameof(ShopifySyncOptions.InboundEnabled), saved.InboundEnabled);
        Add(nameof(ShopifySyncOptions.CreateUsersFromShopify), saved.CreateUsersFromShopify);
        Add(nameof(ShopifySyncOptions.UpdateUsersInShopify), saved.UpdateUsersInShopify);
        Add(nameof(ShopifySyncOptions.UpdateShopifyUserJob), saved.UpdateShopifyUserJob);
        Add(nameof(ShopifySyncOptions.MultiStore), saved.MultiStore);
        Add(nameof(ShopifySyncOptions.MatchStrategy), saved.MatchStrategy);
        Add(nameof(ShopifySyncOptions.RefreshLinkedUserProfile), saved.RefreshLinkedUserProfile);
        Add(nameof(ShopifySyncOptions.RefreshEmailFromShopify), saved.RefreshEmailFromShopify);
        Add(nameof(ShopifySyncOptions.DefaultRegion), saved.DefaultRegion);
        Add(nameof(ShopifySyncOptions.DefaultCountryCallingCode), saved.DefaultCountryCallingCode);
        Add(nameof(ShopifySyncOptions.ApiVersion), saved.ApiVersion);
        Add(nameof(ShopifySyncOptions.WebhookSecret), saved.WebhookSecret);
        Add("CatchUp:Enabled", saved.CatchUpEnabled);
        Add("CatchUp:Interval", saved.CatchUpInterval);
        Add("ScheduledReconciliation:Enabled", saved.ScheduledReconciliationEnabled);
        Add("ScheduledReconciliation:Interval", saved.ScheduledReconciliationInterval);
        Add(nameof(ShopifyHostOptions.HealthMaxReconciliationDrift), saved.HealthMaxReconciliationDrift);
        Add(nameof(ShopifyHostOptions.AutoRegisterWebhooks), saved.AutoRegisterWebhooks);
        foreach (var configuredStore in section.GetSection(nameof(ShopifySyncOptions.Stores)).GetChildren())
        {
            var store = FindStore(saved, configuredStore.Key);
            var prefix = $"{nameof(ShopifySyncOptions.Stores)}:{configuredStore.Key}:";
            Add(prefix + nameof(StoreOptions.ShopDomain), store?.ShopDomain);
            Add(prefix + nameof(StoreOptions.Enabled), store?.Enabled);
            Add(prefix + nameof(StoreOptions.ApiVersion), store?.ApiVersion);
            Add(prefix + nameof(StoreOptions.AccessToken), store?.AccessToken);
            Add(prefix + nameof(StoreOptions.WebhookSecret), store?.WebhookSecret);
        }

        return keys;
    }

    /// <summary>
    /// A message of the engine's validation as this site names things: a key the page has a field for becomes the
    /// field's label, any other <c>Shopify:…</c> key the tenant configuration key <c>OrchardCore:OrchardShopify:…</c>.
    /// </summary>
    internal string ForThisSite(string message) =>
        EngineKey().Replace(message, match => Label(match.Groups["path"].Value) is { } label ? $"'{label.Value}'" : ConfigurationRoot + match.Groups["path"].Value);

    private LocalizedString? Label(string path)
    {
        var parts = path.Split(':');
        return parts switch
        {
            [var field] => field switch
            {
                nameof(ShopifySyncOptions.Enabled) => S["Enabled"],
                nameof(ShopifySyncOptions.InboundEnabled) => S["Apply Shopify changes to users"],
                nameof(ShopifySyncOptions.CreateUsersFromShopify) => S["Create users from Shopify"],
                nameof(ShopifySyncOptions.UpdateUsersInShopify) => S["Update users in Shopify"],
                nameof(ShopifySyncOptions.MultiStore) => S["Several stores"],
                nameof(ShopifySyncOptions.RefreshLinkedUserProfile) => S["Refresh names and phone of linked users from Shopify"],
                nameof(ShopifySyncOptions.RefreshEmailFromShopify) => S["Also refresh the email from Shopify"],
                nameof(ShopifySyncOptions.MatchStrategy) => S["Match customers to users by"],
                nameof(ShopifySyncOptions.DefaultRegion) => S["Default phone region"],
                nameof(ShopifySyncOptions.DefaultCountryCallingCode) => S["Default country calling code"],
                nameof(ShopifySyncOptions.ApiVersion) => S["Admin API version"],
                nameof(ShopifySyncOptions.UpdateShopifyUserJob) => S["User update job"],
                nameof(ShopifySyncOptions.WebhookSecret) => S["Webhook secret for every store"],
                nameof(ShopifySyncOptions.Stores) => S["Stores"],
                _ => null,
            },
            [nameof(ShopifySyncOptions.Stores), var handle] => S["Store {0}", handle],
            [nameof(ShopifySyncOptions.Stores), var handle, var field] => field switch
            {
                nameof(StoreOptions.ShopDomain) => S["Store {0} › Shop domain", handle],
                nameof(StoreOptions.ApiVersion) => S["Store {0} › Admin API version", handle],
                nameof(StoreOptions.AccessToken) => S["Store {0} › Admin API access token", handle],
                nameof(StoreOptions.WebhookSecret) => S["Store {0} › Webhook secret", handle],
                nameof(StoreOptions.Enabled) => S["Store {0} › Enabled", handle],
                _ => null,
            },
            _ => null,
        };
    }
}
