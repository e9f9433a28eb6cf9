using System.Data.Common;

namespace OrchardShopify.Testing.Hosting.Sites;

public sealed record WorkItemRow(long Id, int Kind, string? WebhookId, string Topic, int Status, int Attempts, string? Outcome, string? LastError, long? CustomerId, string? UserId)
{
    public const int Inbound = 1;
    public const int Outbound = 2;
    public const int Pending = 0;
    public const int Processing = 1;
    public const int Succeeded = 2;
    public const int DeadLetter = 3;
}

public sealed record LinkRow(string Store, long CustomerId, string UserId);

public sealed record SyncLogRow(string Direction, string? WebhookId, long? CustomerId, string? UserId, string Outcome, string? Detail);

public sealed record UserRow(string Id, string? Email, string? Phone, IReadOnlyDictionary<string, string> Claims)
{
    public string? Claim(string type) => Claims.GetValueOrDefault(type);
}

/// <summary>What a site holds, read straight from its databases with plain SQL (the schema documented in docs/aspnetcore.md and Identity's tables).</summary>
/// <param name="inbox">The node's inbox file (on SQLite beside the sync database), where deliveries wait until they are moved into the work queue.</param>
public sealed class SiteState(Func<DbConnection> identity, Func<DbConnection> sync, Func<DbConnection>? inbox = null)
{
    public async Task<IReadOnlyList<WorkItemRow>> WorkItemsAsync() => await QueryAsync(
        sync,
        "SELECT id, kind, dedup_key, topic, status, attempts, outcome, last_error, customer_id, user_id FROM shopify_work_items",
        r => new WorkItemRow(r.GetInt64(0), r.GetInt32(1), Text(r, 2), r.GetString(3), r.GetInt32(4), r.GetInt32(5), Text(r, 6), Text(r, 7), Number(r, 8), Text(r, 9)));

    public async Task<IReadOnlyList<LinkRow>> LinksAsync() => await QueryAsync(
        sync,
        "SELECT store, customer_id, user_id FROM shopify_customer_links",
        r => new LinkRow(r.GetString(0), r.GetInt64(1), r.GetString(2)));

    public async Task<IReadOnlyList<SyncLogRow>> SyncLogAsync() => await QueryAsync(
        sync,
        "SELECT direction, webhook_id, customer_id, user_id, outcome, detail FROM shopify_sync_log",
        r => new SyncLogRow(r.GetString(0), Text(r, 1), Number(r, 2), Text(r, 3), r.GetString(4), Text(r, 5)));

    public async Task<IReadOnlyList<UserRow>> UsersAsync()
    {
        var claims = (await QueryAsync(identity, "SELECT \"UserId\", \"ClaimType\", \"ClaimValue\" FROM \"AspNetUserClaims\"", r => (User: r.GetString(0), Type: Text(r, 1) ?? "", Value: Text(r, 2) ?? "")))
            .GroupBy(c => c.User)
            .ToDictionary(g => g.Key, g => g.GroupBy(c => c.Type).ToDictionary(t => t.Key, t => string.Join(",", t.Select(c => c.Value))));
        return await QueryAsync(
            identity,
            "SELECT \"Id\", \"Email\", \"PhoneNumber\" FROM \"AspNetUsers\"",
            r => new UserRow(r.GetString(0), Text(r, 1), Text(r, 2), claims.GetValueOrDefault(r.GetString(0)) ?? new Dictionary<string, string>()));
    }

    /// <summary>
    /// Inbound deliveries not applied yet: work items pending or being processed, and deliveries still in the node's
    /// inbox file (read first, so one moved meanwhile is counted in the queue).
    /// </summary>
    public async Task<int> UnfinishedInboundAsync()
    {
        var waiting = inbox is null
            ? 0
            : (await QueryAsync(inbox, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'shopify_inbox'", r => r.GetInt64(0)))[0] == 0
                ? 0
                : (await QueryAsync(inbox, "SELECT COUNT(*) FROM shopify_inbox", r => r.GetInt64(0)))[0];
        return (int)waiting + (await WorkItemsAsync()).Count(w => w.Kind == WorkItemRow.Inbound && w.Status is WorkItemRow.Pending or WorkItemRow.Processing);
    }

    private static string? Text(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static long? Number(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    private static async Task<List<T>> QueryAsync<T>(Func<DbConnection> open, string sql, Func<DbDataReader, T> read)
    {
        await using var connection = open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }
}
