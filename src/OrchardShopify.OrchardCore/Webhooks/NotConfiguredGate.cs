using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.OrchardCore.Settings;

namespace OrchardShopify.OrchardCore.Webhooks;

/// <summary>
/// Answers 503 while the tenant's sync settings do not pass validation, before the endpoint resolves any of the
/// engine's services (which would fail); Shopify retries, so deliveries sent before the settings are saved still arrive.
/// </summary>
internal static class NotConfiguredGate
{
    public static TBuilder RequireConfiguredSync<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        // Finally: wraps the endpoint's delegate once it is built, ahead of parameter binding and filters.
        builder.Finally(endpoint =>
        {
            if (endpoint.RequestDelegate is { } inner)
            {
                endpoint.RequestDelegate = context => InvokeAsync(context, inner);
            }
        });
        return builder;
    }

    private static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.RequestServices.GetRequiredService<ShopifySyncReadiness>().Problems().Count > 0)
        {
            return Results.Json(
                new { reason = "NotConfigured", message = "The Shopify sync is not configured on this site yet." },
                statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
        }

        return next(context);
    }
}
