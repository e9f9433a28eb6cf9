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
}
