using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrchardCore.BackgroundTasks;
using OrchardCore.Data;
using OrchardCore.Data.Migration;
using OrchardCore.DisplayManagement.Handlers;
using OrchardCore.Environment.Shell;
using OrchardCore.Environment.Shell.Configuration;
using OrchardCore.Modules;
using OrchardCore.Navigation;
using OrchardCore.Security.Permissions;
using OrchardCore.Users.Handlers;
using OrchardCore.Users.Models;
using OrchardShopify.AspNetCore.Backfill;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Settings;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;
using OrchardShopify.OrchardCore.Drivers;
using OrchardShopify.OrchardCore.Hosting;
using OrchardShopify.OrchardCore.Settings;
using OrchardShopify.OrchardCore.Users;
using OrchardShopify.OrchardCore.Webhooks;
using YesSql.Indexes;

namespace OrchardShopify.OrchardCore;

[Feature(ShopifySyncConstants.Features.Sync)]
public sealed class Startup : StartupBase
{
    private readonly IShellConfiguration _shellConfiguration;

    public Startup(IShellConfiguration shellConfiguration)
    {
        _shellConfiguration = shellConfiguration;
    }

    public override void ConfigureServices(IServiceCollection services)
    {
        // The tenant's configuration first (OrchardCore:OrchardShopify, e.g. storage and secrets from the
        // environment), then the site settings saved in the admin over it.
        services.AddShopifyCustomerSync(_shellConfiguration.GetSection(ShopifySyncConstants.ConfigurationSection))
            .UseSyncRunner();

        // The tenant's settings change through the admin's settings page, not a reloaded file: while they are not valid
        // the runtime's options monitors throw and the readiness check reports why (ShopifySyncReadiness), rather than
        // going on with the previous settings as a plain ASP.NET Core site does.
        services.RemoveAll<IOptionsMonitor<ShopifySyncOptions>>();
        services.RemoveAll<IOptionsMonitor<ShopifyHostOptions>>();
        services.RemoveAll<IOptionsMonitor<ShopifyBackfillOptions>>();
        services.RemoveAll<IOptionsMonitor<ShopifySettingsOptions>>();
        services.AddSingleton<IUserDirectory, OrchardUserDirectory>();

        // The same directory adds and removes the Orchard Core roles of Shopify:TagRoles.
        services.AddSingleton<IUserRoleSync>(sp => (OrchardUserDirectory)sp.GetRequiredService<IUserDirectory>());
        services.AddSingleton(sp => new TenantScopes(() => sp.GetRequiredService<IShellHost>().GetScopeAsync(sp.GetRequiredService<ShellSettings>())));

        // Sync events reach the IShopifySyncEventHandlers that modules register in this tenant, in a scope of the tenant.
        services.Replace(ServiceDescriptor.Singleton<ISyncEventHandlerScope, TenantSyncEventHandlerScope>());
        services.AddSingleton<IPostConfigureOptions<ShopifyHostOptions>, TenantSyncStorage>();

        services.AddSingleton<ShopifySecretProtector>();
        services.AddSingleton<ShopifySyncSettingsSnapshot>();
        services.AddSingleton<IOptionsChangeTokenSource<ShopifySyncOptions>>(sp => sp.GetRequiredService<ShopifySyncSettingsSnapshot>());
        services.AddTransient<IConfigureOptions<ShopifySyncOptions>, ShopifySyncSettingsConfiguration>();
        services.AddSingleton<IOptionsChangeTokenSource<ShopifyHostOptions>>(sp => sp.GetRequiredService<ShopifySyncSettingsSnapshot>());
        services.AddSingleton<IPostConfigureOptions<ShopifyHostOptions>, ShopifyCatchUpSettingsConfiguration>();
        services.AddSingleton<ShopifySyncReadiness>();
        services.AddSingleton<TenantSyncLifetime>();
        services.AddScoped<IModularTenantEvents, ShopifySyncTenantEvents>();
        services.AddSingleton<IBackgroundTask, ShopifySyncWatchdog>();

        services.AddSiteDisplayDriver<ShopifySyncSettingsDisplayDriver>();
        services.AddNavigationProvider<AdminMenu>();
        services.AddPermissionProvider<Permissions>();

        services.AddIndexProvider<ShopifyUserIndexProvider>();
        services.AddDataMigration<ShopifyUserMigrations>();
        services.AddDisplayDriver<User, ShopifyUserPartDisplayDriver>();
        services.AddScoped<IUserEventHandler, ShopifyUserEventHandler>();
    }

    public override void Configure(IApplicationBuilder app, IEndpointRouteBuilder routes, IServiceProvider serviceProvider)
    {
        ArgumentNullException.ThrowIfNull(routes);

        // Tenant-relative: /{tenant prefix}/!/shopify/webhook/... Anonymous, no antiforgery; the HMAC authenticates.
        routes.MapShopifyWebhooks().RequireConfiguredSync();

        // Tenant-relative: /{tenant prefix}/!/shopify/account/addresses, the form the shopify_address_form Liquid block
        // posts. The signed-in user's own linked customer only; the tenant's antiforgery token and origin are required.
        routes.MapShopifyAddressForms().RequireConfiguredSync();
    }
}
