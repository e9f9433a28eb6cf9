using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Core.DependencyInjection;

/// <summary>Further configuration of the customer sync, returned by the <c>AddShopifyCustomerSync…</c> calls.</summary>
public sealed class ShopifySyncBuilder
{
    internal ShopifySyncBuilder(IServiceCollection services)
    {
        Services = services;
    }

    public IServiceCollection Services { get; }

    internal Type? JobTypeFromCode { get; private set; }

    /// <summary>Pushes users to Shopify with <typeparamref name="TJob"/>; takes precedence over <c>Shopify:UpdateShopifyUserJob</c>.</summary>
    public ShopifySyncBuilder UseUserUpdateJob<TJob>()
        where TJob : class, IShopifyUserUpdateJob
    {
        JobTypeFromCode = typeof(TJob);
        Services.AddTransient<TJob>();
        return this;
    }

    /// <summary>
    /// Calls <typeparamref name="THandler"/> (scoped: one instance per event) after each applied outcome of the sync;
    /// may be called for several handlers. The same as <c>services.AddScoped&lt;IShopifySyncEventHandler, THandler&gt;()</c>.
    /// </summary>
    public ShopifySyncBuilder AddSyncEventHandler<THandler>()
        where THandler : class, IShopifySyncEventHandler
    {
        Services.AddScoped<IShopifySyncEventHandler, THandler>();
        return this;
    }
}
