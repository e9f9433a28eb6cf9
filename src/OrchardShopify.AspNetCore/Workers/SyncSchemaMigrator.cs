using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>Applies the sync schema's migrations before the workers start (and, on SQLite, switches the file to WAL).</summary>
internal sealed class SyncSchemaMigrator(SyncDatabase database, IOptionsMonitor<ShopifyHostOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.CurrentValue.Storage.MigrateOnStartup)
        {
            return;
        }

        await using var db = await database.OpenAsync(cancellationToken);
        if (!database.IsPostgres)
        {
            var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            var folder = Path.GetDirectoryName(Path.GetFullPath(file));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }

            // WAL lets webhook appends proceed while a worker reads; the mode is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await db.Database.MigrateAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
