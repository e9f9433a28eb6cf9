using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>
/// Admin JSON: links, deliveries and dead letters, replay, push one user now (over <see cref="ShopifySyncAdmin"/>), and
/// the groups of the other admin endpoints. Admin role or <c>X-Api-Key</c>; every refusal is a problem (<see cref="AdminJson"/>).
/// </summary>
internal static class AdminApiEndpoints
{
    public const string ApiKeyHeader = ShopifyAdminAuthorization.ApiKeyHeader;

    public static RouteGroupBuilder MapAdminApiEndpoints(this IEndpointRouteBuilder endpoints, string prefix, string policyName)
    {
        // Authorization is the filter's (problems instead of a cookie scheme's redirects), with the named policy;
        // antiforgery too, for browser-sent credentials only, so API-key callers need no token. After it, unreadable
        // bodies and the services' refusals become problems.
        var group = endpoints.MapGroup(prefix + "/admin/api").AllowAnonymous().DisableAntiforgery().WithTags("Shopify admin")
            .AddEndpointFilter((context, next) => ShopifyAdminAuthorization.RequireAdminAsync(context, next, policyName))
            .AddEndpointFilter(AdminJson.AnswerRefusalsAsync);

        // Authorization is decided before minimal APIs bind the request: a caller who may not use the admin JSON is
        // answered without its body being read. A query or route value minimal APIs cannot bind (take=many) ends the
        // request with a bare status: answer it as a problem too.
        ((IEndpointConventionBuilder)group).Add(endpoint =>
        {
            if (endpoint.RequestDelegate is { } handle)
            {
                endpoint.RequestDelegate = async http =>
                {
                    if (await ShopifyAdminAuthorization.AuthorizeOnceAsync(http, policyName) is { } refused)
                    {
                        await refused.ExecuteAsync(http);
                        return;
                    }

                    await AdminJson.AnswerBareFailuresAsync(http, handle);
                };
            }
        });

        group.MapGet("/links", ListLinksAsync);
        group.MapGet("/deliveries", ListDeliveriesAsync);
        group.MapPost("/deliveries/{id:long}/replay", ReplayAsync);
        group.MapPost("/users/{id}/push", PushUserAsync);

        group.MapBackfillEndpoints();
        group.MapSettingsEndpoints();
        group.MapStoreConnectionEndpoints();
        group.MapReconciliationEndpoints();
        group.MapStatisticsEndpoints();
        group.MapCatchUpEndpoints();
        group.MapOperatorEndpoints();
        return group;
    }

    /// <summary>Users (filtered by email) with the Shopify customers they are linked to; with <c>store</c>, that store's id as <c>shopifyId</c>.</summary>
    internal static async Task<Results<JsonHttpResult<List<AdminLinkRow>>, ProblemHttpResult>> ListLinksAsync(
        string? store, string? email, int? take, IAdminUserSource users, StoreRegistry stores, ICustomerLinkStore links, CancellationToken cancellationToken)
    {
        var resolved = store is null ? null : stores.FindByHandle(store);
        if (store is not null && resolved is null)
        {
            return AdminJson.Problem("unknown_store", $"No enabled store has the handle '{store}'.");
        }

        var rows = new List<AdminLinkRow>();
        foreach (var user in await users.ListAsync(email, Math.Clamp(take ?? 100, 1, ShopifySyncAdmin.MaxTake), cancellationToken))
        {
            var userLinks = await links.FindByUserAsync(user.Id, cancellationToken);
            var relevant = resolved is null ? userLinks : userLinks.Where(l => string.Equals(l.StoreHandle, resolved.Handle, StringComparison.OrdinalIgnoreCase)).ToList();
            rows.Add(new AdminLinkRow(
                user.Id,
                user.Email,
                user.FirstName,
                user.LastName,
                resolved is null || relevant.Count == 0 ? null : relevant[0].CustomerId,
                relevant.ToDictionary(l => l.StoreHandle, l => l.CustomerId, StringComparer.OrdinalIgnoreCase)));
        }

        return AdminJson.Json(rows);
    }

    /// <summary>Deliveries and pushes, newest first; <c>status</c> pending, processing, succeeded or deadletter; <c>kind</c> inbound or outbound.</summary>
    internal static async Task<Results<JsonHttpResult<IReadOnlyList<SyncDeliveryRecord>>, ProblemHttpResult>> ListDeliveriesAsync(
        string? status, string? kind, int? take, ShopifySyncAdmin admin, CancellationToken cancellationToken)
    {
        SyncDeliveryStatus? parsed = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (ParseStatus(status) is not { } known)
            {
                return AdminJson.Problem("invalid_status", "status must be pending, processing, succeeded or deadletter.");
            }

            parsed = known;
        }

        SyncDirection? direction = null;
        if (!string.IsNullOrEmpty(kind))
        {
            direction = kind.Trim().ToLowerInvariant() switch
            {
                "inbound" => SyncDirection.Inbound,
                "outbound" => SyncDirection.Outbound,
                _ => null,
            };
            if (direction is null)
            {
                return AdminJson.Problem("invalid_kind", "kind must be inbound or outbound (or left out for both).");
            }
        }

        return AdminJson.Json(await admin.GetDeliveriesAsync(new SyncDeliveryQuery(Status: parsed, Direction: direction, Take: take ?? 100), cancellationToken));
    }

    /// <summary>Queues a finished or dead-lettered item again: 202 with the item, 404 when it does not exist or is being processed.</summary>
    internal static async Task<Results<JsonHttpResult<SyncDeliveryRecord>, ProblemHttpResult>> ReplayAsync(long id, ShopifySyncAdmin admin, CancellationToken cancellationToken)
        => await admin.ReplayAsync(id, cancellationToken) is { } replayed
            ? AdminJson.Json(replayed, StatusCodes.Status202Accepted)
            : AdminJson.Problem("not_replayable", $"Item {id} does not exist or is being processed.", StatusCodes.Status404NotFound);

    /// <summary>Queues a deliberate push of the user to every store that can be called (or <c>store</c>): 202 with the stores.</summary>
    internal static async Task<Results<JsonHttpResult<AdminPushQueued>, ProblemHttpResult>> PushUserAsync(string id, string? store, ShopifySyncAdmin admin, CancellationToken cancellationToken)
    {
        var queued = await admin.PushUserAsync(id, store, cancellationToken);
        return queued.Count == 0
            ? AdminJson.Problem("no_store", "No enabled store with an access token matches.")
            : AdminJson.Json(new AdminPushQueued(id, queued), StatusCodes.Status202Accepted);
    }

    private static SyncDeliveryStatus? ParseStatus(string value) => value.ToUpperInvariant() switch
    {
        "PENDING" => SyncDeliveryStatus.Pending,
        "PROCESSING" => SyncDeliveryStatus.Processing,
        "SUCCEEDED" => SyncDeliveryStatus.Succeeded,
        "DEADLETTER" or "DEAD-LETTER" or "DEAD_LETTER" => SyncDeliveryStatus.DeadLetter,
        _ => null,
    };
}

internal sealed record AdminLinkRow(string Id, string? Email, string? FirstName, string? LastName, long? ShopifyId, IReadOnlyDictionary<string, long> ShopifyIds);

internal sealed record AdminPushQueued(string UserId, IReadOnlyList<string> Stores);
