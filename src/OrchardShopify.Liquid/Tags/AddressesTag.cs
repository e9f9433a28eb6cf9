using System.Text.Encodings.Web;
using Fluid;
using Fluid.Ast;
using Fluid.Values;
using OrchardShopify.Liquid.Values;

namespace OrchardShopify.Liquid.Tags;

/// <summary>
/// <c>{% shopify_customer_addresses store: "uk" %}</c>: <c>addresses</c>, <c>addresses_count</c>, <c>paging</c>,
/// <c>not_found</c>, <c>signed_in</c>, <c>store</c>, <c>page_error</c> (a page cursor Shopify did not return: the lists are empty).
/// </summary>
internal sealed class AddressesTag(Func<TemplateContext, IServiceProvider?> servicesOf)
{
    public async ValueTask<Completion> RenderAsync(TagArguments arguments, IReadOnlyList<Statement> body, TextWriter writer, TextEncoder encoder, TemplateContext context)
    {
        var values = await arguments.EvaluateAsync(context);
        var found = await CustomerReader.For(ShopifyLiquidTags.AddressesTag, context, servicesOf)
            .ReadAsync(values.Store, values.PageError, (views, userId, cancellationToken) => views.GetAddressesAsync(userId, values.Store, values.Limit, values.After, cancellationToken));
        var addresses = found.Value?.Items ?? [];

        return await CustomerReader.RenderBodyAsync(body, writer, encoder, context, new Dictionary<string, FluidValue>
        {
            ["addresses"] = LiquidValues.List(addresses, LiquidValues.Address),
            ["addresses_count"] = LiquidValues.Number(addresses.Count),
            ["paging"] = LiquidValues.Paging(found.Value, values.Limit, values.After),
            ["not_found"] = BooleanValue.Create(found.Value is null),
            ["signed_in"] = BooleanValue.Create(found.SignedIn),
            ["page_error"] = LiquidValues.Text(found.PageError),
            ["store"] = LiquidValues.Text(found.StoreHandle),
        });
    }
}
