namespace OrchardShopify.AspNetCore.Users;

/// <summary>
/// The user claims the Identity adapter writes. Templates and the admin read a user's Shopify id from
/// <see cref="ShopifyId"/> (single store) or <c>shopify_ids:{store}</c> (multi-store).
/// </summary>
public static class ShopifyUserClaims
{
    public const string ShopifyId = "shopify_id";

    public const string ShopifyIdsPrefix = "shopify_ids:";

    /// <summary>First name, unless the user type has a <c>FirstName</c> property.</summary>
    public const string GivenName = "given_name";

    /// <summary>Last name, unless the user type has a <c>LastName</c> property.</summary>
    public const string FamilyName = "family_name";

    public static string ShopifyIdFor(string? storeHandle) => storeHandle is null ? ShopifyId : ShopifyIdsPrefix + storeHandle;
}
