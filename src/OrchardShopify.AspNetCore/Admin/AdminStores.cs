using OrchardShopify.Core.Configuration;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>The store an administrator's request names.</summary>
internal static class AdminStores
{
    /// <summary>The enabled store with the handle; without one, the only store when there is exactly one.</summary>
    /// <exception cref="AdminRequestException"><c>unknown_store</c>, naming the enabled stores.</exception>
    public static ShopifyStore Resolve(this StoreRegistry stores, string? handle)
    {
        if (string.IsNullOrWhiteSpace(handle) && stores.Stores.Count == 1)
        {
            return stores.Stores[0];
        }

        return stores.FindByHandle(handle) ?? throw AdminRequestException.UnknownStore(handle, stores.Stores.Select(s => s.Handle));
    }
}
