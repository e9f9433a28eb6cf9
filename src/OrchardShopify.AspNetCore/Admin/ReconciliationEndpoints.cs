using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.AspNetCore.Reconciliation;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Reconciliation: start, status and report, cancel, fix selected differences.</summary>
internal static class ReconciliationEndpoints
{
    public static void MapReconciliationEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/reconcile", async (string? store, HttpContext http, ReconciliationService reconciliation) =>
            AdminJson.Ok(await reconciliation.StartAsync(store, http.RequestAborted), StatusCodes.Status202Accepted)).WithAdminErrors();

        group.MapGet("/reconcile", async (string? store, HttpContext http, ReconciliationService reconciliation) =>
            await reconciliation.GetLatestAsync(store, http.RequestAborted) is { } status
                ? AdminJson.Ok(status)
                : AdminJson.Error("no_reconciliation", "This store has not been compared yet.", StatusCodes.Status404NotFound)).WithAdminErrors();

        group.MapGet("/reconcile/{id}", async (string id, HttpContext http, ReconciliationService reconciliation) =>
            await reconciliation.GetAsync(id, http.RequestAborted) is { } status
                ? AdminJson.Ok(status)
                : AdminJson.Error("unknown_job", $"No reconciliation has the id '{id}'.", StatusCodes.Status404NotFound)).WithAdminErrors();

        group.MapPost("/reconcile/{id}/cancel", async (string id, HttpContext http, ReconciliationService reconciliation) =>
            await reconciliation.CancelAsync(id, http.RequestAborted)
                ? AdminJson.Ok(await reconciliation.GetAsync(id, http.RequestAborted), StatusCodes.Status202Accepted)
                : AdminJson.Error("not_running", $"Reconciliation '{id}' is not running.", StatusCodes.Status409Conflict)).WithAdminErrors();

        group.MapPost("/reconcile/fix", async (string? store, HttpContext http, ReconciliationService reconciliation) =>
        {
            var request = await AdminJson.ReadBodyAsync(http.Request, new FixRequest([]));
            if (request.Items is not { Count: > 0 } items)
            {
                return AdminJson.Error("no_items", "Name the differences to fix: { \"items\": [ { \"kind\": \"fieldsDiffer\", \"customerId\": 1 } ] }.");
            }

            return AdminJson.Ok(new { results = await reconciliation.FixAsync(store, items, http.RequestAborted) });
        }).WithAdminErrors();
    }

    private sealed record FixRequest(IReadOnlyList<ReconciliationFixItem>? Items);
}
