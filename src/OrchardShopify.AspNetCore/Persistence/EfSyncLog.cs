using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary><see cref="ISyncLog"/> in the sync database; pruned after <c>Shopify:SyncLogRetention</c> by the maintenance worker.</summary>
internal sealed class EfSyncLog(SyncDatabase database, TimeProvider time) : ISyncLog, IBulkSyncLog
{
    public async ValueTask RecordAsync(SyncLogEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await AppendAsync(ToRow(entry), cancellationToken);
    }

    public async ValueTask RecordManyAsync(IReadOnlyList<SyncLogEntry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
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
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
        var db = unit.Db;
        db.SyncLog.Add(row);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Erases what the sync stored about the customer: the log entries about it and the bodies of the deliveries that
    /// carried its data. Deliveries not yet attributed to the customer (waiting, being worked, failed, dead-lettered)
    /// are found by reading their bodies and attributed first; those not finished are closed as <c>redacted</c>, since
    /// applying them later would bring the erased data back.
    /// </summary>
    public async ValueTask EraseCustomerAsync(string storeHandle, long customerId, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
        var db = unit.Db;

        // All or nothing (a retry of the redaction starts again); inside the worker's batch, its transaction.
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var found = await FindUnattributedAsync(db, storeHandle, customerId, cancellationToken);
        foreach (var chunk in found.Chunk(500))
        {
            var ids = chunk.Select(f => f.Id).ToArray();
            await db.WorkItems.Where(w => ids.Contains(w.Id) && w.CustomerId == null)
                .ExecuteUpdateAsync(set => set.SetProperty(w => w.CustomerId, customerId), cancellationToken);

            // The log rows of their failed attempts, written without the customer (before failures recorded it).
            var webhookIds = chunk.Select(f => f.WebhookId).OfType<string>().ToArray();
            await db.SyncLog.Where(l => l.StoreHandle == storeHandle && l.CustomerId == null && webhookIds.Contains(l.WebhookId))
                .ExecuteDeleteAsync(cancellationToken);
        }

        await db.SyncLog.Where(l => l.StoreHandle == storeHandle && l.CustomerId == customerId).ExecuteDeleteAsync(cancellationToken);
        await CloseUnfinished(CustomerDeliveries(db, storeHandle, customerId), cancellationToken);
        await BodiesOf(db, CustomerDeliveries(db, storeHandle, customerId)).ExecuteDeleteAsync(cancellationToken);
        await EraseFromReportsAsync(db, storeHandle, customerId, cancellationToken);
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>The store's work items recorded for the customer (read through the partial customer index).</summary>
    internal static IQueryable<WorkItem> CustomerDeliveries(ShopifySyncDbContext db, string storeHandle, long customerId)
        => db.WorkItems.Where(w => w.StoreHandle == storeHandle && w.CustomerId == customerId);

    /// <summary>The payloads of <paramref name="items"/> (looked up by the items' ids).</summary>
    internal static IQueryable<WorkItemBodyRow> BodiesOf(ShopifySyncDbContext db, IQueryable<WorkItem> items)
    {
        var ids = items.Select(w => w.Id);
        return db.WorkItemBodies.Where(b => ids.Contains(b.Id));
    }

    /// <summary>
    /// The store's unfinished deliveries with a body and no customer recorded. A delivery gets its customer when it is
    /// worked or fails, so only these (and deliveries stored before failures recorded it) can carry a customer's data
    /// unattributed. Read through the (kind, status, next attempt) index, not by scanning finished deliveries.
    /// </summary>
    internal static IQueryable<WorkItem> UnattributedDeliveries(ShopifySyncDbContext db, string storeHandle)
        => db.WorkItems.Where(w => w.Kind == WorkKind.InboundDelivery
            && (w.Status == WorkStatus.Pending || w.Status == WorkStatus.Processing || w.Status == WorkStatus.DeadLetter)
            && w.StoreHandle == storeHandle && w.CustomerId == null && db.WorkItemBodies.Any(b => b.Id == w.Id));

    /// <summary>Those of <see cref="UnattributedDeliveries"/> whose body names the customer (only bodies containing the id's digits are parsed).</summary>
    private static async Task<List<(long Id, string? WebhookId)>> FindUnattributedAsync(ShopifySyncDbContext db, string storeHandle, long customerId, CancellationToken cancellationToken)
    {
        var digits = Encoding.ASCII.GetBytes(customerId.ToString(CultureInfo.InvariantCulture));
        var found = new List<(long, string?)>();
        var rows = UnattributedDeliveries(db, storeHandle).AsNoTracking()
            .Join(db.WorkItemBodies, w => w.Id, b => b.Id, (w, b) => new { w.Id, w.Topic, w.DedupKey, b.Body })
            .AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            if (row.Body is { } body && body.AsSpan().IndexOf(digits) >= 0 && CustomerPayloadParser.FindCustomerId(row.Topic, body) == customerId)
            {
                found.Add((row.Id, row.DedupKey));
            }
        }

        return found;
    }

    /// <summary>
    /// Closes the deliveries waiting for a retry or dead-lettered as <c>redacted</c> (the items being worked finish on
    /// their own; with their body gone a retry closes them the same way).
    /// </summary>
    private async Task CloseUnfinished(IQueryable<WorkItem> items, CancellationToken cancellationToken)
    {
        var now = UnixTime.From(time.GetUtcNow());
        await items.Where(w => w.Kind == WorkKind.InboundDelivery && (w.Status == WorkStatus.Pending || w.Status == WorkStatus.DeadLetter))
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(w => w.Status, WorkStatus.Succeeded)
                    .SetProperty(w => w.Outcome, RedactedOutcome)
                    .SetProperty(w => w.ProcessedAt, now)
                    .SetProperty(w => w.LastError, (string?)null),
                cancellationToken);
    }

