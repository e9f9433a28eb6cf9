using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

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
        services.AddResiliencePipeline(ShopifyAdminResilience.PipelineName, (builder, context) =>
        {
            builder.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            ShopifyAdminResilience.Configure(builder, context.ServiceProvider.GetRequiredService<IOptions<ShopifyAdminClientOptions>>().Value);
        });
        services.TryAddSingleton(sp => new ShopifyAdminResilience(
            sp.GetRequiredService<IOptions<ShopifyAdminClientOptions>>().Value,
            sp.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(ShopifyAdminResilience.PipelineName)));

        // The resilience pipeline owns per-attempt timeouts. HttpClientFactory's own request logging is removed: at Trace
        // it hands every request header, the access token included, to structured log sinks (only its message text is
        // redacted). A failed call is reported by the exception the client throws, naming store and operation only.
        services.AddHttpClient<ShopifyAdminClient>(http => http.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
        services.TryAddTransient<ShopifyCustomerClient>();
        services.TryAddTransient<IShopifyCustomerApi>(sp => sp.GetRequiredService<ShopifyCustomerClient>());
        services.TryAddTransient<BulkCustomerExport>();
        services.TryAddTransient<WebhookSubscriptionClient>();
        services.TryAddTransient<ShopifyShopClient>();
        return services;
    }
}
