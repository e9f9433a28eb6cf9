using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Pages.Admin;

public sealed class LogModel(ShopifySyncAdmin admin, StoreRegistry stores, SiteDbContext db) : PageModel
{
    public string? Store { get; private set; }

    public string? Topic { get; private set; }

    public string? Outcome { get; private set; }

    public string? Direction { get; private set; }

    public bool Filtered => Store is not null || Topic is not null || Outcome is not null || Direction is not null;

    public IReadOnlyList<string> Stores { get; private set; } = [];

    public IReadOnlyList<string> Topics { get; private set; } = [];

    public IReadOnlyList<SyncLogRecord> Entries { get; private set; } = [];

    public IReadOnlyDictionary<string, string> UserEmails { get; private set; } = new Dictionary<string, string>();

    public async Task OnGetAsync(string? store, string? topic, string? outcome, string? direction, CancellationToken cancellationToken)
    {
        Store = Blank(store);
        Topic = Blank(topic);
        Outcome = Blank(outcome);
        Direction = direction is "inbound" or "outbound" ? direction : null;
        Stores = stores.Stores.Select(s => s.Handle).ToList();
        Topics = await admin.GetTopicsAsync(cancellationToken);
        Entries = await admin.GetLogAsync(
            new SyncLogQuery(Store, Topic, Outcome, Direction switch { "inbound" => SyncDirection.Inbound, "outbound" => SyncDirection.Outbound, _ => null }, Take: 200),
            cancellationToken);
        var ids = Entries.Where(e => e.UserId is not null).Select(e => e.UserId!).Distinct().ToList();
        UserEmails = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Email ?? u.Id, cancellationToken);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
