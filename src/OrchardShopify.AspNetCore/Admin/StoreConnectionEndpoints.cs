using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.AspNetCore.Stores;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Per store: test the Admin API connection; register the customer webhooks.</summary>
internal static class StoreConnectionEndpoints
{
    public static void MapStoreConnectionEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/stores/{handle}/test-connection", async (string handle, HttpContext http, StoreConnectionService connections) =>
            AdminJson.Ok(await connections.TestAsync(handle, http.RequestAborted))).WithAdminErrors();

        group.MapPost("/stores/{handle}/webhooks", async (string handle, HttpContext http, StoreConnectionService connections) =>
        {
            var body = await AdminJson.ReadBodyAsync(http.Request, new RegisterWebhooksRequest(null));
            Uri callbackBase;
            if (string.IsNullOrWhiteSpace(body.CallbackBaseUrl))
            {
                // Without one, the address the administrator reached the site at (set it explicitly behind a proxy).
                callbackBase = new Uri($"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}");
            }
            else if (!Uri.TryCreate(body.CallbackBaseUrl, UriKind.Absolute, out callbackBase!))
            {
                return AdminJson.Error("invalid_callback", $"callbackBaseUrl '{body.CallbackBaseUrl}' is not an absolute URL.");
            }

            return AdminJson.Ok(await connections.RegisterWebhooksAsync(handle, callbackBase, http.RequestAborted));
        }).WithAdminErrors();
    }

    private sealed record RegisterWebhooksRequest(string? CallbackBaseUrl);
}
