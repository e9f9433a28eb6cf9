using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.Webhooks;

namespace OrchardShopify.AspNetCore.DependencyInjection;

public static class ShopifyEndpointRouteBuilderExtensions
{
    /// <summary>The URL prefix the Statamic addon used and Shopify webhook subscriptions point at.</summary>
    public const string Prefix = "/!/shopify";

    /// <summary>
    /// <c>POST /!/shopify/webhook/customer/{create|update|delete}</c>, <c>/!/shopify/webhook</c> (any topic, routed by
    /// <c>X-Shopify-Topic</c>) and <c>/!/shopify/webhook/compliance</c> (<c>customers/data_request</c>,
    /// <c>customers/redact</c>, <c>shop/redact</c>). Anonymous: the HMAC is the authentication.
    /// </summary>
    public static IEndpointConventionBuilder MapShopifyWebhooks(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapWebhookEndpoints(Prefix);
    }

    /// <summary>Headless JSON for the signed-in user: <c>GET /!/shopify/api/customer</c>, <c>…/orders</c>, <c>…/addresses</c>.</summary>
    public static IEndpointConventionBuilder MapShopifyCustomerApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapCustomerApiEndpoints(Prefix);
    }

    /// <summary>Admin JSON under <c>/!/shopify/admin/api</c>: links, deliveries, replay, push a user.</summary>
    public static IEndpointConventionBuilder MapShopifyAdminApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapAdminApiEndpoints(Prefix);
    }
}
