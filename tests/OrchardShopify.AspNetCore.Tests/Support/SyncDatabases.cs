using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Tests.Support;

/// <summary>The sync database's services over a scratch database, without a host.</summary>
internal static class SyncDatabases
{
    public static SyncDatabase Over(DbContextOptions<ShopifySyncDbContext> options, bool isPostgres) => new(new Contexts(options), isPostgres);

    /// <summary>Runs a statement on a SQLite file directly, on a connection of its own (not pooled).</summary>
    public static async Task ExecuteSqliteAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Reads one number from a SQLite file directly, on a connection of its own (not pooled).</summary>
    public static async Task<long> SqliteScalarAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Inbound deliveries stored for a SQLite sync database file, wherever they are: still in the inbox file beside it,
    /// or already moved into the work queue (counted once when in both), whose webhook id is LIKE <paramref name="pattern"/>
    /// and whose body is <paramref name="bodyLength"/> bytes long when that is given. The inbox file is read before the
    /// queue, so a delivery moved meanwhile is seen in one or the other.
    /// </summary>
    public static async Task<long> StoredDeliveriesAsync(string syncFile, string pattern, int? bodyLength = null)
    {
        var inbox = OrchardShopify.AspNetCore.Persistence.SqliteInboxFile.PathFor(syncFile);
        await using var connection = new SqliteConnection($"Data Source={inbox};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS shopify_inbox (seq INTEGER PRIMARY KEY, webhook_id TEXT NOT NULL UNIQUE, store TEXT NOT NULL, topic TEXT NOT NULL, event_id TEXT, triggered_at INTEGER, api_version TEXT, body BLOB NOT NULL, received_at INTEGER NOT NULL)";
        await command.ExecuteNonQueryAsync();
        command.CommandText = "ATTACH DATABASE @file AS sync";
        command.Parameters.AddWithValue("@file", syncFile);
        await command.ExecuteNonQueryAsync();
        command.Parameters.Clear();
        command.CommandText = """
            SELECT COUNT(*) FROM (
              SELECT webhook_id AS id, length(body) AS size FROM shopify_inbox
              UNION SELECT w.dedup_key, length(b.body) FROM sync.shopify_work_items AS w LEFT JOIN sync.shopify_work_item_bodies AS b ON b.id = w.id WHERE w.kind = 1)
            WHERE id LIKE @pattern AND (@size IS NULL OR size = @size)
            """;
        command.Parameters.AddWithValue("@pattern", pattern);
        command.Parameters.AddWithValue("@size", (object?)bodyLength ?? DBNull.Value);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// EXPLAIN QUERY PLAN of a query in the form <c>ToQueryString</c> gives on SQLite: <c>.param set @name value</c>
    /// lines, then the statement.
    /// </summary>
    public static async Task<string> SqlitePlanAsync(DbContext db, string queryString)
    {
        var lines = queryString.Split('\n', StringSplitOptions.TrimEntries);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + string.Join('\n', lines.Where(l => !l.StartsWith(".param set ", StringComparison.Ordinal)));
        foreach (var line in lines.Where(l => l.StartsWith(".param set ", StringComparison.Ordinal)))
        {
            var parts = line[".param set ".Length..].Split(' ', 2);
            var parameter = command.CreateParameter();
            parameter.ParameterName = parts[0];
            parameter.Value = parts[1].StartsWith('\'') ? parts[1].Trim('\'') : long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            command.Parameters.Add(parameter);
        }

        Assert.NotEmpty(command.Parameters);
        var plan = new List<string>();
        await using DbDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }

        return string.Join('\n', plan);
    }

    private sealed class Contexts(DbContextOptions<ShopifySyncDbContext> options) : IDbContextFactory<ShopifySyncDbContext>
    {
        public ShopifySyncDbContext CreateDbContext() => new(options);
    }
}
