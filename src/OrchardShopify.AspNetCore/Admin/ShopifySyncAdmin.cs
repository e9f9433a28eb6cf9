using System.Text;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>
/// What a host's admin pages read and do: the sync log, deliveries and dead letters with their payloads,
/// replay, and pushing one user now. The admin JSON endpoints answer the same questions over HTTP.
/// </summary>
public sealed class ShopifySyncAdmin
{
    public const int MaxTake = 500;

    private readonly SyncDatabase _database;
    private readonly WorkQueue _queue;
    private readonly WorkSignals _signals;
    private readonly StoreRegistry _stores;
    private readonly IOutboundSyncQueue _outbound;
    private readonly IUserDirectory _users;
    private readonly TimeProvider _time;

    internal ShopifySyncAdmin(SyncDatabase database, WorkQueue queue, WorkSignals signals, StoreRegistry stores, IOutboundSyncQueue outbound, IUserDirectory users, TimeProvider time)
    {
        _users = users;
        _database = database;
        _queue = queue;
        _signals = signals;
        _stores = stores;
        _outbound = outbound;
        _time = time;
    }

    /// <summary>Sync log entries, newest first.</summary>
    public async Task<IReadOnlyList<SyncLogRecord>> GetLogAsync(SyncLogQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await _database.OpenAsync(cancellationToken);
        var rows = db.SyncLog.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Store))
        {
            rows = rows.Where(r => r.StoreHandle == query.Store.Trim());
        }

        if (!string.IsNullOrWhiteSpace(query.Topic))
        {
            rows = rows.Where(r => r.Topic == query.Topic.Trim());
        }

        if (!string.IsNullOrWhiteSpace(query.Outcome))
        {
            rows = rows.Where(r => r.Outcome == query.Outcome.Trim());
        }

        if (query.Direction is { } direction)
        {
            var name = direction == SyncDirection.Inbound ? "inbound" : "outbound";
            rows = rows.Where(r => r.Direction == name);
        }

        if (!string.IsNullOrWhiteSpace(query.UserId))
        {
            rows = rows.Where(r => r.UserId == query.UserId);
        }

        if (query.Since is { } since)
        {
            var from = UnixTime.From(since);
            rows = rows.Where(r => r.At >= from);
        }

        var list = await rows.OrderByDescending(r => r.Id).Take(Math.Clamp(query.Take, 1, MaxTake)).ToListAsync(cancellationToken);
        return list.Select(r => new SyncLogRecord(
            r.Id,
            UnixTime.To(r.At),
            r.Direction == "outbound" ? SyncDirection.Outbound : SyncDirection.Inbound,
            r.StoreHandle,
            r.Topic,
            r.CustomerId,
            r.UserId,
            r.Outcome,
            r.Detail,
            r.WebhookId,
            r.Attempt)).ToList();
    }

    /// <summary>How many deliveries and pushes wait as dead letters, all of them (the lists stop at <see cref="MaxTake"/>).</summary>
    public async Task<long> CountDeadLettersAsync(CancellationToken cancellationToken)
    {
        await using var db = await _database.OpenAsync(cancellationToken);
        return await db.WorkItems.LongCountAsync(w => w.Status == WorkStatus.DeadLetter, cancellationToken);
    }

    /// <summary>Inbox deliveries and user pushes, newest first.</summary>
    public async Task<IReadOnlyList<SyncDeliveryRecord>> GetDeliveriesAsync(SyncDeliveryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await _database.OpenAsync(cancellationToken);
        var items = db.WorkItems.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Store))
        {
            items = items.Where(w => w.StoreHandle == query.Store.Trim());
        }

        if (!string.IsNullOrWhiteSpace(query.Topic))
        {
            items = items.Where(w => w.Topic == query.Topic.Trim());
        }

        if (query.Status is { } status)
        {
            var stored = ToStored(status);
            items = items.Where(w => w.Status == stored);
        }

        if (query.Direction is { } direction)
        {
            var kind = direction == SyncDirection.Inbound ? WorkKind.InboundDelivery : WorkKind.OutboundPush;
            items = items.Where(w => w.Kind == kind);
        }

        var list = await items.OrderByDescending(w => w.Id).Take(Math.Clamp(query.Take, 1, MaxTake)).ToListAsync(cancellationToken);
        return list.Select(ToRecord).ToList();
    }

    /// <summary>One delivery or push with the payload Shopify sent (UTF-8 text), for inspection.</summary>
    public async Task<SyncDeliveryDetail?> GetDeliveryAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await _database.OpenAsync(cancellationToken);
        var item = await db.WorkItems.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id, cancellationToken);
        if (item is null)
        {
            return null;
        }

        var body = await db.WorkItemBodies.AsNoTracking().Where(b => b.Id == id).Select(b => b.Body).FirstOrDefaultAsync(cancellationToken);
        return new SyncDeliveryDetail(ToRecord(item), item.EventId, UnixTime.To(item.TriggeredAt), item.ApiVersion, body is null ? null : Encoding.UTF8.GetString(body));
    }

    /// <summary>Queues a finished or dead-lettered item again with fresh attempts; null when it does not exist or is being processed.</summary>
    public async Task<SyncDeliveryRecord?> ReplayAsync(long id, CancellationToken cancellationToken)
    {
        if (!await _queue.ReplayAsync(id, cancellationToken))
        {
            return null;
        }

        await using var db = await _database.OpenAsync(cancellationToken);
        var item = await db.WorkItems.AsNoTracking().FirstAsync(w => w.Id == id, cancellationToken);
        _signals.Wake(item.Kind);
        return ToRecord(item);
    }

    /// <summary>
    /// Queues a deliberate push of the user (<see cref="OutboundPush.Deliberate"/>: it creates the customer again after
    /// Shopify deleted it) to every store that can be called (or the named one); returns the stores queued.
    /// </summary>
    /// <exception cref="AdminNotFoundException"><c>unknown_user</c>.</exception>
    /// <exception cref="AdminConflictException">
    /// <c>excluded_role</c> (staff are never sent) or <c>unverified_email</c> (the user has not confirmed the email), from
    /// <see cref="CustomerMatching.WhyNotPushed"/>; <c>push_off</c> while sending users to Shopify is off.
    /// </exception>
    /// <exception cref="AdminRequestException"><c>unknown_store</c>: the named store is not there.</exception>
    public async Task<IReadOnlyList<string>> PushUserAsync(string userId, string? storeHandle, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var user = await _users.FindByIdAsync(userId, cancellationToken)
            ?? throw new AdminNotFoundException("unknown_user", $"User {userId} does not exist.");
        if (CustomerMatching.WhyNotPushed(user, _stores.Options) is { } refusal)
        {
            throw new AdminConflictException(refusal.Code, refusal.Message);
        }

        // As a bulk send: a push that would only be skipped is refused now, and a store that is not there is named.
        if (!_stores.Options.Enabled || !_stores.Options.UpdateUsersInShopify)
        {
            throw new AdminConflictException("push_off", "Sending users to Shopify is off (Shopify:Enabled and Shopify:UpdateUsersInShopify must both be on).");
        }

        if (!string.IsNullOrWhiteSpace(storeHandle))
        {
            _ = _stores.Resolve(storeHandle);
        }

        var targets = _stores.Stores
            .Where(s => s.CanCallAdminApi && (storeHandle is null || string.Equals(s.Handle, storeHandle, StringComparison.OrdinalIgnoreCase)))
            .ToList();
        foreach (var target in targets)
        {
            await _outbound.EnqueueAsync(new OutboundPush(userId, target.Handle, _time.GetUtcNow(), Deliberate: true), cancellationToken);
        }

        return targets.Select(t => t.Handle).ToList();
    }

    /// <summary>Topics seen in the log and the queue, for filters.</summary>
    public async Task<IReadOnlyList<string>> GetTopicsAsync(CancellationToken cancellationToken)
    {
        await using var db = await _database.OpenAsync(cancellationToken);
        var logged = await db.SyncLog.AsNoTracking().Select(r => r.Topic).Distinct().ToListAsync(cancellationToken);
        var queued = await db.WorkItems.AsNoTracking().Select(w => w.Topic).Distinct().ToListAsync(cancellationToken);
        return logged.Concat(queued).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static WorkStatus ToStored(SyncDeliveryStatus status) => status switch
    {
        SyncDeliveryStatus.Pending => WorkStatus.Pending,
        SyncDeliveryStatus.Processing => WorkStatus.Processing,
        SyncDeliveryStatus.Succeeded => WorkStatus.Succeeded,
        _ => WorkStatus.DeadLetter,
    };

    private static SyncDeliveryStatus FromStored(WorkStatus status) => status switch
    {
        WorkStatus.Pending => SyncDeliveryStatus.Pending,
        WorkStatus.Processing => SyncDeliveryStatus.Processing,
        WorkStatus.Succeeded => SyncDeliveryStatus.Succeeded,
        _ => SyncDeliveryStatus.DeadLetter,
    };

    internal static SyncDeliveryRecord ToRecord(WorkItem item) => new(
        item.Id,
        item.Kind == WorkKind.InboundDelivery ? SyncDirection.Inbound : SyncDirection.Outbound,
        FromStored(item.Status),
        item.StoreHandle,
        item.Topic,
        item.DedupKey,
        item.CustomerId,
        item.UserId,
        item.Attempts,
        item.Outcome,
        item.LastError,
        UnixTime.To(item.ReceivedAt),
        UnixTime.To(item.ProcessedAt),
        item.Status == WorkStatus.Pending ? UnixTime.To(item.NextAttemptAt) : null);
}

