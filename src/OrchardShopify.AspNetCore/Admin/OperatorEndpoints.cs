using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.AspNetCore.Operations;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Operator tools: bulk "Send to Shopify" (start, status, cancel) and manual link / unlink of a user and a customer.</summary>
internal static class OperatorEndpoints
{
    public static void MapOperatorEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/send", StartAsync);
        group.MapGet("/send", GetLatestAsync);
        group.MapGet("/send/{id}", GetAsync);
        group.MapPost("/send/{id}/cancel", CancelAsync);
        group.MapPost("/links", LinkAsync);
        group.MapPost("/links/unlink", UnlinkAsync);
    }

    /// <summary>Body (optional) <c>{ "search": "…", "linked": true|false, "confirmed": true|false }</c>: 202 with the job's status.</summary>
    internal static async Task<JsonHttpResult<BulkSendStatus>> StartAsync(string? store, AdminBody<BulkSendFilter> body, BulkSendService sends, CancellationToken cancellationToken)
        => AdminJson.Json(await sends.StartAsync(store, body.Value ?? new BulkSendFilter(), cancellationToken), StatusCodes.Status202Accepted);

    internal static async Task<Results<JsonHttpResult<BulkSendStatus>, ProblemHttpResult>> GetLatestAsync(string? store, BulkSendService sends, CancellationToken cancellationToken)
        => await sends.GetLatestAsync(store, cancellationToken) is { } status
            ? AdminJson.Json(status)
            : AdminJson.Problem("no_send", "No users have been sent to this store in bulk yet.", StatusCodes.Status404NotFound);

    internal static async Task<Results<JsonHttpResult<BulkSendStatus>, ProblemHttpResult>> GetAsync(string id, BulkSendService sends, CancellationToken cancellationToken)
        => await sends.GetAsync(id, cancellationToken) is { } status
            ? AdminJson.Json(status)
            : AdminJson.Problem("unknown_job", $"No bulk send has the id '{id}'.", StatusCodes.Status404NotFound);

    internal static async Task<Results<JsonHttpResult<BulkSendStatus?>, ProblemHttpResult>> CancelAsync(string id, BulkSendService sends, CancellationToken cancellationToken)
        => await sends.CancelAsync(id, cancellationToken)
            ? AdminJson.Json(await sends.GetAsync(id, cancellationToken), StatusCodes.Status202Accepted)
            : AdminJson.Problem("not_running", $"Bulk send '{id}' is not running.", StatusCodes.Status409Conflict);

    /// <summary>Body <c>{ "userId": "…", "customerId": 1, "override": false }</c>: what the link did (refusals 404 / 409 with the reason).</summary>
    internal static async Task<Results<JsonHttpResult<ManualLinkResult>, ProblemHttpResult>> LinkAsync(string? store, AdminBody<LinkRequest> body, CustomerLinkAdmin links, HttpContext http, CancellationToken cancellationToken)
    {
        if (body.Value is not { } request)
        {
            return AdminJson.Problem("missing_body", "Send { \"userId\": \"…\", \"customerId\": 1 } (and \"override\": true to link without a confirmed, matching email).");
        }

        return AdminJson.Json(await links.LinkAsync(store, request.UserId, request.CustomerId ?? 0, request.Override ?? false, AdminName(http.User), cancellationToken));
    }

    /// <summary>Body <c>{ "userId": "…" }</c>: removes the user's link in the store; the user and the customer stay.</summary>
    internal static async Task<Results<JsonHttpResult<ManualLinkResult>, ProblemHttpResult>> UnlinkAsync(string? store, AdminBody<UnlinkRequest> body, CustomerLinkAdmin links, HttpContext http, CancellationToken cancellationToken)
        => AdminJson.Json(await links.UnlinkAsync(store, body.Value?.UserId, AdminName(http.User), cancellationToken));

    /// <summary>
    /// The signed-in administrator's name, or <c>admin API key</c> for callers with the key. Read from the request when the
    /// handler runs: the admin filter sets the API key's caller after the arguments are bound.
    /// </summary>
    internal static string AdminName(ClaimsPrincipal user) => user.Identity?.Name is { Length: > 0 } name ? name : "an administrator";

    internal sealed record LinkRequest(string? UserId, long? CustomerId, bool? Override);

    internal sealed record UnlinkRequest(string? UserId);
}
