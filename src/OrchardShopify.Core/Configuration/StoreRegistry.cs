using Microsoft.Extensions.Options;

namespace OrchardShopify.Core.Configuration;

/// <summary>Resolves configured stores by handle or shop domain. Follows options reloads.</summary>
public sealed class StoreRegistry
{
    private readonly IOptionsMonitor<ShopifySyncOptions> _options;
    private Snapshot _snapshot;

    public StoreRegistry(IOptionsMonitor<ShopifySyncOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _snapshot = new Snapshot(options.CurrentValue);
        options.OnChange(o => _snapshot = new Snapshot(o));
    }

    public ShopifySyncOptions Options => _options.CurrentValue;

    public bool MultiStore => _snapshot.Options.MultiStore;

    /// <summary>Enabled stores in configuration order.</summary>
    public IReadOnlyList<ShopifyStore> Stores => _snapshot.Stores;

    /// <summary>
    /// The store whose ShopDomain equals <paramref name="shopDomain"/> (case-insensitive, surrounding
    /// whitespace ignored). Unknown or disabled domains give null: never a fallback to another store.
    /// </summary>
    public ShopifyStore? FindByShopDomain(string? shopDomain)
    {
        if (string.IsNullOrWhiteSpace(shopDomain))
        {
            return null;
        }

        return _snapshot.ByDomain.GetValueOrDefault(shopDomain.Trim());
    }

    public ShopifyStore? FindByHandle(string? handle)
    {
        if (string.IsNullOrWhiteSpace(handle))
        {
            return null;
        }

        return _snapshot.ByHandle.GetValueOrDefault(handle.Trim());
    }

    /// <summary>The store a template means: the named one, or the only store in single-store mode.</summary>
    public ShopifyStore ResolveForTemplate(string? handle)
    {
        if (!string.IsNullOrWhiteSpace(handle))
        {
            return FindByHandle(handle) ?? throw new UnknownStoreException($"No enabled store has the handle '{handle}'. Configured: {string.Join(", ", Stores.Select(s => s.Handle))}.");
        }

        if (Stores.Count == 1)
        {
            return Stores[0];
        }

        throw new UnknownStoreException($"Several stores are configured ({string.Join(", ", Stores.Select(s => s.Handle))}); name one with store: \"handle\".");
    }

    private sealed class Snapshot
    {
        public Snapshot(ShopifySyncOptions options)
        {
            Options = options;
            Stores = options.Stores
                .Where(pair => pair.Value is { Enabled: true } && !string.IsNullOrWhiteSpace(pair.Value.ShopDomain))
                .Select(pair => new ShopifyStore(pair.Key, pair.Value, options))
                .ToList();
            ByDomain = new Dictionary<string, ShopifyStore>(StringComparer.OrdinalIgnoreCase);
            ByHandle = new Dictionary<string, ShopifyStore>(StringComparer.OrdinalIgnoreCase);
            foreach (var store in Stores)
            {
                ByDomain.TryAdd(store.ShopDomain, store);
                ByHandle.TryAdd(store.Handle, store);
            }
        }

        public ShopifySyncOptions Options { get; }

        public List<ShopifyStore> Stores { get; }

        public Dictionary<string, ShopifyStore> ByDomain { get; }

        public Dictionary<string, ShopifyStore> ByHandle { get; }
    }
}

public sealed class UnknownStoreException : Exception
{
    public UnknownStoreException(string message)
        : base(message)
    {
    }

    public UnknownStoreException()
    {
    }

    public UnknownStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
