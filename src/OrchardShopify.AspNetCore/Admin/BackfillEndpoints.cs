using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.AspNetCore.Backfill;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Import ("Sync now"): start, status and progress, cancel.</summary>
internal static class BackfillEndpoints
{
    public static void MapBackfillEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/import", StartAsync);
        group.MapGet("/import", GetLatestAsync);
        group.MapGet("/import/{id}", GetAsync);
        group.MapPost("/import/{id}/cancel", CancelAsync);
    }

    /// <summary>Body (optional) <c>{ "mode": "all" | "changed", "since": … }</c>: 202 with the job's status.</summary>
    internal static async Task<JsonHttpResult<CustomerImportStatus>> StartAsync(string? store, AdminBody<CustomerImportRequest> body, CustomerImportService imports, CancellationToken cancellationToken)
        => AdminJson.Json(await imports.StartAsync(store, body.Value ?? new CustomerImportRequest(), cancellationToken), StatusCodes.Status202Accepted);

    internal static async Task<Results<JsonHttpResult<CustomerImportStatus>, ProblemHttpResult>> GetLatestAsync(string? store, CustomerImportService imports, CancellationToken cancellationToken)
        => await imports.GetLatestAsync(store, cancellationToken) is { } status
            ? AdminJson.Json(status)
            : AdminJson.Problem("no_import", "This store has not been imported yet.", StatusCodes.Status404NotFound);

    internal static async Task<Results<JsonHttpResult<CustomerImportStatus>, ProblemHttpResult>> GetAsync(string id, CustomerImportService imports, CancellationToken cancellationToken)
        => await imports.GetAsync(id, cancellationToken) is { } status
            ? AdminJson.Json(status)
            : AdminJson.Problem("unknown_job", $"No import has the id '{id}'.", StatusCodes.Status404NotFound);

    internal static async Task<Results<JsonHttpResult<CustomerImportStatus?>, ProblemHttpResult>> CancelAsync(string id, CustomerImportService imports, CancellationToken cancellationToken)
        => await imports.CancelAsync(id, cancellationToken)
            ? AdminJson.Json(await imports.GetAsync(id, cancellationToken), StatusCodes.Status202Accepted)
            : AdminJson.Problem("not_running", $"Import '{id}' is not running.", StatusCodes.Status409Conflict);
}
