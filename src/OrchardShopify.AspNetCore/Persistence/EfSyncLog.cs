using Microsoft.EntityFrameworkCore;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary><see cref="ISyncLog"/> in the sync database; pruned after <c>Shopify:SyncLogRetention</c> by the maintenance worker.</summary>
internal sealed class EfSyncLog(SyncDatabase database) : ISyncLog, IBulkSyncLog
{
    public async ValueTask RecordAsync(SyncLogEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await AppendAsync(ToRow(entry), cancellationToken);
    }

    public async ValueTask RecordManyAsync(IReadOnlyList<SyncLogEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await using var unit = await database.JoinAsync(cancellationToken);
        unit.Db.SyncLog.AddRange(entries.Select(ToRow));
        await AddedRowWriter.SaveAsync(unit.Db, cancellationToken);
    }

    private static SyncLogRow ToRow(SyncLogEntry entry) => new()
    {
        At = UnixTime.From(entry.At),
        Direction = entry.Direction == SyncDirection.Inbound ? "inbound" : "outbound",
        StoreHandle = entry.StoreHandle,
        Topic = entry.Topic,
        CustomerId = entry.CustomerId,
        UserId = entry.UserId,
        Outcome = entry.Outcome,
        Detail = entry.Detail,
        WebhookId = entry.WebhookId,
    };

    public async Task AppendAsync(SyncLogRow row, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinAsync(cancellationToken);
        var db = unit.Db;
        db.SyncLog.Add(row);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Erases the log entries about the customer and the bodies of the deliveries that carried its data.</summary>
    public async ValueTask EraseCustomerAsync(string storeHandle, long customerId, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinAsync(cancellationToken);
        var db = unit.Db;
        await db.SyncLog.Where(l => l.StoreHandle == storeHandle && l.CustomerId == customerId).ExecuteDeleteAsync(cancellationToken);
        await CustomerDeliveries(db, storeHandle, customerId).ExecuteUpdateAsync(set => set.SetProperty(w => w.Body, (byte[]?)null), cancellationToken);
    }

    /// <summary>The store's work items recorded for the customer, except those being worked right now (read through the partial customer index).</summary>
    internal static IQueryable<WorkItem> CustomerDeliveries(ShopifySyncDbContext db, string storeHandle, long customerId)
        => db.WorkItems.Where(w => w.StoreHandle == storeHandle && w.CustomerId == customerId && w.Status != WorkStatus.Processing);

    /// <summary>Erases the store's log entries and the bodies of its deliveries.</summary>
    public async ValueTask EraseStoreAsync(string storeHandle, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinAsync(cancellationToken);
        var db = unit.Db;
        await db.SyncLog.Where(l => l.StoreHandle == storeHandle).ExecuteDeleteAsync(cancellationToken);
        await db.WorkItems
            .Where(w => w.StoreHandle == storeHandle && w.Status != WorkStatus.Processing)
            .ExecuteUpdateAsync(set => set.SetProperty(w => w.Body, (byte[]?)null), cancellationToken);
    }

    public async Task<int> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        var cutoff = UnixTime.From(olderThan);
        await using var unit = await database.JoinAsync(cancellationToken);
        var db = unit.Db;
        var log = await db.SyncLog.Where(l => l.At < cutoff).ExecuteDeleteAsync(cancellationToken);
        var items = await db.WorkItems.Where(w => w.Status == WorkStatus.Succeeded && w.ProcessedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        return log + items;
    }
}
