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

    /// <summary>
    /// Headless JSON for the signed-in user: <c>GET /!/shopify/api/customer</c>, <c>…/orders</c>, <c>…/addresses</c>, and
    /// changes to the user's own addresses (<c>POST …/addresses</c>, <c>PATCH</c> and <c>DELETE …/addresses/{id}</c>,
    /// <c>POST …/addresses/{id}/default</c>; same-origin, JSON and the antiforgery token).
    /// </summary>
    public static IEndpointConventionBuilder MapShopifyCustomerApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapCustomerApiEndpoints(Prefix);
    }

    /// <summary>
    /// <c>POST /!/shopify/account/addresses</c>: the address form (add, edit, delete, make default) that Liquid templates
    /// post with the <c>shopify_address_form</c> block; it answers with a redirect back to the page. See
    /// <see cref="CustomerAddressForms"/>.
    /// </summary>
    public static IEndpointConventionBuilder MapShopifyAddressForms(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapCustomerAddressForms(Prefix);
    }

    /// <summary>
    /// Admin JSON under <c>/!/shopify/admin/api</c>: links, deliveries, replay, push a user, imports, settings. Callers
    /// must satisfy <paramref name="policy"/> (default <see cref="ShopifyAdminAuthorization.PolicyName"/>: the admin role
    /// or <c>X-Api-Key</c>); signed-in browsers must also send the antiforgery token and a same-origin <c>Origin</c> with
    /// anything that changes state. Add the host's own policies with <c>.RequireAuthorization(…)</c> on the result.
    /// </summary>
    public static IEndpointConventionBuilder MapShopifyAdminApi(this IEndpointRouteBuilder endpoints, string policy = ShopifyAdminAuthorization.PolicyName)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(policy);
        return endpoints.MapAdminApiEndpoints(Prefix, policy);
    }
}
