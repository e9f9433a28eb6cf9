using Fluid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrchardCore.DisplayManagement.Liquid;
using OrchardShopify.OrchardCore.Liquid;

namespace OrchardShopify.OrchardCore.Tests.Liquid;

/// <summary>The Liquid feature's Startup against Orchard Core's own LiquidViewParser.</summary>
public sealed class LiquidFeatureTests
{
    private const string Template = """
        {% shopify_customer %}{{ signed_in }}{% endshopify_customer %}
        {% shopify_customer_orders status: "open", limit: 5 %}{{ orders_count }}{% endshopify_customer_orders %}
        {% shopify_customer_addresses %}{{ addresses_count }}{% endshopify_customer_addresses %}
        """;

    [Fact]
    public void Enabled_feature_teaches_the_tenant_parser_the_shopify_blocks()
    {
        var services = new ServiceCollection();
        new LiquidStartup().ConfigureServices(services);
        using var provider = services.BuildServiceProvider();

        var parser = new LiquidViewParser(provider.GetRequiredService<IOptions<LiquidViewOptions>>());

        Assert.True(parser.TryParse(Template, out _, out var error), error);
    }

    [Fact]
    public void Without_the_feature_the_tenant_parser_rejects_the_blocks()
    {
        var parser = new LiquidViewParser(Options.Create(new LiquidViewOptions()));

        Assert.False(parser.TryParse(Template, out _, out _));
    }
}
