using Fluid;

namespace OrchardShopify.Liquid;

/// <summary>How a plain Fluid host hands the request's services to the Shopify tags.</summary>
public static class ShopifyTemplateContextExtensions
{
    private const string ServicesKey = "OrchardShopify.Services";

    /// <summary>
    /// Stores the services the tags use for this render: <c>IHttpContextAccessor</c> (who is signed in) and
    /// <c>CustomerViewService</c>. Pass the request's services (<c>HttpContext.RequestServices</c>).
    /// </summary>
    public static TemplateContext SetShopifyServices(this TemplateContext context, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(services);
        context.AmbientValues[ServicesKey] = services;
        return context;
    }

    /// <summary>The provider stored by <see cref="SetShopifyServices"/>, or null.</summary>
    public static IServiceProvider? GetShopifyServices(this TemplateContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.AmbientValues.TryGetValue(ServicesKey, out var services) ? services as IServiceProvider : null;
    }
}