    /// <summary>The outcome of a delivery closed unworked because its data was erased.</summary>
    internal static readonly string RedactedOutcome = InboundResult.OutcomeName(InboundOutcome.Redacted);

    /// <summary>Erases the store's log entries and the bodies of its deliveries; its unfinished deliveries are closed as <c>redacted</c>.</summary>
    public async ValueTask EraseStoreAsync(string storeHandle, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
        var db = unit.Db;
        await db.SyncLog.Where(l => l.StoreHandle == storeHandle).ExecuteDeleteAsync(cancellationToken);
        var items = db.WorkItems.Where(w => w.StoreHandle == storeHandle);
        await CloseUnfinished(items, cancellationToken);
        await BodiesOf(db, items).ExecuteDeleteAsync(cancellationToken);
        await EraseFromReportsAsync(db, storeHandle, customerId: null, cancellationToken);
    }

    /// <summary>
    /// The store's stored reconciliation reports list the differences they found with the customers' emails and
    /// Shopify's values: the customer's differences are removed from them (every difference, for the whole store).
    /// The counts stay: they name nobody.
    /// </summary>
    private static async Task EraseFromReportsAsync(ShopifySyncDbContext db, string storeHandle, long? customerId, CancellationToken cancellationToken)
    {
        var reports = await db.Jobs.AsNoTracking()
            .Where(j => j.StoreHandle == storeHandle && j.Kind == Reconciliation.ReconciliationJob.Kind && j.State != null)
            .Select(j => new { j.Id, j.State })
            .ToListAsync(cancellationToken);
        foreach (var report in reports)
        {
            if (JsonNode.Parse(report.State!) is not JsonObject state || state["differences"] is not JsonArray differences)
            {
                continue;
            }

            var erased = differences
                .Where(d => customerId is null || (d?["customerId"] is JsonValue id && id.TryGetValue<long>(out var value) && value == customerId))
                .ToList();
            if (erased.Count == 0)
            {
                continue;
            }

            foreach (var difference in erased)
            {
                differences.Remove(difference);
            }

            var json = state.ToJsonString();
            await db.Jobs.Where(j => j.Id == report.Id).ExecuteUpdateAsync(set => set.SetProperty(j => j.State, json), cancellationToken);
        }
    }

    public async Task<int> PruneAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        var cutoff = UnixTime.From(olderThan);
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
        var db = unit.Db;
        var log = await db.SyncLog.Where(l => l.At < cutoff).ExecuteDeleteAsync(cancellationToken);
        var pruned = db.WorkItems.Where(w => w.Status == WorkStatus.Succeeded && w.ProcessedAt < cutoff);

        // Their payloads first, whatever the connection's foreign-key setting (the cascade needs SQLite's on).
        await BodiesOf(db, pruned).ExecuteDeleteAsync(cancellationToken);
        var items = await pruned.ExecuteDeleteAsync(cancellationToken);

        // Shopify stops retrying a delivery long before the log's retention passes, so no late delivery can follow.
        var deleted = await db.DeletedCustomers.Where(d => d.DeletedAt < cutoff && d.UserId == null).ExecuteDeleteAsync(cancellationToken);
        return log + items + deleted;
    }
}
