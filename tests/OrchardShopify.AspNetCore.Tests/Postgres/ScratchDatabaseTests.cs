using Npgsql;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Postgres;

/// <summary>
/// The PostgreSQL tests' scratch databases: one test's database going away leaves the others' pooled connections
/// alone, so a test that reads what its own connection did (prepared statements, session settings) is not disturbed by
/// a test finishing beside it.
/// </summary>
public sealed class ScratchDatabaseTests
{
    [PostgresFact]
    public async Task Dropping_one_scratch_database_keeps_the_idle_pooled_connection_of_another()
    {
        await using var kept = await ScratchPostgresDatabase.CreateAsync();
        var pooled = new NpgsqlConnectionStringBuilder(kept.ConnectionString) { MaxPoolSize = 1 }.ConnectionString;
        var before = await BackendAsync(pooled);

        await (await ScratchPostgresDatabase.CreateAsync()).DisposeAsync();

        Assert.Equal(before, await BackendAsync(pooled));
    }

    /// <summary>The server process of the connection the pool gives, returned to the pool idle afterwards.</summary>
    private static async Task<int> BackendAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
