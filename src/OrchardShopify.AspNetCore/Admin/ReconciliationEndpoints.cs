using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.AspNetCore.Reconciliation;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Reconciliation: start, status and report, cancel, fix selected differences, and the schedule.</summary>
internal static class ReconciliationEndpoints
{
    public static void MapReconciliationEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/reconcile", StartAsync);
        group.MapGet("/reconcile", GetLatestAsync);
        group.MapGet("/reconcile/schedule", GetScheduleAsync);
        group.MapGet("/reconcile/{id}", GetAsync);
        group.MapPost("/reconcile/{id}/cancel", CancelAsync);
        group.MapPost("/reconcile/fix", FixAsync);
    }

    internal static async Task<JsonHttpResult<ReconciliationStatus>> StartAsync(string? store, ReconciliationService reconciliation, CancellationToken cancellationToken)
        => AdminJson.Json(await reconciliation.StartAsync(store, cancellationToken), StatusCodes.Status202Accepted);

    internal static async Task<Results<JsonHttpResult<ReconciliationStatus>, ProblemHttpResult>> GetLatestAsync(string? store, ReconciliationService reconciliation, CancellationToken cancellationToken)
        => await reconciliation.GetLatestAsync(store, cancellationToken) is { } status
            ? AdminJson.Json(status)
            : AdminJson.Problem("no_reconciliation", "This store has not been compared yet.", StatusCodes.Status404NotFound);

    /// <summary>The scheduled reconciliation: settings, drift thresholds, and per store the next run and the last report's drift.</summary>
    internal static async Task<JsonHttpResult<ReconciliationScheduleOverview>> GetScheduleAsync(ReconciliationScheduler scheduler, CancellationToken cancellationToken)
        => AdminJson.Json(await scheduler.GetOverviewAsync(cancellationToken));

    internal static async Task<Results<JsonHttpResult<ReconciliationStatus>, ProblemHttpResult>> GetAsync(string id, ReconciliationService reconciliation, CancellationToken cancellationToken)
        => await reconciliation.GetAsync(id, cancellationToken) is { } status
            ? AdminJson.Json(status)
            : AdminJson.Problem("unknown_job", $"No reconciliation has the id '{id}'.", StatusCodes.Status404NotFound);

    internal static async Task<Results<JsonHttpResult<ReconciliationStatus?>, ProblemHttpResult>> CancelAsync(string id, ReconciliationService reconciliation, CancellationToken cancellationToken)
        => await reconciliation.CancelAsync(id, cancellationToken)
            ? AdminJson.Json(await reconciliation.GetAsync(id, cancellationToken), StatusCodes.Status202Accepted)
            : AdminJson.Problem("not_running", $"Reconciliation '{id}' is not running.", StatusCodes.Status409Conflict);

    /// <summary>Body <c>{ "items": [ { "kind": "fieldsDiffer", "customerId": 1 } ] }</c>: what each fix did.</summary>
    internal static async Task<Results<JsonHttpResult<FixResponse>, ProblemHttpResult>> FixAsync(string? store, AdminBody<FixRequest> body, ReconciliationService reconciliation, CancellationToken cancellationToken)
    {
        if (body.Value?.Items is not { Count: > 0 } items)
        {
            return AdminJson.Problem("no_items", "Name the differences to fix: { \"items\": [ { \"kind\": \"fieldsDiffer\", \"customerId\": 1 } ] }.");
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                return AdminJson.Problem("invalid_item", $"items[{i}] is null; each item is {{ \"kind\": \"fieldsDiffer\", \"customerId\": 1 }}.");
            }
        }

        return AdminJson.Json(new FixResponse(await reconciliation.FixAsync(store, items, cancellationToken)));
    }

    internal sealed record FixRequest(IReadOnlyList<ReconciliationFixItem>? Items);

    internal sealed record FixResponse(IReadOnlyList<ReconciliationFixResult> Results);
}
