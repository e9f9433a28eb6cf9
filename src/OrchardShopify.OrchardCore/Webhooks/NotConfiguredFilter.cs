using Microsoft.AspNetCore.Http;
using OrchardShopify.OrchardCore.Settings;

namespace OrchardShopify.OrchardCore.Webhooks;

/// <summary>
/// Answers 503 while the tenant's sync settings do not pass validation, instead of failing deep in the
/// engine; Shopify retries, so deliveries sent before the settings are saved still arrive.
/// </summary>
internal sealed class NotConfiguredFilter(ShopifySyncReadiness readiness) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (readiness.Problems().Count > 0)
        {
            return Results.Json(new { reason = "NotConfigured", message = "The Shopify sync is not configured on this site yet." }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return await next(context);
    }
}
