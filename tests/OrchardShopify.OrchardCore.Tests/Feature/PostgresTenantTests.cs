using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OrchardShopify.OrchardCore.Hosting;
using OrchardShopify.OrchardCore.Tests.Support;

namespace OrchardShopify.OrchardCore.Tests.Feature;

/// <summary>A fact that runs only when <c>ORCHARDSHOPIFY_TEST_POSTGRES</c> holds a connection string, and is reported as skipped otherwise.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "ORCHARDSHOPIFY_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"PostgreSQL tests need {Variable} set to a connection string (export {Variable}=\"$(bash scripts/postgres.sh)\").";
        }
    }
}

public sealed class PostgresTenantTests
{
    [PostgresFact]
    public async Task Two_tenants_on_one_database_each_get_their_own_schema_and_tables()
    {
        var connectionString = Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable)!;
        var tenants = new[] { "Shop" + Guid.NewGuid().ToString("N")[..8], "Blog" + Guid.NewGuid().ToString("N")[..8] };
        try
        {
            foreach (var tenant in tenants)
            {
                var configuration = TenantServices.UkStore();
                configuration["OrchardShopify:Storage:Provider"] = "PostgreSql";
                configuration["OrchardShopify:Storage:ConnectionString"] = connectionString;
                var (services, _) = TenantServices.Create(Path.GetTempPath(), configuration, tenant);
                await using var provider = services.BuildServiceProvider();
                var lifetime = provider.GetRequiredService<TenantSyncLifetime>();

                await lifetime.EnsureStartedAsync(CancellationToken.None);
                var running = lifetime.IsRunning;
                await lifetime.StopAsync(CancellationToken.None);

                Assert.True(running);
            }

            foreach (var tenant in tenants)
            {
                Assert.True(await TableExistsAsync(connectionString, "shopify_" + tenant.ToLowerInvariant(), "shopify_work_items"));
            }
        }
        finally
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            foreach (var tenant in tenants)
            {
                await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS shopify_{tenant.ToLowerInvariant()} CASCADE", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
    }

    private static async Task<bool> TableExistsAsync(string connectionString, string schema, string table)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = @schema AND table_name = @table", connection);
        command.Parameters.AddWithValue("schema", schema);
        command.Parameters.AddWithValue("table", table);
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }
}
