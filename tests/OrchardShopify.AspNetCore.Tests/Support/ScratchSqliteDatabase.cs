using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Tests.Support;

/// <summary>A SQLite database file in a folder of its own, removed on dispose (the SQLite side of ScratchPostgresDatabase).</summary>
internal sealed class ScratchSqliteDatabase : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchardshopify-sqlite-").FullName;

    public string File => Path.Combine(_folder, "sync.db");

    /// <summary>Sync database options over the file, without connection pooling (so the file can be deleted at once).</summary>
    public DbContextOptions<ShopifySyncDbContext> SyncOptions => new DbContextOptionsBuilder<ShopifySyncDbContext>().UseSqlite($"Data Source={File};Pooling=False").Options;

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}
