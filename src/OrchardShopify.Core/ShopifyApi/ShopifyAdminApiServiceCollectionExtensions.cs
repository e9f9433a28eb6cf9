using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace OrchardShopify.Core.ShopifyApi;

public static class ShopifyAdminApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the GraphQL Admin API client (a typed HttpClient), the customer, shop, bulk export and webhook
    /// subscription clients, and <see cref="IShopifyCustomerApi"/>. Throttle buckets are process-wide singletons.
    /// </summary>
    public static IServiceCollection AddShopifyAdminApi(this IServiceCollection services, Action<ShopifyAdminClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ShopifyAdminClientOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ThrottleBucketRegistry>();
        services.TryAddSingleton<ShopifyAdminResilience>();

        // The resilience pipeline owns per-attempt timeouts.
        services.AddHttpClient<ShopifyAdminClient>(http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddTransient<ShopifyCustomerClient>();
        services.TryAddTransient<IShopifyCustomerApi>(sp => sp.GetRequiredService<ShopifyCustomerClient>());
        services.TryAddTransient<BulkCustomerExport>();
        services.TryAddTransient<WebhookSubscriptionClient>();
        services.TryAddTransient<ShopifyShopClient>();
        return services;
    }
}
