using System.Text.Encodings.Web;
using Fluid;
using Fluid.Ast;
using Fluid.Values;
using OrchardShopify.Liquid.Values;

namespace OrchardShopify.Liquid.Tags;

/// <summary>
/// <c>{% shopify_customer store: "uk" %}…{% endshopify_customer %}</c>: <c>customer</c>, <c>signals</c> (the commerce
/// signals stored on the link, nil when not linked), <c>not_found</c>, <c>signed_in</c>, <c>store</c>.
/// </summary>
internal sealed class CustomerTag(Func<TemplateContext, IServiceProvider?> servicesOf)
{
    public async ValueTask<Completion> RenderAsync(TagArguments arguments, IReadOnlyList<Statement> body, TextWriter writer, TextEncoder encoder, TemplateContext context)
    {
        var values = await arguments.EvaluateAsync(context);
        var found = await CustomerReader.For(ShopifyLiquidTags.CustomerTag, context, servicesOf)
            .ReadAsync(values.Store, (views, userId, cancellationToken) => views.GetCustomerAsync(userId, values.Store, cancellationToken));
        var signals = await CustomerReader.For(ShopifyLiquidTags.CustomerTag, context, servicesOf)
            .ReadAsync(values.Store, (views, userId, cancellationToken) => views.GetSignalsAsync(userId, values.Store, cancellationToken));

        return await CustomerReader.RenderBodyAsync(body, writer, encoder, context, new Dictionary<string, FluidValue>
        {
            ["customer"] = found.Value is null ? NilValue.Instance : LiquidValues.Customer(found.Value),
            ["signals"] = signals.Value is null ? NilValue.Instance : LiquidValues.Signals(signals.Value),
            ["not_found"] = BooleanValue.Create(found.Value is null),
            ["signed_in"] = BooleanValue.Create(found.SignedIn),
            ["store"] = LiquidValues.Text(found.StoreHandle),
        });
    }
}
