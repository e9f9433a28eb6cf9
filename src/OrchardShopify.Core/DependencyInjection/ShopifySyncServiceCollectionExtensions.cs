using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.Core.DependencyInjection;

public static class ShopifySyncServiceCollectionExtensions
{
    /// <summary>
    /// Registers the engine: options validation, store registry, webhook verifier, inbound sync, outbound
    /// scheduler, the user update job and the sync event dispatcher (handlers: <see cref="IShopifySyncEventHandler"/>,
    /// <see cref="ShopifySyncBuilder.AddSyncEventHandler{THandler}"/>). The host supplies the ports (<c>IUserDirectory</c>,
    /// <c>ICustomerLinkStore</c>, <c>IOutboundSyncQueue</c>, <c>ISyncLog</c>, <c>IShopifyCustomerApi</c>), and
    /// <c>ISyncLock</c> when several processes share the storage (the default lock covers one process).
    /// </summary>
    public static ShopifySyncBuilder AddShopifySyncEngine(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new ShopifySyncBuilder(services);
        services.AddOptions<ShopifySyncOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ShopifySyncOptions>, ShopifySyncOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StoreRegistry>();
        services.TryAddSingleton<WebhookVerifier>();
        services.TryAddSingleton<ISyncLock, InProcessSyncLock>();
        services.TryAddSingleton<ISyncEventHandlerScope, ServiceScopeSyncEventHandlerScope>();
        services.TryAddSingleton<ShopifySyncEventDispatcher>();
        services.TryAddSingleton<InboundCustomerSync>();
        services.TryAddSingleton<OutboundPushScheduler>();
        services.TryAddTransient<DefaultShopifyUserUpdateJob>();
        services.TryAddTransient<IShopifyUserUpdateJob>(provider => CreateJob(provider, builder));
        return builder;
    }

    private static IShopifyUserUpdateJob CreateJob(IServiceProvider provider, ShopifySyncBuilder builder)
    {
        var jobType = builder.JobTypeFromCode;
        var configured = provider.GetRequiredService<IOptionsMonitor<ShopifySyncOptions>>().CurrentValue.UpdateShopifyUserJob;
        if (jobType is null && !string.IsNullOrWhiteSpace(configured))
        {
            if (!UserUpdateJobType.TryResolve(configured, out jobType, out var error))
            {
                throw new InvalidOperationException(error);
            }
        }

        jobType ??= typeof(DefaultShopifyUserUpdateJob);
        return (IShopifyUserUpdateJob)(provider.GetService(jobType) ?? ActivatorUtilities.CreateInstance(provider, jobType));
    }
}
