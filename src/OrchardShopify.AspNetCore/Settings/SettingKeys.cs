using System.Text.RegularExpressions;

namespace OrchardShopify.AspNetCore.Settings;

/// <summary>The settings an administrator may change on the site, keyed like configuration below <c>Shopify:</c>.</summary>
internal static partial class SettingKeys
{
    public const string Enabled = "Enabled";
    public const string InboundEnabled = "InboundEnabled";
    public const string CreateUsersFromShopify = "CreateUsersFromShopify";
    public const string UpdateUsersInShopify = "UpdateUsersInShopify";
    public const string RefreshLinkedUserProfile = "RefreshLinkedUserProfile";
    public const string RefreshEmailFromShopify = "RefreshEmailFromShopify";
    public const string MatchStrategy = "MatchStrategy";
    public const string NameSplitRule = "NameSplitRule";
    public const string DefaultRegion = "DefaultRegion";
    public const string DefaultCountryCallingCode = "DefaultCountryCallingCode";
    public const string ApiVersion = "ApiVersion";
    public const string WebhookSecret = "WebhookSecret";

    public const string StoreShopDomain = "ShopDomain";
    public const string StoreApiVersion = "ApiVersion";
    public const string StoreApiBaseUrl = "ApiBaseUrl";
    public const string StoreEnabled = "Enabled";
    public const string StoreAccessToken = "AccessToken";
    public const string StoreWebhookSecret = "WebhookSecret";
    public const string StorePreviousWebhookSecret = "PreviousWebhookSecret";

    public static readonly string[] Booleans = [Enabled, InboundEnabled, CreateUsersFromShopify, UpdateUsersInShopify, RefreshLinkedUserProfile, RefreshEmailFromShopify];

    public static readonly string[] StoreFields = [StoreShopDomain, StoreApiVersion, StoreApiBaseUrl, StoreEnabled, StoreAccessToken, StoreWebhookSecret, StorePreviousWebhookSecret];

    public static string Store(string handle, string field) => $"Stores:{handle}:{field}";

    /// <summary>Secrets are stored protected and never returned.</summary>
    public static bool IsSecret(string key) => key == WebhookSecret
        || (TryParseStore(key, out _, out var field) && field is StoreAccessToken or StoreWebhookSecret or StorePreviousWebhookSecret);

    public static bool TryParseStore(string key, out string handle, out string field)
    {
        var match = StoreKeyPattern().Match(key);
        handle = match.Success ? match.Groups["handle"].Value : "";
        field = match.Success ? match.Groups["field"].Value : "";
        return match.Success;
    }

    public static bool IsValidHandle(string handle) => HandlePattern().IsMatch(handle);

    [GeneratedRegex(@"^Stores:(?<handle>[A-Za-z0-9_-]{1,50}):(?<field>[A-Za-z]+)$", RegexOptions.IgnoreCase)]
    private static partial Regex StoreKeyPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,50}$")]
    private static partial Regex HandlePattern();
}
