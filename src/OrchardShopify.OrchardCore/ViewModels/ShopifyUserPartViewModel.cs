using OrchardShopify.Core.Customers;

namespace OrchardShopify.OrchardCore.ViewModels;

/// <remarks>Not sealed: Orchard Core proxies shape models (Castle DynamicProxy subclasses them).</remarks>
public class ShopifyUserPartViewModel
{
    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    /// <summary>Linked customers: store handle (empty for <c>shopify_id</c>) and Shopify customer id. Read-only: the sync writes them.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Links { get; set; } = [];

    /// <summary>The commerce signals stored on each link, by store handle. Read-only: Shopify owns them and they are never sent back.</summary>
    public IReadOnlyList<KeyValuePair<string, CustomerSignals>> Signals { get; set; } = [];
}
