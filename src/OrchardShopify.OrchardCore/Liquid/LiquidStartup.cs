using Microsoft.Extensions.DependencyInjection;
using OrchardCore.DisplayManagement.Liquid;
using OrchardCore.Liquid;
using OrchardCore.Modules;
using OrchardShopify.Liquid;

namespace OrchardShopify.OrchardCore.Liquid;

/// <summary>Registers the Shopify customer blocks on the tenant's Liquid parser (templates, layers, widgets, Liquid pages).</summary>
[Feature(ShopifySyncConstants.Features.Liquid)]
[RequireFeatures("OrchardCore.Liquid")]
public sealed class LiquidStartup : StartupBase
{
    public override void ConfigureServices(IServiceCollection services)
    {
        services.Configure<LiquidViewOptions>(options => options.LiquidViewParserConfiguration.Add(parser =>
            parser.RegisterShopifyCustomerTags(context => (context as LiquidTemplateContext)?.Services)));
    }
}
