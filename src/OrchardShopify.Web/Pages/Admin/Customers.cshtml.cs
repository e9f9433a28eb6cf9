using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using System.Globalization;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Operations;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Pages.Admin;

/// <summary>
/// Users with their link per store; search; send one user to Shopify and report what Shopify made of it; send every user
/// a filter takes in bulk (a background job with progress); link a user to a Shopify customer by hand, or unlink it.
/// </summary>
public sealed class CustomersModel(
    SiteDbContext db,
    ICustomerLinkStore links,
    StoreRegistry stores,
    ShopifySyncAdmin admin,
    BulkSendService sends,
    CustomerLinkAdmin linking,
    TimeProvider time) : PageModel
{
    private const int PageSize = 25;

    public string? Query { get; private set; }

    public int PageNumber { get; private set; }

    public int PageCount { get; private set; }

    public int Total { get; private set; }

    public IReadOnlyList<string> Stores { get; private set; } = [];

    public IReadOnlyList<CustomerRow> Rows { get; private set; } = [];

    /// <summary>Each store's newest bulk send, running or finished (null when it never had one).</summary>
    public IReadOnlyList<(string Store, BulkSendStatus? Latest)> Sends { get; private set; } = [];

    public static string ProgressText(BulkSendStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var p = status.Progress;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{p.Matched} matched of {p.Scanned} read: {p.Queued} queued, {p.Done} done, {p.Failed} failed, {p.Skipped} skipped{(p.Stage == "waiting" ? " – waiting for the last pushes" : "")}");
    }

    public async Task OnGetAsync(string? q, int? p, CancellationToken cancellationToken)
    {
        Query = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        Stores = stores.Stores.Select(s => s.Handle).ToList();
        var users = db.Users.AsNoTracking();
        if (Query is not null)
        {
            // The text is matched literally, as the bulk send's filter matches it: '_' and '%' in an email are not wildcards.
            var pattern = $"%{Query.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal)}%";
            users = users.Where(u => EF.Functions.Like(u.Email!, pattern, "\\") || EF.Functions.Like(u.FirstName!, pattern, "\\") || EF.Functions.Like(u.LastName!, pattern, "\\")
                || EF.Functions.Like((u.FirstName ?? "") + " " + (u.LastName ?? ""), pattern, "\\"));
        }

        Total = await users.CountAsync(cancellationToken);
        PageCount = Math.Max(1, (Total + PageSize - 1) / PageSize);
        PageNumber = Math.Clamp(p ?? 1, 1, PageCount);
        var page = await users.OrderBy(u => u.Email).Skip((PageNumber - 1) * PageSize).Take(PageSize).ToListAsync(cancellationToken);
        var rows = new List<CustomerRow>();
        foreach (var user in page)
        {
            var userLinks = await links.FindByUserAsync(user.Id, cancellationToken);
            rows.Add(new CustomerRow(user.Id, user.DisplayName, user.Email, user.PhoneNumber, userLinks.ToDictionary(l => l.StoreHandle, l => l.CustomerId, StringComparer.OrdinalIgnoreCase))
            {
                Signals = userLinks.Where(l => l.Signals is not null).ToDictionary(l => l.StoreHandle, l => l.Signals!, StringComparer.OrdinalIgnoreCase),
            });
        }

        Rows = rows;
        var latest = new List<(string, BulkSendStatus?)>();
        foreach (var store in stores.Stores)
        {
            latest.Add((store.Handle, await sends.GetLatestAsync(store.Handle, cancellationToken)));
        }

        Sends = latest;
    }

    /// <summary>Starts sending every user the filter takes to the store; the page follows the job.</summary>
    public async Task<IActionResult> OnPostSendAsync(string store, string? search, string? linked, string? confirmed, string? q, CancellationToken cancellationToken)
    {
        try
        {
            var filter = new BulkSendFilter(search, Flag(linked), Flag(confirmed));
            var started = await sends.StartAsync(store, filter, cancellationToken);
            TempData["Message"] = $"Sending the matching users to {started.Store} (job {started.Id}). Users who have not confirmed their email are skipped and counted.";
        }
        catch (AdminRequestException ex)
        {
            TempData["Message"] = $"Nothing was sent: {ex.Message}";
        }

        return RedirectToPage(new { q });
    }

    public async Task<IActionResult> OnPostCancelSendAsync(string id, string? q, CancellationToken cancellationToken)
    {
        TempData["Message"] = await sends.CancelAsync(id, cancellationToken)
            ? "Bulk send cancelled; pushes already queued still run."
            : "That bulk send is not running.";
        return RedirectToPage(new { q });
    }

    /// <summary>Polled by the progress bar of a running bulk send.</summary>
    public async Task<IActionResult> OnGetSendProgressAsync(string id, CancellationToken cancellationToken)
    {
        var status = await sends.GetAsync(id, cancellationToken);
        if (status is null)
        {
            return NotFound();
        }

        return new JsonResult(new
        {
            processed = status.Progress.Done + status.Progress.Failed,
            total = status.Progress.Queued,
            finished = status.Status != SyncJobStatus.Running,
            text = ProgressText(status),
        });
    }

    /// <summary>Links the user to the store's customer under the rules of automatic linking, unless the override is ticked.</summary>
    public async Task<IActionResult> OnPostLinkAsync(string userId, string store, string? customerId, bool overrideVerification, string? q, CancellationToken cancellationToken)
    {
        if (!long.TryParse(customerId?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
        {
            TempData["Message"] = $"Not linked: '{customerId}' is not a Shopify customer id (digits only, e.g. 7407189868698).";
            return RedirectToPage(new { q });
        }

        try
        {
            var result = await linking.LinkAsync(store, userId, id, overrideVerification, AdminName(), cancellationToken);
            TempData["Message"] = result.Message;
        }
        catch (AdminRequestException ex)
        {
            TempData["Message"] = $"Not linked: {ex.Message}";
        }

        return RedirectToPage(new { q });
    }

    /// <summary>Removes the user's link in the store; the user and the Shopify customer stay.</summary>
    public async Task<IActionResult> OnPostUnlinkAsync(string userId, string store, string? q, CancellationToken cancellationToken)
    {
        try
        {
            var result = await linking.UnlinkAsync(store, userId, AdminName(), cancellationToken);
            TempData["Message"] = result.Message;
        }
        catch (AdminRequestException ex)
        {
            TempData["Message"] = $"Not unlinked: {ex.Message}";
        }

        return RedirectToPage(new { q });
    }

    private string AdminName() => User.Identity?.Name is { Length: > 0 } name ? name : "an administrator";

    private static bool? Flag(string? value) => value switch
    {
        "yes" => true,
        "no" => false,
        _ => null,
    };

    /// <summary>Queues the push for every store, then waits briefly for the outcomes so the admin sees them at once.</summary>
    public async Task<IActionResult> OnPostPushAsync(string userId, string? q, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            TempData["Message"] = "That user no longer exists.";
            return RedirectToPage(new { q });
        }

        var since = time.GetUtcNow().AddSeconds(-1);
        IReadOnlyList<string> queued;
        try
        {
            queued = await admin.PushUserAsync(userId, null, cancellationToken);
        }
        catch (AdminRequestException ex)
        {
            // Staff and users who have not confirmed their email are never sent; say why.
            TempData["Message"] = $"{user.Email} was not sent to Shopify: {ex.Message}";
            return RedirectToPage(new { q });
        }

        if (queued.Count == 0)
        {
            TempData["Message"] = "No store can be called: each store needs an access token.";
            return RedirectToPage(new { q });
        }

        var outcomes = await WaitForOutcomesAsync(userId, queued, since, cancellationToken);
        var parts = queued.Select(store => outcomes.TryGetValue(store, out var entry)
            ? $"{store}: {entry.Outcome}{(entry.CustomerId is { } id ? $" (customer {id})" : "")}{(entry.Detail is null ? "" : " – " + entry.Detail)}"
            : $"{store}: queued, not finished yet (see the sync log)");
        TempData["Message"] = $"Sent {user.Email} to Shopify. " + string.Join("; ", parts) + ".";
        return RedirectToPage(new { q });
    }

    private async Task<Dictionary<string, SyncLogRecord>> WaitForOutcomesAsync(string userId, IReadOnlyList<string> storesQueued, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow().AddSeconds(10);
        var found = new Dictionary<string, SyncLogRecord>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            var entries = await admin.GetLogAsync(new SyncLogQuery(UserId: userId, Direction: SyncDirection.Outbound, Since: since, Take: 50), cancellationToken);
            foreach (var entry in entries.OrderBy(e => e.Id))
            {
                found[entry.Store] = entry;
            }

            if (storesQueued.All(found.ContainsKey) || time.GetUtcNow() > deadline)
            {
                return found;
            }

            await Task.Delay(150, cancellationToken);
        }
    }

    public sealed record CustomerRow(string Id, string Name, string? Email, string? Phone, IReadOnlyDictionary<string, long> Links)
    {
        /// <summary>The commerce signals stored on each store's link, by store.</summary>
        public IReadOnlyDictionary<string, CustomerSignals> Signals { get; init; } = new Dictionary<string, CustomerSignals>();
    }
}
