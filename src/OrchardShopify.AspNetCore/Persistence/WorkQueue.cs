using System.Data;
using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>
/// Claim-with-lease over <see cref="WorkItem"/>s. A claim takes due items (pending and due, or processing
/// with an expired lease) in one statement: <c>FOR UPDATE SKIP LOCKED</c> on PostgreSQL so nodes never
/// take the same item, a single <c>UPDATE … RETURNING</c> on SQLite (one writer at a time). On both the two kinds
/// of due item are looked up apart, so each is a range of the (kind, status, next_attempt_at) index read only as far
/// as the claim needs, rather than every due row of the kind read and sorted (on PostgreSQL that made each claim of a
/// long backlog cost as much as the whole backlog). Finishing an
/// item requires still holding its lease, so a node whose lease expired cannot overwrite the new owner.
/// A claim of inbound deliveries first moves what this node's inbox file holds into the queue
/// (<see cref="WebhookInbox.MoveAsync"/>), so every delivery this node acknowledged before the claim can be claimed by it.
/// </summary>
internal sealed class WorkQueue(SyncDatabase database, WebhookInbox inbox, IOptionsMonitor<ShopifyHostOptions> options, TimeProvider time)
{
    private const string Table = ShopifySyncDbContext.WorkItemsTable;

    private static readonly string CompleteStatement = $"""
        UPDATE {Table} SET status = {(int)WorkStatus.Succeeded}, outcome = @outcome, customer_id = COALESCE(@customer_id, customer_id),
          user_id = COALESCE(@user_id, user_id), processed_at = @now, lease_owner = NULL, lease_expires_at = NULL, last_error = NULL
        WHERE id = @id AND lease_owner = @owner AND status = {(int)WorkStatus.Processing}
        """;

    /// <summary>
    /// PostgreSQL: <see cref="CompleteStatement"/> for many items at once, their values given as arrays of one length
    /// (an item named twice is updated once).
    /// </summary>
    private static readonly string CompleteManyStatement = $"""
        UPDATE {Table} AS w SET status = {(int)WorkStatus.Succeeded}, outcome = d.outcome, customer_id = COALESCE(d.customer_id, w.customer_id),
          user_id = COALESCE(d.user_id, w.user_id), processed_at = @now, lease_owner = NULL, lease_expires_at = NULL, last_error = NULL
        FROM unnest(@ids::bigint[], @outcomes::text[], @customer_ids::bigint[], @user_ids::text[]) AS d(id, outcome, customer_id, user_id)
        WHERE w.id = d.id AND w.lease_owner = @owner AND w.status = {(int)WorkStatus.Processing}
        RETURNING w.id
        """;

    /// <param name="moveInbox">First move what this node's inbox file holds (inbound claims), so the claim sees it.</param>
    public async Task<IReadOnlyList<WorkItem>> ClaimAsync(WorkKind kind, string owner, int max, CancellationToken cancellationToken, bool moveInbox = true)
    {
        if (kind == WorkKind.InboundDelivery && moveInbox)
        {
            await MoveInboxAsync(cancellationToken);
        }

        var now = UnixTime.From(time.GetUtcNow());
        var leaseUntil = now + (long)options.CurrentValue.Queue.LeaseDuration.TotalMilliseconds;
        var sql = ClaimStatement(database.IsPostgres);

        await using var db = await database.OpenAsync(cancellationToken);
        var claimed = await db.WorkItems.FromSqlRaw(sql, (int)kind, now, owner, leaseUntil, max).AsNoTracking().ToListAsync(cancellationToken);
        if (kind == WorkKind.InboundDelivery && claimed.Count > 0)
        {
            await ReadBodiesAsync(db, claimed, cancellationToken);
        }

        return claimed;
    }

    /// <summary>
    /// Fills in the claimed deliveries' payloads from their own table (read after the claim: one erased meanwhile is
    /// left without, as an erased one is).
    /// </summary>
    private static async Task ReadBodiesAsync(ShopifySyncDbContext db, List<WorkItem> claimed, CancellationToken cancellationToken)
    {
        var ids = claimed.Select(w => w.Id).ToArray();
        var bodies = await db.WorkItemBodies.AsNoTracking().Where(b => ids.Contains(b.Id)).ToDictionaryAsync(b => b.Id, b => b.Body, cancellationToken);
        foreach (var item in claimed)
        {
            item.Body = bodies.GetValueOrDefault(item.Id);
        }
    }

    /// <summary>Moves everything this node's inbox file holds into the queue.</summary>
    public async Task MoveInboxAsync(CancellationToken cancellationToken)
    {
        while (await inbox.MoveAsync(cancellationToken) == WebhookInbox.MoveBatch)
        {
        }
    }

