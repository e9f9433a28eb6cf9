using System.Text.Encodings.Web;
using Fluid;
using Fluid.Ast;
using Fluid.Values;
using OrchardShopify.Liquid.Values;

namespace OrchardShopify.Liquid.Tags;

/// <summary>
/// <c>{% shopify_customer_orders store: "us", status: "open", limit: 10, after: cursor %}</c>: <c>orders</c>,
/// <c>orders_count</c>, <c>paging</c>, <c>status</c>, <c>not_found</c>, <c>signed_in</c>, <c>store</c>, <c>page_error</c> (a page cursor Shopify did not return: the lists are empty).
/// </summary>
internal sealed class OrdersTag(Func<TemplateContext, IServiceProvider?> servicesOf)
{
    public async ValueTask<Completion> RenderAsync(TagArguments arguments, IReadOnlyList<Statement> body, TextWriter writer, TextEncoder encoder, TemplateContext context)
    {
        var values = await arguments.EvaluateAsync(context);
        var found = await CustomerReader.For(ShopifyLiquidTags.OrdersTag, context, servicesOf)
            .ReadAsync(values.Store, values.PageError, (views, userId, cancellationToken) => views.GetOrdersAsync(userId, values.Store, values.Status, values.Limit, values.After, cancellationToken));
        var orders = found.Value?.Items ?? [];

        return await CustomerReader.RenderBodyAsync(body, writer, encoder, context, new Dictionary<string, FluidValue>
        {
            ["orders"] = LiquidValues.List(orders, LiquidValues.Order),
            ["orders_count"] = LiquidValues.Number(orders.Count),
            ["paging"] = LiquidValues.Paging(found.Value, values.Limit, values.After),
            ["status"] = LiquidValues.Text(values.Status.ToString().ToLowerInvariant()),
            ["not_found"] = BooleanValue.Create(found.Value is null),
            ["signed_in"] = BooleanValue.Create(found.SignedIn),
            ["page_error"] = LiquidValues.Text(found.PageError),
            ["store"] = LiquidValues.Text(found.StoreHandle),
        });
    }
}
