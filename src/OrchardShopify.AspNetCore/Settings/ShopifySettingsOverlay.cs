using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.AspNetCore.Settings;

/// <summary>
/// Lays the settings saved on the site over configuration: runs after configuration is bound (a post-configure), and
/// signals <see cref="IOptionsMonitor{TOptions}"/> when they change, so the next webhook, push or import uses them.
/// </summary>
internal sealed class ShopifySettingsOverlay(ShopifySettingsStore store) : IPostConfigureOptions<ShopifySyncOptions>, IOptionsChangeTokenSource<ShopifySyncOptions>
{
    public string Name => Options.DefaultName;

    public IChangeToken GetChangeToken() => store.ChangeToken;

    public void PostConfigure(string? name, ShopifySyncOptions options)
    {
        if (name == Options.DefaultName)
        {
            Apply(options, store.Current.Values);
        }
    }

    /// <summary>Writes <paramref name="values"/> (keys like <c>Stores:uk:AccessToken</c>) onto <paramref name="options"/>.</summary>
    public static void Apply(ShopifySyncOptions options, IReadOnlyDictionary<string, string> values)
    {
        foreach (var (key, value) in values)
        {
            if (SettingKeys.TryParseStore(key, out var handle, out var field))
            {
                if (!options.Stores.TryGetValue(handle, out var storeOptions) || storeOptions is null)
                {
                    storeOptions = new StoreOptions();
                    options.Stores[handle] = storeOptions;
                }

                ApplyStore(storeOptions, field, value);
                continue;
            }

            switch (key)
            {
                case SettingKeys.Enabled when bool.TryParse(value, out var on):
                    options.Enabled = on;
                    break;
                case SettingKeys.InboundEnabled when bool.TryParse(value, out var on):
                    options.InboundEnabled = on;
                    break;
                case SettingKeys.CreateUsersFromShopify when bool.TryParse(value, out var on):
                    options.CreateUsersFromShopify = on;
                    break;
                case SettingKeys.UpdateUsersInShopify when bool.TryParse(value, out var on):
                    options.UpdateUsersInShopify = on;
                    break;
                case SettingKeys.RefreshLinkedUserProfile when bool.TryParse(value, out var on):
                    options.RefreshLinkedUserProfile = on;
                    break;
                case SettingKeys.RefreshEmailFromShopify when bool.TryParse(value, out var on):
                    options.RefreshEmailFromShopify = on;
                    break;
                case SettingKeys.MatchStrategy when Enum.TryParse<UserMatchStrategy>(value, ignoreCase: true, out var strategy):
                    options.MatchStrategy = strategy;
                    break;
                case SettingKeys.NameSplitRule when Enum.TryParse<NameSplitRule>(value, ignoreCase: true, out var rule):
                    options.NameSplitRule = rule;
                    break;
                case SettingKeys.DefaultRegion:
                    options.DefaultRegion = value;
                    break;
                case SettingKeys.DefaultCountryCallingCode:
                    options.DefaultCountryCallingCode = value;
                    break;
                case SettingKeys.ApiVersion:
                    options.ApiVersion = value;
                    break;
                case SettingKeys.WebhookSecret:
                    options.WebhookSecret = value;
                    break;
            }
        }
    }

    private static void ApplyStore(StoreOptions store, string field, string value)
    {
        switch (field)
        {
            case SettingKeys.StoreShopDomain:
                store.ShopDomain = value;
                break;
            case SettingKeys.StoreApiVersion:
                store.ApiVersion = value;
                break;
            case SettingKeys.StoreApiBaseUrl when Uri.TryCreate(value, UriKind.Absolute, out var url):
                store.ApiBaseUrl = url;
                break;
            case SettingKeys.StoreEnabled when bool.TryParse(value, out var on):
                store.Enabled = on;
                break;
            case SettingKeys.StoreAccessToken:
                store.AccessToken = value;
                break;
            case SettingKeys.StoreWebhookSecret:
                store.WebhookSecret = value;
                break;
            case SettingKeys.StorePreviousWebhookSecret:
                store.PreviousWebhookSecret = value;
                break;
        }
    }
}
