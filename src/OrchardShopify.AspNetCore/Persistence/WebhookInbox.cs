using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>Stores verified deliveries, once per <c>X-Shopify-Webhook-Id</c>. The only database work a webhook request does.</summary>
internal sealed class WebhookInbox(SyncDatabase database, WorkSignals signals, TimeProvider time)
{
    private const string Table = ShopifySyncDbContext.WorkItemsTable;

    /// <returns>False when a delivery with the same webhook id is already stored.</returns>
    public async Task<bool> AppendAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var now = UnixTime.From(time.GetUtcNow());
        const int kind = (int)WorkKind.InboundDelivery;
        const int pending = (int)WorkStatus.Pending;

        // ON CONFLICT DO NOTHING: a duplicate neither fails nor writes, on SQLite and PostgreSQL alike.
        var sql = $$"""
            INSERT INTO {{Table}} (kind, dedup_key, store, topic, event_id, triggered_at, api_version, body, status, attempts, next_attempt_at, received_at)
            VALUES ({{kind}}, {0}, {1}, {2}, {3}, {4}, {5}, {6}, {{pending}}, 0, {7}, {7})
            ON CONFLICT (kind, dedup_key) DO NOTHING
            """;
        await using var db = await database.OpenAsync(cancellationToken);
        var inserted = await db.Database.ExecuteSqlRawAsync(
            sql,
            [delivery.WebhookId, delivery.Store.Handle, delivery.Topic, Param(delivery.EventId), Param(UnixTime.From(delivery.TriggeredAt)), Param(delivery.ApiVersion), delivery.Body.ToArray(), now],
            cancellationToken);
        if (inserted > 0)
        {
            signals.Wake(WorkKind.InboundDelivery);
        }

        return inserted > 0;
    }

    // Raw SQL parameters cannot be a bare null: EF needs a DBNull to type them.
    private static object Param(object? value) => value ?? DBNull.Value;
}