public sealed record SyncLogQuery(string? Store = null, string? Topic = null, string? Outcome = null, SyncDirection? Direction = null, string? UserId = null, DateTimeOffset? Since = null, int Take = 100);

public sealed record SyncLogRecord(
    long Id,
    DateTimeOffset At,
    SyncDirection Direction,
    string Store,
    string Topic,
    long? CustomerId,
    string? UserId,
    string Outcome,
    string? Detail,
    string? WebhookId,
    int? Attempt);

public enum SyncDeliveryStatus
{
    Pending,
    Processing,
    Succeeded,
    DeadLetter,
}

public sealed record SyncDeliveryQuery(string? Store = null, string? Topic = null, SyncDeliveryStatus? Status = null, SyncDirection? Direction = null, int Take = 100);

/// <summary>A delivery or push; in the admin JSON <see cref="Direction"/> is <c>kind</c> and <see cref="CustomerId"/> is <c>shopifyId</c>.</summary>
/// <param name="WebhookId">X-Shopify-Webhook-Id for deliveries; null for pushes.</param>
public sealed record SyncDeliveryRecord(
    long Id,
    [property: JsonPropertyName("kind")] SyncDirection Direction,
    SyncDeliveryStatus Status,
    string Store,
    string Topic,
    string? WebhookId,
    [property: JsonPropertyName("shopifyId")] long? CustomerId,
    string? UserId,
    int Attempts,
    string? Outcome,
    string? LastError,
    DateTimeOffset ReceivedAt,
    DateTimeOffset? ProcessedAt,
    DateTimeOffset? NextAttemptAt);

/// <param name="Payload">The delivery's body as Shopify sent it; null for pushes and for erased (redacted) deliveries.</param>
public sealed record SyncDeliveryDetail(SyncDeliveryRecord Delivery, string? EventId, DateTimeOffset? TriggeredAt, string? ApiVersion, string? Payload);
