using OrchardShopify.Core.Sync;
using OrchardShopify.OrchardCore.Site.Events;

namespace OrchardShopify.OrchardCore.Site;

/// <summary>
/// This site's own services, per tenant (the application is a module of its own, always enabled): its Shopify sync
/// event handlers, registered like any Orchard Core event handler.
/// </summary>
public sealed class Startup : global::OrchardCore.Modules.StartupBase
{
    public override void ConfigureServices(IServiceCollection services) => services.AddScoped<IShopifySyncEventHandler, WelcomeMail>();
}
