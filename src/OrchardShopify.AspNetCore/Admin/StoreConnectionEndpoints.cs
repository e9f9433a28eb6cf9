using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
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
        group.MapPost("/stores/{handle}/test-connection", TestAsync);
        group.MapPost("/stores/{handle}/webhooks", RegisterWebhooksAsync);
    }

    /// <summary>What the connection test found; a failed call is a result (<c>ok</c> false), not a refusal.</summary>
    internal static async Task<JsonHttpResult<StoreConnectionResult>> TestAsync(string handle, StoreConnectionService connections, CancellationToken cancellationToken)
        => AdminJson.Json(await connections.TestAsync(handle, cancellationToken));

    /// <summary>Body (optional) <c>{ "callbackBaseUrl": … }</c>: this site's address, by default the one the request reached.</summary>
    internal static async Task<Results<JsonHttpResult<WebhookRegistrationResult>, ProblemHttpResult>> RegisterWebhooksAsync(
        string handle, AdminBody<RegisterWebhooksRequest> body, HttpRequest request, StoreConnectionService connections, IOptionsMonitor<ShopifyHostOptions> options, CancellationToken cancellationToken)
    {
        // Without one, the address the administrator reached the site at (Shopify:PublicUrls behind a proxy).
        var reached = new Uri($"{request.Scheme}://{request.Host}{request.PathBase}");
        var asked = body.Value?.CallbackBaseUrl;
        Uri callbackBase;
        if (string.IsNullOrWhiteSpace(asked))
        {
            callbackBase = reached;
        }
        else if (!Uri.TryCreate(asked, UriKind.Absolute, out callbackBase!))
        {
            return AdminJson.Problem("invalid_callback", $"callbackBaseUrl '{asked}' is not an absolute URL.");
        }
        else if (!SameSite(callbackBase, reached) && !options.CurrentValue.PublicUrls.Any(url => SameSite(callbackBase, url)))
        {
            return AdminJson.Problem(
                "callback_not_this_site",
                $"callbackBaseUrl '{asked}' is not this site: webhooks may only be sent to {reached} or an address listed in Shopify:PublicUrls.");
        }

        return AdminJson.Json(await connections.RegisterWebhooksAsync(handle, callbackBase, cancellationToken));
    }

    /// <summary>Same scheme, host, port and base path (a trailing slash aside).</summary>
    private static bool SameSite(Uri candidate, Uri site)
        => string.Equals(candidate.GetLeftPart(UriPartial.Authority), site.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
            && string.Equals(candidate.AbsolutePath.TrimEnd('/'), site.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal);

    internal sealed record RegisterWebhooksRequest(string? CallbackBaseUrl);
}
