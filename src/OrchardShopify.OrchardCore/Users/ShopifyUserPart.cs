using System.Text.Json.Serialization;

namespace OrchardShopify.OrchardCore.Users;

/// <summary>
/// Shopify data on an Orchard Core user (<c>user.Properties.ShopifyUserPart</c>): the names sent to Shopify and
/// the Shopify customer ids the user is linked to – <c>shopify_id</c> in single-store mode, <c>shopify_ids</c>
/// keyed by store handle in multi-store mode, as the Statamic addon stored them. The sync's link store is
/// authoritative; this part mirrors it for the user editor, templates and queries.
/// </summary>
public sealed class ShopifyUserPart
{
    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    [JsonPropertyName("shopify_id")]
    public long? ShopifyId { get; set; }

    [JsonPropertyName("shopify_ids")]
    public Dictionary<string, long> ShopifyIds { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
