using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Stores;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Per store: test the Admin API connection; register the customer webhooks.</summary>
internal static class StoreConnectionEndpoints
{
    public static void MapStoreConnectionEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/stores/{handle}/test-connection", async (string handle, HttpContext http, StoreConnectionService connections) =>
            AdminJson.Ok(await connections.TestAsync(handle, http.RequestAborted))).WithAdminErrors();

        group.MapPost("/stores/{handle}/webhooks", async (string handle, HttpContext http, StoreConnectionService connections, IOptionsMonitor<ShopifyHostOptions> options) =>
        {
            var body = await AdminJson.ReadBodyAsync(http.Request, new RegisterWebhooksRequest(null));

            // Without one, the address the administrator reached the site at (Shopify:PublicUrls behind a proxy).
            var reached = new Uri($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}");
            Uri callbackBase;
            if (string.IsNullOrWhiteSpace(body.CallbackBaseUrl))
            {
                callbackBase = reached;
            }
            else if (!Uri.TryCreate(body.CallbackBaseUrl, UriKind.Absolute, out callbackBase!))
            {
                return AdminJson.Error("invalid_callback", $"callbackBaseUrl '{body.CallbackBaseUrl}' is not an absolute URL.");
            }
            else if (!SameSite(callbackBase, reached) && !options.CurrentValue.PublicUrls.Any(url => SameSite(callbackBase, url)))
            {
                return AdminJson.Error(
                    "callback_not_this_site",
                    $"callbackBaseUrl '{body.CallbackBaseUrl}' is not this site: webhooks may only be sent to {reached} or an address listed in Shopify:PublicUrls.");
            }

            return AdminJson.Ok(await connections.RegisterWebhooksAsync(handle, callbackBase, http.RequestAborted));
        }).WithAdminErrors();
    }

    /// <summary>Same scheme, host, port and base path (a trailing slash aside).</summary>
    private static bool SameSite(Uri candidate, Uri site)
        => string.Equals(candidate.GetLeftPart(UriPartial.Authority), site.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
            && string.Equals(candidate.AbsolutePath.TrimEnd('/'), site.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal);

    private sealed record RegisterWebhooksRequest(string? CallbackBaseUrl);
}
