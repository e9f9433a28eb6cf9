using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Customers;

/// <summary>
/// Per-customer cache of Shopify reads. Every key carries the customer's generation; a webhook or push for
/// the customer bumps it, which retires all of that customer's entries (view, addresses, every orders page) at once.
/// </summary>
internal sealed class CustomerViewCache(IMemoryCache cache, IOptionsMonitor<ShopifyHostOptions> options)
{
    private readonly ConcurrentDictionary<(string Store, long CustomerId), long> _generations = new();

    public async Task<T> GetOrLoadAsync<T>(string store, long customerId, string part, Func<CancellationToken, Task<T>> load, CancellationToken cancellationToken)
    {
        var generation = _generations.GetValueOrDefault((store.ToUpperInvariant(), customerId));
        var key = $"shopify:{store.ToUpperInvariant()}:{customerId}:{generation}:{part}";
        if (cache.TryGetValue(key, out T? cached) && cached is not null)
        {
            return cached;
        }

        var value = await load(cancellationToken);
        if (value is not null)
        {
            cache.Set(key, value, options.CurrentValue.CustomerCacheDuration);
        }

        return value;
    }

    public void Invalidate(string store, long customerId) => _generations.AddOrUpdate((store.ToUpperInvariant(), customerId), 1, (_, g) => g + 1);
}
