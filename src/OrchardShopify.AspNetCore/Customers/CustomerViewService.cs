using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.Customers;

/// <summary>
/// A user's own Shopify customer for templates and headless clients: found through the user's link for the
/// store (never a customer id from a request), read with the Admin API, cached until that customer's next webhook.
/// </summary>
public sealed class CustomerViewService
{
    public const int MaxPageSize = 20;

    private readonly StoreRegistry _stores;
    private readonly ICustomerLinkStore _links;
    private readonly IShopifyCustomerReads _reads;
    private readonly CustomerViewCache _cache;
    private readonly IOptionsMonitor<ShopifyHostOptions> _options;

    internal CustomerViewService(StoreRegistry stores, ICustomerLinkStore links, IShopifyCustomerReads reads, CustomerViewCache cache, IOptionsMonitor<ShopifyHostOptions> options)
    {
        _options = options;
        _stores = stores;
        _links = links;
        _reads = reads;
        _cache = cache;
    }

    /// <exception cref="UnknownStoreException">The store handle names no enabled store (or several stores exist and none is named).</exception>
    public async Task<CustomerLookup<ShopifyCustomerView>> GetCustomerAsync(string userId, string? storeHandle, CancellationToken cancellationToken)
    {
        var (store, customerId) = await ResolveAsync(userId, storeHandle, cancellationToken);
        if (customerId is null)
        {
            return CustomerLookup<ShopifyCustomerView>.NotLinked(store.Handle);
        }

        var view = await _cache.GetOrLoadAsync(store.Handle, customerId.Value, "view", ct => _reads.GetCustomerViewAsync(store, customerId.Value, ct), cancellationToken);
        if (view is not null && !_options.CurrentValue.ShowCustomerNote)
        {
            // The note is the merchant's, written for staff ("placed an order with a fraud warning"): not shown to the
            // customer unless the site says so.
            view = view with { Note = null };
        }

        return view is null ? CustomerLookup<ShopifyCustomerView>.Gone(store.Handle) : CustomerLookup<ShopifyCustomerView>.Found(store.Handle, view);
    }

    public async Task<CustomerLookup<ShopifyPage<ShopifyMailingAddress>>> GetAddressesAsync(string userId, string? storeHandle, int first, string? after, CancellationToken cancellationToken)
    {
        var (store, customerId) = await ResolveAsync(userId, storeHandle, cancellationToken);
        if (customerId is null)
        {
            return CustomerLookup<ShopifyPage<ShopifyMailingAddress>>.NotLinked(store.Handle);
        }

        first = Math.Clamp(first, 1, MaxPageSize);
        InvalidCursorException.ThrowIfMalformed(after);
        var page = await _cache.GetOrLoadAsync(store.Handle, customerId.Value, $"addresses:{first}:{after}", ct => InvalidCursorException.WhenRefusedAsync(after, () => _reads.GetAddressesAsync(store, customerId.Value, first, after, ct)), cancellationToken);
        return CustomerLookup<ShopifyPage<ShopifyMailingAddress>>.Found(store.Handle, page);
    }

    public async Task<CustomerLookup<ShopifyPage<ShopifyOrder>>> GetOrdersAsync(string userId, string? storeHandle, OrderStatusFilter status, int first, string? after, CancellationToken cancellationToken)
    {
        var (store, customerId) = await ResolveAsync(userId, storeHandle, cancellationToken);
        if (customerId is null)
        {
            return CustomerLookup<ShopifyPage<ShopifyOrder>>.NotLinked(store.Handle);
        }

        first = Math.Clamp(first, 1, MaxPageSize);
        InvalidCursorException.ThrowIfMalformed(after);
        var page = await _cache.GetOrLoadAsync(store.Handle, customerId.Value, $"orders:{status}:{first}:{after}", ct => InvalidCursorException.WhenRefusedAsync(after, () => _reads.GetOrdersAsync(store, customerId.Value, status, first, after, ct)), cancellationToken);
        return CustomerLookup<ShopifyPage<ShopifyOrder>>.Found(store.Handle, page);
    }

    /// <summary>
    /// The commerce signals stored on the user's link for the store (orders, amount spent, tags, email marketing
    /// consent, account state, verified email), as the last webhook, catch-up or import carried them; no Admin API call.
    /// Found with empty signals (no <see cref="CustomerSignals.UpdatedAt"/>) while none have arrived yet.
    /// </summary>
    /// <exception cref="UnknownStoreException">The store handle names no enabled store (or several stores exist and none is named).</exception>
    public async Task<CustomerLookup<CustomerSignals>> GetSignalsAsync(string userId, string? storeHandle, CancellationToken cancellationToken)
    {
        var (store, link) = await ResolveLinkAsync(userId, storeHandle, cancellationToken);
        return link is null
            ? CustomerLookup<CustomerSignals>.NotLinked(store.Handle)
            : CustomerLookup<CustomerSignals>.Found(store.Handle, link.Signals ?? new CustomerSignals());
    }

    private async Task<(ShopifyStore Store, long? CustomerId)> ResolveAsync(string userId, string? storeHandle, CancellationToken cancellationToken)
    {
        var (store, link) = await ResolveLinkAsync(userId, storeHandle, cancellationToken);
        return (store, link?.CustomerId);
    }

    private async Task<(ShopifyStore Store, CustomerLink? Link)> ResolveLinkAsync(string userId, string? storeHandle, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var store = _stores.ResolveForTemplate(storeHandle);
        var link = (await _links.FindByUserAsync(userId, cancellationToken))
            .FirstOrDefault(l => string.Equals(l.StoreHandle, store.Handle, StringComparison.OrdinalIgnoreCase));
        return (store, link);
    }
}

public enum CustomerLookupStatus
{
    Found,

    /// <summary>The user has no link to a customer of the store.</summary>
    NotLinked,

    /// <summary>The link exists but Shopify no longer has the customer.</summary>
    Gone,
}

public sealed record CustomerLookup<T>(CustomerLookupStatus Status, string StoreHandle, T? Value)
    where T : class
{
    internal static CustomerLookup<T> Found(string store, T value) => new(CustomerLookupStatus.Found, store, value);

    internal static CustomerLookup<T> NotLinked(string store) => new(CustomerLookupStatus.NotLinked, store, null);

    internal static CustomerLookup<T> Gone(string store) => new(CustomerLookupStatus.Gone, store, null);
}
