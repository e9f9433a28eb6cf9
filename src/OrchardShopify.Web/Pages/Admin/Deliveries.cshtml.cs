using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Web.Pages.Admin;

public sealed class DeliveriesModel(ShopifySyncAdmin admin, StoreRegistry stores) : PageModel
{
    public string? Store { get; private set; }

    public string? Topic { get; private set; }

    public SyncDeliveryStatus? Status { get; private set; }

    public bool Filtered => Store is not null || Topic is not null || Status is not null;

    public IReadOnlyList<string> Stores { get; private set; } = [];

    public IReadOnlyList<string> Topics { get; private set; } = [];

    public IReadOnlyList<SyncDeliveryRecord> Items { get; private set; } = [];

    public static string StatusName(SyncDeliveryStatus status) => status == SyncDeliveryStatus.DeadLetter ? "dead letter" : status.ToString().ToLowerInvariant();

    public async Task OnGetAsync(string? store, string? topic, string? status, CancellationToken cancellationToken)
    {
        Store = string.IsNullOrWhiteSpace(store) ? null : store.Trim();
        Topic = string.IsNullOrWhiteSpace(topic) ? null : topic.Trim();
        Status = Enum.TryParse<SyncDeliveryStatus>(status, ignoreCase: true, out var parsed) ? parsed : null;
        Stores = stores.Stores.Select(s => s.Handle).ToList();
        Topics = await admin.GetTopicsAsync(cancellationToken);
        Items = await admin.GetDeliveriesAsync(new SyncDeliveryQuery(Store, Topic, Status, Take: 200), cancellationToken);
    }
}
