namespace OrchardShopify.Core.Configuration;

/// <summary>
/// One entry of <see cref="ShopifySyncOptions.TagRoles"/>: a Shopify customer tag that grants a site role to the user
/// linked to a customer with the tag, in <see cref="Store"/> or, when it is null, in any store.
/// </summary>
public sealed class TagRoleMapping
{
    /// <summary>The customer tag, compared as Shopify compares tags (ignoring case and surrounding spaces).</summary>
    public string Tag { get; set; } = "";

    /// <summary>The site role the tag grants: an Identity role in the ASP.NET Core host, an Orchard Core role in the module.</summary>
    public string Role { get; set; } = "";

    /// <summary>The store handle whose customers' tag counts; null or empty for any store.</summary>
    public string? Store { get; set; }

    /// <summary>Whether this entry reads the tags of <paramref name="storeHandle"/>.</summary>
    public bool AppliesTo(string storeHandle) => string.IsNullOrWhiteSpace(Store) || string.Equals(Store.Trim(), storeHandle, StringComparison.OrdinalIgnoreCase);
}
