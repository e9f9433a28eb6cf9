using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OrchardShopify.Bench.Ingest;

/// <summary>
/// Where a benchmark's site keeps its data: SQLite files in a temporary folder, or a scratch PostgreSQL database
/// (created for the run, dropped after). Counts are read outside the site, on connections of its own.
/// </summary>
internal sealed class BenchStorage : IAsyncDisposable
{
    private readonly string? _adminConnectionString;
    private readonly string? _databaseName;
    private readonly Dictionary<bool, DbConnection> _connections = [];

    private BenchStorage(string folder, string? postgres, string? adminConnectionString, string? databaseName)
    {
        Folder = folder;
        Postgres = postgres;
        _adminConnectionString = adminConnectionString;
        _databaseName = databaseName;
    }

    public string Folder { get; }

    /// <summary>The scratch database's connection string; null on SQLite.</summary>
    public string? Postgres { get; }

    public string Kind => Postgres is null ? "SQLite" : "PostgreSQL";

    public static BenchStorage Sqlite(string name) => new(Report.TempFolder(name), null, null, null);

    /// <param name="adminConnectionString">A server login allowed to create databases (ORCHARDSHOPIFY_TEST_POSTGRES).</param>
    public static async Task<BenchStorage> PostgresAsync(string name, string adminConnectionString)
    {
        var database = $"orchardshopify_bench_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(adminConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database }.ConnectionString;
        return new BenchStorage(Report.TempFolder(name), connectionString, adminConnectionString, database);
    }

    /// <summary>A PostgreSQL database another process created (and drops): used, never dropped.</summary>
    public static BenchStorage Attach(string name, string postgres) => new(Report.TempFolder(name), postgres, null, null);

    /// <summary>One number from the sync database, or from the Identity database when <paramref name="identity"/>.</summary>
    public async Task<long> ScalarAsync(string sql, bool identity = false, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectionAsync(identity, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    /// <summary>Pairs of numbers from the sync database (for example when each delivery was received and applied).</summary>
    public async Task<List<(long A, long B)>> PairsAsync(string sql, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectionAsync(false, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var pairs = new List<(long, long)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            pairs.Add((Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture)));
        }

        return pairs;
    }

    /// <summary>
    /// Inbound deliveries stored and not yet applied: pending or claimed work items, and on SQLite the deliveries still
    /// in the inbox file waiting to be moved into the work queue.
    /// </summary>
    public async Task<long> BacklogAsync(CancellationToken cancellationToken = default)
    {
        var backlog = await ScalarAsync("SELECT COUNT(*) FROM shopify_work_items WHERE kind = 1 AND status IN (0, 1)", cancellationToken: cancellationToken);
        var inbox = Server.InboxDb(Folder);
        if (Postgres is null && File.Exists(inbox))
        {
            await using var connection = new SqliteConnection($"Data Source={inbox};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'shopify_inbox'";
            if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture) > 0)
            {
                command.CommandText = "SELECT COUNT(*) FROM shopify_inbox";
                backlog += Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
            }
        }

        return backlog;
    }

    public async Task<List<(string Key, long Count)>> GroupsAsync(string sql, CancellationToken cancellationToken = default)
    {
        var connection = await ConnectionAsync(false, cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var groups = new List<(string, long)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add((reader.IsDBNull(0) ? "(null)" : Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!, Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture)));
        }

        return groups;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections.Values)
        {
            await connection.DisposeAsync();
        }

        if (_adminConnectionString is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_databaseName} WITH (FORCE)", connection);
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await drop.ExecuteNonQueryAsync();
                    break;
                }
                catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 120)
                {
                    // An autovacuum worker (the server's own session, which this login may not end) is on the new
                    // database after the run's inserts: it finishes shortly.
                    await Task.Delay(500);
                }
            }
        }

        Report.Delete(Folder);
    }

    // One connection per database for the whole run: opening one per count would cost the site's processors more than the count.
    private async Task<DbConnection> ConnectionAsync(bool identity, CancellationToken cancellationToken)
    {
        if (!_connections.TryGetValue(identity, out var connection))
        {
            connection = Postgres is { } postgres
                ? new NpgsqlConnection(postgres)
                : new SqliteConnection($"Data Source={(identity ? Server.IdentityDb(Folder) : Server.SyncDb(Folder))};Pooling=False");
            await connection.OpenAsync(cancellationToken);
            _connections[identity] = connection;
        }

        return connection;
    }
}
