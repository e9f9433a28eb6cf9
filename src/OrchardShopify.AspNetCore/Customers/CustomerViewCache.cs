using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Customers;

/// <summary>
/// Per-customer cache of Shopify reads. Every key carries the customer's generation; a webhook or push for
/// the customer bumps it, which retires all of that customer's entries (view, addresses, every orders page) at once.
/// </summary>
/// <remarks>
/// Generations are cache entries themselves, kept for three cache durations after the customer's last change: by
/// then every entry made under an older generation has expired (an entry lives one duration, and a read that was
/// loading across a change stores its entry at most one duration after it), so the count starts again from 0 without
/// a stale entry to meet. Memory holds generations only for customers changed recently, not for every customer ever
/// seen. They live in a cache of their own, without a size limit and never compacted, so they are never refused or
/// removed to make room (which would bring back a retired entry), whatever limit the host gives its
/// <see cref="IMemoryCache"/>.
/// </remarks>
internal sealed class CustomerViewCache(IMemoryCache cache, IOptionsMonitor<ShopifyHostOptions> options) : IDisposable
{
    private readonly MemoryCache _generations = new(new MemoryCacheOptions());

    public async Task<T> GetOrLoadAsync<T>(string store, long customerId, string part, Func<CancellationToken, Task<T>> load, CancellationToken cancellationToken)
    {
        var customer = CustomerKey(store, customerId);
        var key = $"{customer}:{Generation(customer)}:{part}";
        if (cache.TryGetValue(key, out T? cached) && cached is not null)
        {
            return cached;
        }

        var value = await load(cancellationToken);
        if (value is not null)
        {
            // A size of 1 per entry: the host's IMemoryCache may have a SizeLimit, which refuses entries without one.
            cache.Set(key, value, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = options.CurrentValue.CustomerCacheDuration, Size = 1 });
        }

        return value;
    }

    public void Invalidate(string store, long customerId)
    {
        var customer = CustomerKey(store, customerId);
        var next = Generation(customer) + 1;
        _generations.Set(GenerationKey(customer), next, new MemoryCacheEntryOptions
        {
            Priority = CacheItemPriority.NeverRemove,
            AbsoluteExpirationRelativeToNow = GenerationLifetime(options.CurrentValue.CustomerCacheDuration),
        });
    }

    public void Dispose() => _generations.Dispose();

    /// <summary>Generations held now, expired ones dropped first.</summary>
    internal int CountGenerations()
    {
        _generations.Compact(0);
        return _generations.Count;
    }

    internal static TimeSpan GenerationLifetime(TimeSpan cacheDuration) => cacheDuration * 3;

    private long Generation(string customer) => _generations.TryGetValue(GenerationKey(customer), out long generation) ? generation : 0;

    private static string CustomerKey(string store, long customerId) => $"shopify:{store.ToUpperInvariant()}:{customerId}";

    private static string GenerationKey(string customer) => customer + ":generation";
}
