using Microsoft.Extensions.Options;
using Npgsql;
using OrchardCore.Environment.Shell;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.OrchardCore.Hosting;

/// <summary>
/// Where a tenant keeps the sync's inbox, push queue, links and log: by default a SQLite file in the tenant's
/// App_Data folder; on PostgreSQL, the configured database with a schema per tenant (<c>shopify_{tenant}</c>)
/// unless the connection string names a <c>Search Path</c> itself.
/// </summary>
internal sealed class TenantSyncStorage : IPostConfigureOptions<ShopifyHostOptions>
{
    public const string DatabaseFileName = "shopify-sync.db";

    private readonly ShellOptions _shellOptions;
    private readonly ShellSettings _shellSettings;

    public TenantSyncStorage(IOptions<ShellOptions> shellOptions, ShellSettings shellSettings)
    {
        _shellOptions = shellOptions.Value;
        _shellSettings = shellSettings;
    }

    public string SchemaName => "shopify_" + new string(_shellSettings.Name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    public void PostConfigure(string? name, ShopifyHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var storage = options.Storage;
        if (storage.Provider == ShopifyStorageProvider.Sqlite && string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            var folder = Path.Combine(_shellOptions.ShellsApplicationDataPath, _shellOptions.ShellsContainerName, _shellSettings.Name);
            storage.ConnectionString = $"Data Source={Path.Combine(folder, DatabaseFileName)}";
        }
        else if (storage.Provider == ShopifyStorageProvider.PostgreSql && !string.IsNullOrWhiteSpace(storage.ConnectionString))
        {
            var builder = new NpgsqlConnectionStringBuilder(storage.ConnectionString);
            if (string.IsNullOrWhiteSpace(builder.SearchPath))
            {
                builder.SearchPath = SchemaName;
                storage.ConnectionString = builder.ConnectionString;
            }
        }
    }

    /// <summary>Creates the tenant's PostgreSQL schema when missing, so the sync's migrations can create their tables in it.</summary>
    public static async Task EnsureSchemaAsync(ShopifyHostOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Storage.Provider != ShopifyStorageProvider.PostgreSql || !options.Storage.MigrateOnStartup)
        {
            return;
        }

        var builder = new NpgsqlConnectionStringBuilder(options.Storage.ConnectionString);
        var schema = builder.SearchPath?.Split(',')[0].Trim();
        if (string.IsNullOrEmpty(schema) || schema is "public" or "\"$user\"")
        {
            return;
        }

        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"CREATE SCHEMA IF NOT EXISTS \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
