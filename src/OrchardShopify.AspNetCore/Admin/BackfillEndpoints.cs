using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OrchardShopify.AspNetCore.Backfill;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>Import ("Sync now"): start, status and progress, cancel.</summary>
internal static class BackfillEndpoints
{
    public static void MapBackfillEndpoints(this RouteGroupBuilder group)
    {
        group.MapPost("/import", async (string? store, HttpContext http, CustomerImportService imports) =>
        {
            var request = await AdminJson.ReadBodyAsync(http.Request, new CustomerImportRequest());
            var status = await imports.StartAsync(store, request, http.RequestAborted);
            return AdminJson.Ok(status, StatusCodes.Status202Accepted);
        }).WithAdminErrors();

        group.MapGet("/import", async (string? store, HttpContext http, CustomerImportService imports) =>
            await imports.GetLatestAsync(store, http.RequestAborted) is { } status
                ? AdminJson.Ok(status)
                : AdminJson.Error("no_import", "This store has not been imported yet.", StatusCodes.Status404NotFound)).WithAdminErrors();

        group.MapGet("/import/{id}", async (string id, HttpContext http, CustomerImportService imports) =>
            await imports.GetAsync(id, http.RequestAborted) is { } status
                ? AdminJson.Ok(status)
                : AdminJson.Error("unknown_job", $"No import has the id '{id}'.", StatusCodes.Status404NotFound)).WithAdminErrors();

        group.MapPost("/import/{id}/cancel", async (string id, HttpContext http, CustomerImportService imports) =>
        {
            if (!await imports.CancelAsync(id, http.RequestAborted))
            {
                return AdminJson.Error("not_running", $"Import '{id}' is not running.", StatusCodes.Status409Conflict);
            }

            return AdminJson.Ok(await imports.GetAsync(id, http.RequestAborted), StatusCodes.Status202Accepted);
        }).WithAdminErrors();
    }
}
