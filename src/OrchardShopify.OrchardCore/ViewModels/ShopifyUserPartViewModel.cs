using OrchardShopify.Core.Customers;

namespace OrchardShopify.OrchardCore.ViewModels;

/// <remarks>Not sealed: Orchard Core proxies shape models (Castle DynamicProxy subclasses them).</remarks>
public class ShopifyUserPartViewModel
{
    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    /// <summary>Linked customers: store handle (empty for <c>shopify_id</c>) and Shopify customer id. Read-only: the sync writes them.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Links { get; set; } = [];

    /// <summary>The user the editor shows, for the link and unlink actions; null while the user is being created.</summary>
    public string? UserId { get; set; }

    /// <summary>Whether the sync's settings are valid: linking and unlinking by hand need its services.</summary>
    public bool SyncReady { get; set; }

    /// <summary>Stores this user is not linked in, that it can be linked in by hand.</summary>
    public IReadOnlyList<string> LinkableStores { get; set; } = [];

    /// <summary>The commerce signals stored on each link, by store handle. Read-only: Shopify owns them and they are never sent back.</summary>
    public IReadOnlyList<KeyValuePair<string, CustomerSignals>> Signals { get; set; } = [];
}
