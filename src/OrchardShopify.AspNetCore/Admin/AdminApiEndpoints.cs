using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Admin JSON: links, deliveries and dead letters, replay, push one user now. Admin role or <c>X-Api-Key</c>.</summary>
internal static class AdminApiEndpoints
{
    public const string ApiKeyHeader = ShopifyAdminAuthorization.ApiKeyHeader;

    public static RouteGroupBuilder MapAdminApiEndpoints(this IEndpointRouteBuilder endpoints, string prefix, string policyName)
    {
        // Authorization is the filter's (JSON refusals instead of a cookie scheme's redirects), with the named policy;
        // antiforgery too, for browser-sent credentials only, so API-key callers need no token.
        var group = endpoints.MapGroup(prefix + "/admin/api").AllowAnonymous().DisableAntiforgery().WithTags("Shopify admin")
            .AddEndpointFilter((context, next) => ShopifyAdminAuthorization.RequireAdminAsync(context, next, policyName));

        group.MapGet("/links", async (string? store, string? email, int? take, HttpContext http, IAdminUserSource users, StoreRegistry stores, ICustomerLinkStore links) =>
        {
            var resolved = store is null ? null : stores.FindByHandle(store);
            if (store is not null && resolved is null)
            {
                return Results.Json(new ApiError("unknown_store", $"No enabled store has the handle '{store}'."), statusCode: StatusCodes.Status400BadRequest);
            }

            var rows = new List<AdminLinkRow>();
            foreach (var user in await users.ListAsync(email, Math.Clamp(take ?? 100, 1, 500), http.RequestAborted))
            {
                var userLinks = await links.FindByUserAsync(user.Id, http.RequestAborted);
                var relevant = resolved is null ? userLinks : userLinks.Where(l => string.Equals(l.StoreHandle, resolved.Handle, StringComparison.OrdinalIgnoreCase)).ToList();
                rows.Add(new AdminLinkRow(
                    user.Id,
                    user.Email,
                    user.FirstName,
                    user.LastName,
                    resolved is null || relevant.Count == 0 ? null : relevant[0].CustomerId,
                    relevant.ToDictionary(l => l.StoreHandle, l => l.CustomerId, StringComparer.OrdinalIgnoreCase)));
            }

            return Results.Json(rows);
        });

        group.MapGet("/deliveries", async (string? status, string? kind, int? take, SyncDatabase database, HttpContext http) =>
        {
            await using var db = await database.OpenAsync(http.RequestAborted);
            var query = db.WorkItems.AsNoTracking();
            if (!string.IsNullOrEmpty(status))
            {
                if (!TryParseStatus(status, out var parsed))
                {
                    return Results.Json(new ApiError("invalid_status", "status must be pending, processing, succeeded or deadletter."), statusCode: StatusCodes.Status400BadRequest);
                }

                query = query.Where(w => w.Status == parsed);
            }

            if (kind is "inbound" or "outbound")
            {
                var parsedKind = kind == "inbound" ? WorkKind.InboundDelivery : WorkKind.OutboundPush;
                query = query.Where(w => w.Kind == parsedKind);
            }

            var items = await query.OrderByDescending(w => w.Id).Take(Math.Clamp(take ?? 100, 1, 500)).ToListAsync(http.RequestAborted);
            return Results.Json(items.Select(AdminDeliveryRow.From));
        });

        group.MapPost("/deliveries/{id:long}/replay", async (long id, WorkQueue queue, WorkSignals signals, SyncDatabase database, HttpContext http) =>
        {
            if (!await queue.ReplayAsync(id, http.RequestAborted))
            {
                return Results.Json(new ApiError("not_replayable", $"Item {id} does not exist or is being processed."), statusCode: StatusCodes.Status404NotFound);
            }

            await using var db = await database.OpenAsync(http.RequestAborted);
            var item = await db.WorkItems.AsNoTracking().FirstAsync(w => w.Id == id, http.RequestAborted);
            signals.Wake(item.Kind);
            return Results.Json(AdminDeliveryRow.From(item), statusCode: StatusCodes.Status202Accepted);
        });

        group.MapPost("/users/{id}/push", async (string id, string? store, StoreRegistry stores, IUserDirectory users, IOutboundSyncQueue queue, TimeProvider time, HttpContext http) =>
        {
            if (await users.FindByIdAsync(id, http.RequestAborted) is not { } user)
            {
                return Results.Json(new ApiError("unknown_user", $"User {id} does not exist."), statusCode: StatusCodes.Status404NotFound);
            }

            if (CustomerMatching.WhyNotPushed(user, stores.Options) is { } refusal)
            {
                return Results.Json(new ApiError(refusal.Code, refusal.Message), statusCode: StatusCodes.Status409Conflict);
            }

            var targets = stores.Stores.Where(s => s.CanCallAdminApi && (store is null || string.Equals(s.Handle, store, StringComparison.OrdinalIgnoreCase))).ToList();
            if (targets.Count == 0)
            {
                return Results.Json(new ApiError("no_store", "No enabled store with an access token matches."), statusCode: StatusCodes.Status400BadRequest);
            }

            foreach (var target in targets)
            {
                await queue.EnqueueAsync(new OutboundPush(id, target.Handle, time.GetUtcNow(), Deliberate: true), http.RequestAborted);
            }

            return Results.Json(new { userId = id, stores = targets.Select(t => t.Handle) }, statusCode: StatusCodes.Status202Accepted);
        });

        group.MapBackfillEndpoints();
        group.MapSettingsEndpoints();
        group.MapStoreConnectionEndpoints();
        group.MapReconciliationEndpoints();
        group.MapStatisticsEndpoints();
        group.MapCatchUpEndpoints();
        return group;
    }

    private static bool TryParseStatus(string value, out WorkStatus status)
    {
        status = value.ToUpperInvariant() switch
        {
            "PENDING" => WorkStatus.Pending,
            "PROCESSING" => WorkStatus.Processing,
            "SUCCEEDED" => WorkStatus.Succeeded,
            "DEADLETTER" or "DEAD-LETTER" or "DEAD_LETTER" => WorkStatus.DeadLetter,
            _ => (WorkStatus)(-1),
        };
        return status >= 0;
    }
}

internal sealed record AdminLinkRow(string Id, string? Email, string? FirstName, string? LastName, long? ShopifyId, IReadOnlyDictionary<string, long> ShopifyIds);

internal sealed record AdminDeliveryRow(
    long Id,
    string Kind,
    string Status,
    string Store,
    string Topic,
    string? WebhookId,
    long? ShopifyId,
    string? UserId,
    int Attempts,
    string? Outcome,
    string? LastError,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? ProcessedAt,
    DateTimeOffset? NextAttemptAt)
{
    /// <summary>The admin record of the item (<see cref="ShopifySyncAdmin.ToRecord"/>) with kind and status as lower-case words.</summary>
    public static AdminDeliveryRow From(WorkItem item)
    {
        var record = ShopifySyncAdmin.ToRecord(item);
        return new(
            record.Id,
            record.Direction.ToString().ToLowerInvariant(),
            record.Status.ToString().ToLowerInvariant(),
            record.Store,
            record.Topic,
            record.WebhookId,
            record.CustomerId,
            record.UserId,
            record.Attempts,
            record.Outcome,
            record.LastError,
            record.ReceivedAt,
            record.ProcessedAt,
            record.NextAttemptAt);
    }
}
