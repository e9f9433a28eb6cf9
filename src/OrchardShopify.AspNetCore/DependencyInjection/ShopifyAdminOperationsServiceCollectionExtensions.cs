using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Backfill;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Operations;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Statistics;
using OrchardShopify.AspNetCore.Reconciliation;
using OrchardShopify.AspNetCore.Settings;
using OrchardShopify.AspNetCore.Stores;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.DependencyInjection;

/// <summary>The services behind the admin screens: import, reconciliation, bulk send, manual links, settings, store connection, delivery statistics.</summary>
internal static class ShopifyAdminOperationsServiceCollectionExtensions
{
    public static IServiceCollection AddShopifyAdminOperations(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ShopifyBackfillOptions>().Bind(configuration.GetSection("Backfill")).ValidateOnStart();
        services.KeepLastValidOptions<ShopifyBackfillOptions>();

        services.TryAddSingleton<SyncJobHost>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<SyncJobHost>());
        services.TryAddSingleton(sp => new CustomerImportService(
            sp.GetRequiredService<StoreRegistry>(),
            sp.GetRequiredService<SyncJobHost>(),
            sp,
            sp.GetRequiredService<IOptionsMonitor<ShopifyBackfillOptions>>()));

        services.AddDataProtection();
        services.AddOptions<ShopifySettingsOptions>().Bind(configuration.GetSection("Settings")).ValidateOnStart();
        services.KeepLastValidOptions<ShopifySettingsOptions>();
        services.TryAddSingleton<ShopifySettingsStore>();
        services.TryAddSingleton<ShopifySettingsOverlay>();
        services.AddSingleton<IPostConfigureOptions<ShopifySyncOptions>>(sp => sp.GetRequiredService<ShopifySettingsOverlay>());
        services.AddSingleton<IOptionsChangeTokenSource<ShopifySyncOptions>>(sp => sp.GetRequiredService<ShopifySettingsOverlay>());
        services.AddHostedService<ShopifySettingsLoader>();
        services.TryAddSingleton(sp => new ShopifySettingsService(
            sp.GetRequiredService<ShopifySettingsStore>(),
            sp.GetRequiredService<IOptionsMonitor<ShopifySyncOptions>>(),
            sp.GetServices<IConfigureOptions<ShopifySyncOptions>>(),
            sp.GetServices<IPostConfigureOptions<ShopifySyncOptions>>()));

        services.TryAddTransient<StoreConnectionService>();

        services.TryAddSingleton<ISiteUserCatalog, UnlistedSiteUsers>();
        services.TryAddSingleton(sp => new ReconciliationService(
            sp.GetRequiredService<StoreRegistry>(),
            sp.GetRequiredService<SyncJobHost>(),
            sp,
            sp.GetRequiredService<IOptionsMonitor<ShopifyBackfillOptions>>()));

        services.TryAddSingleton(sp => new BulkSendService(
            sp.GetRequiredService<StoreRegistry>(),
            sp.GetRequiredService<SyncJobHost>(),
            sp,
            sp.GetRequiredService<IOptionsMonitor<ShopifyBackfillOptions>>()));
        services.TryAddTransient(sp => new CustomerLinkAdmin(
            sp.GetRequiredService<StoreRegistry>(),
            sp.GetRequiredService<ICustomerLinkStore>(),
            sp.GetRequiredService<IUserDirectory>(),
            sp.GetRequiredService<IShopifyCustomerApi>(),
            sp.GetRequiredService<ISyncLog>(),
            sp.GetRequiredService<ISyncLock>(),
            sp.GetRequiredService<CustomerViewCache>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<InboundCustomerSync>()));

        services.TryAddSingleton(sp => new DeliveryStatisticsService(
            sp.GetRequiredService<SyncDatabase>(),
            sp.GetRequiredService<StoreRegistry>(),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
