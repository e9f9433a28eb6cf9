using System.Text.Encodings.Web;
using Fluid;
using Fluid.Ast;
using Fluid.Values;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Liquid.Values;

namespace OrchardShopify.Liquid.Tags;

/// <summary>
/// <c>{% shopify_address_form store: "uk", address_id: address.id %}</c>: what a template needs to post an address form
/// to the site (<see cref="CustomerAddressForms"/>): <c>form.action</c>, <c>form.token_name</c> and <c>form.token</c> (the
/// antiforgery field), <c>form.return_url</c>, <c>form.store</c>, <c>form.address_id</c>, <c>form.fields</c> (the field
/// names), and after a post of this very form <c>form.posted</c>, <c>form.succeeded</c>, <c>form.message</c>,
/// <c>form.errors</c> (message by field name) and <c>form.values</c> (what was posted, when it failed). Also
/// <c>signed_in</c>. Without <c>address_id</c> it is the form for a new address.
/// </summary>
internal sealed class AddressFormTag(Func<TemplateContext, IServiceProvider?> servicesOf)
{
    public async ValueTask<Completion> RenderAsync(TagArguments arguments, IReadOnlyList<Statement> body, TextWriter writer, TextEncoder encoder, TemplateContext context)
    {
        var values = await arguments.EvaluateAsync(context);
        var services = servicesOf(context)
            ?? throw new InvalidOperationException($"{ShopifyLiquidTags.AddressFormTag}: the template context carries no services. Call context.SetShopifyServices(httpContext.RequestServices) before rendering.");
        var http = services.GetService<IHttpContextAccessor>()?.HttpContext
            ?? throw new InvalidOperationException($"{ShopifyLiquidTags.AddressFormTag}: renders only within a request (IHttpContextAccessor).");
        var signedIn = CustomerReader.UserIdOf(services, http) is not null;
        if (CustomerReader.Unavailable(ShopifyLiquidTags.AddressFormTag, services, values.Store) is not null)
        {
            // Nothing could be posted to a store that cannot be read: no form (the log says why).
            return await CustomerReader.RenderBodyAsync(body, writer, encoder, context, new Dictionary<string, FluidValue>
            {
                ["form"] = NilValue.Instance,
                ["signed_in"] = BooleanValue.Create(signedIn),
            });
        }

        string store;
        try
        {
            store = services.GetRequiredService<StoreRegistry>().ResolveForTemplate(values.Store).Handle;
        }
        catch (UnknownStoreException ex)
        {
            throw new ShopifyTagException($"{ShopifyLiquidTags.AddressFormTag}: {ex.Message}", ex);
        }

        var tokens = services.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var outcome = CustomerAddressForms.Read(http) is { } read && read.IsFor(store, values.AddressId) ? read : null;
        var form = new Dictionary<string, FluidValue>
        {
            ["action"] = LiquidValues.Text(http.Request.PathBase + ShopifyEndpointRouteBuilderExtensions.Prefix + CustomerAddressForms.Path),
            ["token_name"] = LiquidValues.Text(tokens.FormFieldName),
            ["token"] = LiquidValues.Text(tokens.RequestToken),
            ["return_url"] = LiquidValues.Text(http.Request.PathBase + http.Request.Path + http.Request.QueryString),
            ["store"] = LiquidValues.Text(store),
            ["address_id"] = LiquidValues.Text(values.AddressId),
            ["fields"] = new ArrayValue(CustomerAddressForms.FieldNames.Select(n => LiquidValues.Text(n)).ToList()),
            ["posted"] = BooleanValue.Create(outcome is not null),
            ["succeeded"] = BooleanValue.Create(outcome?.Succeeded == true),
            ["message"] = LiquidValues.Text(outcome?.Message),
            ["errors"] = Map(outcome?.Errors),
            ["values"] = Map(outcome?.Values),
        };

        return await CustomerReader.RenderBodyAsync(body, writer, encoder, context, new Dictionary<string, FluidValue>
        {
            ["form"] = new DictionaryValue(new FluidValueDictionaryFluidIndexable(form)),
            ["signed_in"] = BooleanValue.Create(signedIn),
        });
    }

    private static DictionaryValue Map(IReadOnlyDictionary<string, string>? entries) =>
        new(new FluidValueDictionaryFluidIndexable((entries ?? new Dictionary<string, string>()).ToDictionary(e => e.Key, e => LiquidValues.Text(e.Value), StringComparer.Ordinal)));
}
