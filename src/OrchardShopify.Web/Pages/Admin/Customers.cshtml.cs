using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Pages.Admin;

/// <summary>Users with their link per store; search; send one user to Shopify and report what Shopify made of it.</summary>
public sealed class CustomersModel(SiteDbContext db, ICustomerLinkStore links, StoreRegistry stores, ShopifySyncAdmin admin, TimeProvider time) : PageModel
{
    private const int PageSize = 25;

    public string? Query { get; private set; }

    public int PageNumber { get; private set; }

    public int PageCount { get; private set; }

    public int Total { get; private set; }

    public IReadOnlyList<string> Stores { get; private set; } = [];

    public IReadOnlyList<CustomerRow> Rows { get; private set; } = [];

    public async Task OnGetAsync(string? q, int? p, CancellationToken cancellationToken)
    {
        Query = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        Stores = stores.Stores.Select(s => s.Handle).ToList();
        var users = db.Users.AsNoTracking();
        if (Query is not null)
        {
            var pattern = $"%{Query}%";
            users = users.Where(u => EF.Functions.Like(u.Email!, pattern) || EF.Functions.Like(u.FirstName!, pattern) || EF.Functions.Like(u.LastName!, pattern)
                || EF.Functions.Like((u.FirstName ?? "") + " " + (u.LastName ?? ""), pattern));
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
    }

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
