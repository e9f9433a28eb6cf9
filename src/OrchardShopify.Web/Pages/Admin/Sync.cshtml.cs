using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.Backfill;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Web.Pages.Admin;

/// <summary>"Sync now": start, follow and cancel a store's customer import (the module's import service does the work).</summary>
public sealed class SyncNowModel(CustomerImportService imports, StoreRegistry stores) : PageModel
{
    public IReadOnlyList<StoreImport> Stores { get; private set; } = [];

    public static string ProgressText(CustomerImportStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var p = status.Progress;
        var of = p.Total is { } total ? string.Create(CultureInfo.InvariantCulture, $" of {total}") : "";
        return p.Stage switch
        {
            "exporting" => "Shopify is preparing the export…",
            "starting" => "Starting…",
            _ => string.Create(CultureInfo.InvariantCulture, $"{p.Processed}{of} customers: {p.Created} created, {p.Linked} linked, {p.Updated} updated, {p.Unchanged} unchanged, {p.Skipped} skipped, {p.Failed} failed"),
        };
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var list = new List<StoreImport>();
        foreach (var store in stores.Stores)
        {
            list.Add(new StoreImport(store.Handle, store.ShopDomain, await imports.GetLatestAsync(store.Handle, cancellationToken)));
        }

        Stores = list;
    }

    public async Task<IActionResult> OnPostStartAsync(string store, CustomerImportMode mode, CancellationToken cancellationToken)
    {
        try
        {
            await imports.StartAsync(store, new CustomerImportRequest(mode), cancellationToken);
            TempData["Message"] = $"Import of {store} started.";
        }
        catch (AdminRequestException ex)
        {
            TempData["Message"] = ex.Message;
        }

        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostCancelAsync(string id, CancellationToken cancellationToken)
    {
        TempData["Message"] = await imports.CancelAsync(id, cancellationToken) ? "Import cancelled; what was applied stays applied." : "That import is not running.";
        return RedirectToPage();
    }

    /// <summary>Polled by the progress bar.</summary>
    public async Task<IActionResult> OnGetProgressAsync(string id, CancellationToken cancellationToken)
    {
        var status = await imports.GetAsync(id, cancellationToken);
        if (status is null)
        {
            return NotFound();
        }

        return new JsonResult(new
        {
            processed = status.Progress.Processed,
            total = status.Progress.Total,
            finished = status.Status != SyncJobStatus.Running,
            text = ProgressText(status),
        });
    }

    public sealed record StoreImport(string Handle, string ShopDomain, CustomerImportStatus? Latest);
}