    /// <summary>
    /// The claim: {0} kind, {1} now, {2} owner, {3} lease end, {4} most items. Due items are taken in the due index's
    /// order (next attempt, id), so the database reads that index up to the batch size.
    /// </summary>
    internal static string ClaimStatement(bool postgres)
        => postgres
            ? $$"""
              WITH pending AS (
                SELECT id, next_attempt_at FROM {{Table}} WHERE kind = {0} AND status = {{(int)WorkStatus.Pending}} AND next_attempt_at <= {1}
                ORDER BY next_attempt_at, id LIMIT {4} FOR UPDATE SKIP LOCKED),
              expired AS (
                SELECT id, next_attempt_at FROM {{Table}} WHERE kind = {0} AND status = {{(int)WorkStatus.Processing}} AND lease_expires_at <= {1}
                ORDER BY next_attempt_at, id LIMIT {4} FOR UPDATE SKIP LOCKED),
              c AS (
                SELECT id FROM (SELECT id, next_attempt_at FROM pending UNION ALL SELECT id, next_attempt_at FROM expired) AS d
                ORDER BY next_attempt_at, id LIMIT {4})
              UPDATE {{Table}} AS w SET status = {{(int)WorkStatus.Processing}}, lease_owner = {2}, lease_expires_at = {3}, attempts = w.attempts + 1
              FROM c
              WHERE w.id = c.id
              RETURNING w.*
              """
            : $$"""
              UPDATE {{Table}} SET status = {{(int)WorkStatus.Processing}}, lease_owner = {2}, lease_expires_at = {3}, attempts = attempts + 1
              WHERE id IN (
                SELECT id FROM (
                  SELECT id, next_attempt_at FROM (
                    SELECT id, next_attempt_at FROM {{Table}} WHERE kind = {0} AND status = {{(int)WorkStatus.Pending}} AND next_attempt_at <= {1}
                    ORDER BY next_attempt_at, id LIMIT {4})
                  UNION ALL
                  SELECT id, next_attempt_at FROM (
                    SELECT id, next_attempt_at FROM {{Table}} WHERE kind = {0} AND status = {{(int)WorkStatus.Processing}} AND lease_expires_at <= {1}
                    ORDER BY next_attempt_at, id LIMIT {4}))
                ORDER BY next_attempt_at, id LIMIT {4})
              RETURNING *
              """;

    /// <returns>False when the lease was lost (another node now owns the item).</returns>
    public async Task<bool> CompleteAsync(WorkItem item, string owner, string outcome, long? customerId, string? userId, CancellationToken cancellationToken)
        => (await CompleteManyAsync([(item, outcome, customerId, userId)], owner, cancellationToken))[0];

    /// <summary>
    /// Marks items succeeded with their outcome (in the running batch, if any): on PostgreSQL one statement for all of
    /// them; elsewhere one prepared statement run for each.
    /// An item whose lease this owner no longer holds is left alone.
    /// </summary>
    /// <returns>Per item, false when its lease was lost.</returns>
    public async Task<bool[]> CompleteManyAsync(IReadOnlyList<(WorkItem Item, string Outcome, long? CustomerId, string? UserId)> done, string owner, CancellationToken cancellationToken)
    {
        var kept = new bool[done.Count];
        if (done.Count == 0)
        {
            return kept;
        }

        var now = UnixTime.From(time.GetUtcNow());
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
        var connection = unit.Db.Database.GetDbConnection();
        await unit.Db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            if (database.IsPostgres)
            {
                // One statement for all of them, the same text whatever their number (so it stays prepared): the
                // items' values as arrays, the rows whose lease this owner still holds read back.
                await using var all = connection.CreateCommand();
                all.Transaction = unit.Db.Database.CurrentTransaction?.GetDbTransaction();
                all.CommandText = CompleteManyStatement;
                ArrayParameter(all, "@ids", done.Select(d => d.Item.Id).ToArray());
                ArrayParameter(all, "@outcomes", done.Select(d => d.Outcome).ToArray());
                ArrayParameter(all, "@customer_ids", done.Select(d => d.CustomerId).ToArray());
                ArrayParameter(all, "@user_ids", done.Select(d => d.UserId).ToArray());
                Parameter(all, "@owner", DbType.String, owner);
                Parameter(all, "@now", DbType.Int64, now);
                var updated = new HashSet<long>();
                await using (var reader = await all.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        updated.Add(reader.GetInt64(0));
                    }
                }

                for (var i = 0; i < done.Count; i++)
                {
                    kept[i] = updated.Contains(done[i].Item.Id);
                }

                return kept;
            }

