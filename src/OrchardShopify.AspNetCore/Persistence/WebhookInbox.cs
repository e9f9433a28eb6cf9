using System.Data;
using System.Data.Common;
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
            VALUES ({{kind}}, @webhook_id, @store, @topic, @event_id, @triggered_at, @api_version, @body, {{pending}}, 0, @now, @now)
            ON CONFLICT (kind, dedup_key) DO NOTHING
            """;
        await using var db = await database.OpenAsync(cancellationToken);
        using var command = db.Database.GetDbConnection().CreateCommand();
        var inserted = await db.Database.ExecuteSqlRawAsync(
            sql,
            [
                Param(command, "webhook_id", delivery.WebhookId, DbType.String),
                Param(command, "store", delivery.Store.Handle, DbType.String),
                Param(command, "topic", delivery.Topic, DbType.String),
                Param(command, "event_id", delivery.EventId, DbType.String),
                Param(command, "triggered_at", UnixTime.From(delivery.TriggeredAt), DbType.Int64),
                Param(command, "api_version", delivery.ApiVersion, DbType.String),
                Param(command, "body", delivery.Body.ToArray(), DbType.Binary),
                Param(command, "now", now, DbType.Int64),
            ],
            cancellationToken);
        if (inserted > 0)
        {
            signals.Wake(WorkKind.InboundDelivery);
        }

        return inserted > 0;
    }

    // Typed parameters: EF cannot infer a store type from a null.
    private static DbParameter Param(DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value ?? DBNull.Value;
        parameter.DbType = type;
        return parameter;
    }
}
