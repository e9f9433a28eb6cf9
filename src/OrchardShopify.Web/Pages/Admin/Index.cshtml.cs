using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.Statistics;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Web.Pages.Admin;

public sealed class DashboardModel(ShopifySyncAdmin admin, StoreRegistry stores, DeliveryStatisticsService statistics) : PageModel
{
    public ShopifySyncOptions Options => stores.Options;

    public IReadOnlyList<StoreRow> Stores { get; private set; } = [];

    public long DeadLetters { get; private set; }

    public DeliveryStatistics Chart { get; private set; } = null!;

    public IReadOnlyList<SyncLogRecord> Latest { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Stores = stores.Stores.Select(s => new StoreRow(s.Handle, s.ShopDomain, s.ApiVersion, s.CanCallAdminApi, !string.IsNullOrEmpty(s.WebhookSecret))).ToList();
        DeadLetters = await admin.CountDeadLettersAsync(cancellationToken);
        Latest = await admin.GetLogAsync(new SyncLogQuery(Take: 10), cancellationToken);
        Chart = await statistics.GetAsync(24, null, cancellationToken);
    }

    public sealed record StoreRow(string Handle, string ShopDomain, string ApiVersion, bool CanCallAdminApi, bool HasSecret);
}
