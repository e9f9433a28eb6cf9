namespace OrchardShopify.OrchardCore.ViewModels;

public sealed class ShopifyUserPartViewModel
{
    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    /// <summary>Linked customers: store handle (empty for <c>shopify_id</c>) and Shopify customer id. Read-only: the sync writes them.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Links { get; set; } = [];
}
