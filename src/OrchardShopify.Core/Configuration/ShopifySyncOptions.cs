namespace OrchardShopify.Core.Configuration;

/// <summary>
/// The <c>Shopify</c> configuration section. Names mirror the Statamic addon's settings
/// (<c>create_users_from_shopify</c>, <c>update_users_in_shopify</c>, <c>update_shopify_user_job</c>).
/// </summary>
public sealed class ShopifySyncOptions
{
    public const string SectionName = "Shopify";

    /// <summary>Master switch: when false, webhooks are still verified and stored but nothing is applied or pushed.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Apply Shopify changes to users (Shopify ⇒ site).</summary>
    public bool InboundEnabled { get; set; } = true;

    /// <summary>Create a user when a Shopify customer matches nobody (<c>create_users_from_shopify</c>).</summary>
    public bool CreateUsersFromShopify { get; set; }

    /// <summary>Push user creations and changes to Shopify (<c>update_users_in_shopify</c>).</summary>
    public bool UpdateUsersInShopify { get; set; }

    /// <summary>
    /// Assembly-qualified or full type name of the <see cref="Sync.IShopifyUserUpdateJob"/> that pushes a user
    /// to Shopify (<c>update_shopify_user_job</c>). Empty means the default job.
    /// </summary>
    public string? UpdateShopifyUserJob { get; set; }

    /// <summary>Store links in a <c>shopify_ids</c> map keyed by store handle instead of a single <c>shopify_id</c>.</summary>
    public bool MultiStore { get; set; }

    /// <summary>How an incoming customer is matched to an existing user when no link exists yet.</summary>
    public UserMatchStrategy MatchStrategy { get; set; } = UserMatchStrategy.EmailOrPhone;

    /// <summary>Refresh Shopify-owned profile fields (names, phone) of a user that is already linked.</summary>
    public bool RefreshLinkedUserProfile { get; set; } = true;

    /// <summary>Also refresh the user's email from Shopify. Off by default: the email is a sign-in identity.</summary>
    public bool RefreshEmailFromShopify { get; set; }

    /// <summary>
    /// Link, match and push only identities the host verified (on by default): an unlinked customer is matched to a user
    /// by email only when the user's email is confirmed, by phone only when the user's phone is confirmed, and a user is
    /// pushed to Shopify only once its email is confirmed. Turn off only when the host verifies identities another way.
    /// </summary>
    public bool RequireVerifiedIdentity { get; set; } = true;

    /// <summary>
    /// Comma-separated role names whose users are never pushed to Shopify (staff); default <c>Administrator</c>.
    /// Empty pushes every role.
    /// </summary>
    public string ExcludedRoles { get; set; } = DefaultExcludedRoles;

    /// <summary>The default of <see cref="ExcludedRoles"/>.</summary>
    public const string DefaultExcludedRoles = "Administrator";

    /// <summary>How a display name is split into first and last name for Shopify.</summary>
    public NameSplitRule NameSplitRule { get; set; } = NameSplitRule.FirstLast;

    /// <summary>
    /// Region (ISO 3166-1 code, e.g. "GB", "US", "IT") whose numbering plan reads phone numbers written without a
    /// country code, as libphonenumber does. When empty, the main region of <see cref="DefaultCountryCallingCode"/>.
    /// </summary>
    public string? DefaultRegion { get; set; }

    /// <summary>
    /// Older form of <see cref="DefaultRegion"/>: a country calling code (digits, no plus), read as its main region
    /// ("1" → US, "44" → GB, "39" → IT). Used only while <see cref="DefaultRegion"/> is empty.
    /// </summary>
    public string DefaultCountryCallingCode { get; set; } = "1";

    /// <summary>Fallback webhook signing secret for stores that have none of their own.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>Largest webhook body accepted, in bytes (default 1 MiB).</summary>
    public int MaxWebhookBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Admin API version used when a store does not set its own.</summary>
    public string ApiVersion { get; set; } = ShopifyApiVersions.Default;

    /// <summary>Stores keyed by handle (<c>uk</c>, <c>us</c>, …).</summary>
    public Dictionary<string, StoreOptions> Stores { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Segments to roles: Shopify customer tags that grant site roles (<c>Shopify:TagRoles:0:Tag</c> = <c>wholesale</c>,
    /// <c>…:Role</c> = <c>Wholesale</c>, <c>…:Store</c> = a store handle or empty for any store). Applied to a linked
    /// user on every inbound change: a mapped tag present in any store that maps it grants the role, absent from all of
    /// them revokes it; roles no entry names are never touched.
    /// </summary>
    public List<TagRoleMapping> TagRoles { get; set; } = [];
}

/// <summary>One Shopify store the site syncs with.</summary>
public sealed class StoreOptions
{
    /// <summary><c>name.myshopify.com</c>; matched against <c>X-Shopify-Shop-Domain</c> case-insensitively.</summary>
    public string ShopDomain { get; set; } = "";

    /// <summary>Admin API access token (<c>shpat_…</c>). Needed for outbound pushes and template reads.</summary>
    public string? AccessToken { get; set; }

    /// <summary>Webhook signing secret (the app's client secret, or the key shown in Settings › Notifications).</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>The secret before a rotation; digests made with it are accepted while it is set.</summary>
    public string? PreviousWebhookSecret { get; set; }

    /// <summary>Admin API version for this store; defaults to <see cref="ShopifySyncOptions.ApiVersion"/>.</summary>
    public string? ApiVersion { get; set; }

    /// <summary>Base URL of the Admin API host; defaults to <c>https://{ShopDomain}</c>. Points at the emulator in development.</summary>
    public Uri? ApiBaseUrl { get; set; }

    /// <summary>When false the store's webhooks are rejected as unknown and nothing is pushed to it.</summary>
    public bool Enabled { get; set; } = true;
}

public enum UserMatchStrategy
{
    /// <summary>Only an existing (store, Shopify id) link matches.</summary>
    LinkOnly,

    /// <summary>The link, then the email (case-insensitive).</summary>
    Email,

    /// <summary>The link, then the email, then the phone in E.164.</summary>
    EmailOrPhone,
}

public enum NameSplitRule
{
    /// <summary>"Ada Lovelace" → first "Ada", last "Lovelace".</summary>
    FirstLast,

    /// <summary>"Lovelace Ada" → first "Ada", last "Lovelace".</summary>
    LastFirst,
}

public static class ShopifyApiVersions
{
    public const string Default = "2026-10";
}
