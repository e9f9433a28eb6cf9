using OrchardShopify.Core.Configuration;

namespace OrchardShopify.AspNetCore.Settings;

/// <summary>
/// The settings in force (configuration with the site's saved values over it). Secrets are never shown: only
/// <see cref="SecretState.Set"/> or <see cref="SecretState.NotSet"/>.
/// </summary>
/// <param name="SavedOnSite">Keys whose value was saved on the site and overrides configuration (e.g. <c>Stores:uk:AccessToken</c>).</param>
/// <param name="UnreadableSecrets">Saved secrets that cannot be decrypted here (Data Protection keys changed or not shared); save them again.</param>
/// <param name="MultiStore">Read-only here: it changes how users hold Shopify ids, so it is set in configuration.</param>
public sealed record ShopifySettingsView(
    bool Enabled,
    bool InboundEnabled,
    bool CreateUsersFromShopify,
    bool UpdateUsersInShopify,
    bool RefreshLinkedUserProfile,
    bool RefreshEmailFromShopify,
    UserMatchStrategy MatchStrategy,
    NameSplitRule NameSplitRule,
    string DefaultCountryCallingCode,
    string ApiVersion,
    string WebhookSecret,
    bool MultiStore,
    IReadOnlyDictionary<string, StoreSettingsView> Stores,
    IReadOnlyList<string> SavedOnSite,
    IReadOnlyList<string> UnreadableSecrets)
{
    /// <summary>Region (GB, US, …) national phone numbers are read in; null reads them in the main region of <see cref="DefaultCountryCallingCode"/>.</summary>
    public string? DefaultRegion { get; init; }

    /// <summary>The region national phone numbers are read in now: <see cref="DefaultRegion"/>, else the calling code's main region. Read-only.</summary>
    public string PhoneRegion { get; init; } = "";
}

/// <param name="ApiVersion">The store's own version; null means the global <c>ApiVersion</c>.</param>
public sealed record StoreSettingsView(
    string ShopDomain,
    string? ApiVersion,
    string? ApiBaseUrl,
    bool Enabled,
    string AccessToken,
    string WebhookSecret,
    string PreviousWebhookSecret);

public static class SecretState
{
    public const string Set = "set";
    public const string NotSet = "not set";

    public static string Of(string? secret) => string.IsNullOrEmpty(secret) ? NotSet : Set;
}

/// <summary>One refused setting: <see cref="Key"/> is the full configuration key (<c>Shopify:Stores:uk:ShopDomain</c>).</summary>
public sealed record SettingError(string Key, string Message);

/// <summary>The settings were not saved; <see cref="Errors"/> names every key at fault.</summary>
public sealed class ShopifySettingsValidationException : Exception
{
    public ShopifySettingsValidationException(IReadOnlyList<SettingError> errors)
        : base("The settings were not saved: " + string.Join(" ", (errors ?? []).Select(e => e.Message)))
    {
        Errors = errors ?? [];
    }

    public ShopifySettingsValidationException()
    {
        Errors = [];
    }

    public ShopifySettingsValidationException(string message)
        : base(message)
    {
        Errors = [];
    }

    public ShopifySettingsValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public IReadOnlyList<SettingError> Errors { get; }
}
