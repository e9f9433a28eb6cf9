using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Reconciliation;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Web.Pages.Admin;

/// <summary>Reconciliation: compare a store's customers with the site (the module's job), then fix the selected differences.</summary>
public sealed class ReconcileModel(ReconciliationService reconciliation, ReconciliationScheduler schedule, StoreRegistry stores) : PageModel
{
    public IReadOnlyList<StoreReconciliation> Stores { get; private set; } = [];

    /// <summary>The scheduled reconciliation (Shopify:ScheduledReconciliation) and the drift threshold.</summary>
    public ReconciliationScheduleOverview? Schedule { get; private set; }

    /// <summary>A difference as a form value: kind|customer|user.</summary>
    public static string Key(ReconciliationDifference difference)
    {
        ArgumentNullException.ThrowIfNull(difference);
        return string.Create(CultureInfo.InvariantCulture, $"{difference.Kind}|{difference.CustomerId}|{difference.UserId}");
    }

    public static string ProgressText(ReconciliationStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var of = status.Report.Total is { } total ? string.Create(CultureInfo.InvariantCulture, $" of {total}") : "";
        return string.Create(CultureInfo.InvariantCulture, $"{status.Report.Stage}: {status.Report.Processed}{of}");
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var list = new List<StoreReconciliation>();
        foreach (var store in stores.Stores)
        {
            list.Add(new StoreReconciliation(store.Handle, store.ShopDomain, await reconciliation.GetLatestAsync(store.Handle, cancellationToken)));
        }

        Stores = list;
        Schedule = await schedule.GetOverviewAsync(cancellationToken);
    }

    /// <summary>The store's schedule line: when the next scheduled comparison runs, or why none does.</summary>
    public string ScheduleText(string handle)
    {
        if (Schedule?.Stores.FirstOrDefault(s => s.Store == handle) is not { } store)
        {
            return "";
        }

        var every = Schedule.Interval.ToString("c", CultureInfo.InvariantCulture);
        var text = store.Scheduled
            ? string.Create(CultureInfo.InvariantCulture, $"Compared on schedule every {every}; next run {store.NextRunAt:yyyy-MM-dd HH:mm} UTC.")
            : $"Not compared on schedule: {store.NotScheduledReason}";
        if (store.LastSkipReason is { } skipped)
        {
            text += $" The last scheduled run was postponed: {skipped}";
        }

        if (store.LastCompleted is { } last)
        {
            text += string.Create(CultureInfo.InvariantCulture, $" Drift in the last comparison: {last.Mismatches}");
            text += last.Limit is { } limit ? $" ({limit}: the health check is degraded)." : ".";
        }

        return text;
    }

    public async Task<IActionResult> OnPostStartAsync(string store, CancellationToken cancellationToken)
    {
        try
        {
            await reconciliation.StartAsync(store, cancellationToken);
            TempData["Message"] = $"Comparing {store}…";
        }
        catch (AdminRequestException ex)
        {
            TempData["Message"] = ex.Message;
        }

        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostFixAsync(string store, string[] selected, CancellationToken cancellationToken)
    {
        var items = new List<ReconciliationFixItem>();
        foreach (var value in selected ?? [])
        {
            var parts = value.Split('|');
            if (parts.Length == 3 && Enum.TryParse<DifferenceKind>(parts[0], out var kind))
            {
                items.Add(new ReconciliationFixItem(
                    kind,
                    long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var customerId) ? customerId : null,
                    parts[2].Length == 0 ? null : parts[2]));
            }
        }

        if (items.Count == 0)
        {
            TempData["Message"] = "Select the differences to fix.";
            return RedirectToPage();
        }

        try
        {
            var results = await reconciliation.FixAsync(store, items, cancellationToken);
            TempData["Message"] = $"{store}: " + string.Join("; ", results.Select(r => $"{r.Item.Kind} {r.Item.CustomerId}{r.Item.UserId}: {r.Outcome} ({r.Detail})")) + ". Compare again to see what is left.";
        }
        catch (AdminRequestException ex)
        {
            TempData["Message"] = ex.Message;
        }

        return RedirectToPage();
    }

    public async Task<IActionResult> OnGetProgressAsync(string id, CancellationToken cancellationToken)
    {
        var status = await reconciliation.GetAsync(id, cancellationToken);
        return status is null
            ? NotFound()
            : new JsonResult(new { processed = status.Report.Processed, total = status.Report.Total, finished = status.Status != SyncJobStatus.Running, text = ProgressText(status) });
    }

    public sealed record StoreReconciliation(string Handle, string ShopDomain, ReconciliationStatus? Latest);
}