            await using var command = connection.CreateCommand();
            command.Transaction = unit.Db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = CompleteStatement;
            var id = Parameter(command, "@id", DbType.Int64, null);
            var outcome = Parameter(command, "@outcome", DbType.String, null);
            var customerId = Parameter(command, "@customer_id", DbType.Int64, null);
            var userId = Parameter(command, "@user_id", DbType.String, null);
            Parameter(command, "@owner", DbType.String, owner);
            Parameter(command, "@now", DbType.Int64, now);
            for (var i = 0; i < done.Count; i++)
            {
                id.Value = done[i].Item.Id;
                outcome.Value = done[i].Outcome;
                customerId.Value = (object?)done[i].CustomerId ?? DBNull.Value;
                userId.Value = (object?)done[i].UserId ?? DBNull.Value;
                kept[i] = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
            }
        }
        finally
        {
            await unit.Db.Database.CloseConnectionAsync();
        }

        return kept;
    }

    private static DbParameter Parameter(DbCommand command, string name, DbType type, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>An array the provider maps by its element type (PostgreSQL: bigint[] and text[], nulls kept).</summary>
    private static void ArrayParameter(DbCommand command, string name, Array value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>Schedules a retry with jittered exponential backoff, or dead-letters the item when it is permanent or out of attempts.</summary>
    /// <param name="customerId">The customer the item is about, when known: recorded unless one already is, so a customer's erasure finds the body.</param>
    /// <returns>The status the item is left in, or null when the lease was lost.</returns>
    public async Task<WorkStatus?> FailAsync(WorkItem item, string owner, string error, bool permanent, CancellationToken cancellationToken, long? customerId = null)
    {
        var queue = options.CurrentValue.Queue;
        var now = time.GetUtcNow();
        var deadLetter = permanent || item.Attempts >= queue.MaxAttempts;
        var next = deadLetter ? UnixTime.From(now) : UnixTime.From(now + RetryDelay(item.Attempts, queue));
        var status = deadLetter ? WorkStatus.DeadLetter : WorkStatus.Pending;
        error = error.Length > 2000 ? error[..2000] : error;

        await using var unit = await database.JoinToWriteAsync(cancellationToken);

        var db = unit.Db;
        var updated = await db.WorkItems
            .Where(w => w.Id == item.Id && w.LeaseOwner == owner && w.Status == WorkStatus.Processing)
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(w => w.Status, status)
                    .SetProperty(w => w.NextAttemptAt, next)
                    .SetProperty(w => w.LastError, error)
                    .SetProperty(w => w.CustomerId, w => w.CustomerId ?? customerId)
                    .SetProperty(w => w.LeaseOwner, (string?)null)
                    .SetProperty(w => w.LeaseExpiresAt, (long?)null),
                cancellationToken);
        return updated == 1 ? status : null;
    }

    /// <summary>Gives an item back untouched (shutdown in the middle of it): the attempt does not count.</summary>
    public async Task ReleaseAsync(WorkItem item, string owner, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
        var db = unit.Db;
        await db.WorkItems
            .Where(w => w.Id == item.Id && w.LeaseOwner == owner && w.Status == WorkStatus.Processing)
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(w => w.Status, WorkStatus.Pending)
                    .SetProperty(w => w.Attempts, w => w.Attempts - 1)
                    .SetProperty(w => w.LeaseOwner, (string?)null)
                    .SetProperty(w => w.LeaseExpiresAt, (long?)null),
                cancellationToken);
    }

    /// <summary>Puts a dead-lettered (or finished) item back in the queue with fresh attempts.</summary>
    public async Task<bool> ReplayAsync(long id, CancellationToken cancellationToken)
    {
        var now = UnixTime.From(time.GetUtcNow());
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
        var db = unit.Db;
        var updated = await db.WorkItems
            .Where(w => w.Id == id && w.Status != WorkStatus.Processing)
            .ExecuteUpdateAsync(
                set => set
                    .SetProperty(w => w.Status, WorkStatus.Pending)
                    .SetProperty(w => w.Attempts, 0)
                    .SetProperty(w => w.NextAttemptAt, now)
                    .SetProperty(w => w.ProcessedAt, (long?)null)
                    // An administrator's deliberate send (it creates a customer Shopify deleted) is replayed as an
                    // ordinary push: a customer deleted since is not brought back by an old decision. Sending again is
                    // the administrator's Send.
                    .SetProperty(w => w.Topic, w => w.Topic == DurableOutboundQueue.SendTopic ? DurableOutboundQueue.PushTopic : w.Topic),
                cancellationToken);
        return updated == 1;
    }

    internal static TimeSpan RetryDelay(int attempts, ShopifyQueueOptions queue)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var ceiling = Math.Min(queue.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, exponent), queue.RetryMaxDelay.TotalMilliseconds);

        // Equal jitter: half the delay is fixed, half random, so retries of a burst spread out.
        var jitter = RandomNumberGenerator.GetInt32(0, 10_001) / 10_000d;
        return TimeSpan.FromMilliseconds((ceiling / 2) + (ceiling / 2 * jitter));
    }
}
