using Microsoft.EntityFrameworkCore;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>Which SQL dialect the claim and append statements use.</summary>
internal sealed class SyncDatabase(IDbContextFactory<ShopifySyncDbContext> contexts, bool isPostgres)
{
    public bool IsPostgres { get; } = isPostgres;

    public Task<ShopifySyncDbContext> OpenAsync(CancellationToken cancellationToken) => contexts.CreateDbContextAsync(cancellationToken);

    /// <summary>True when the exception is a unique-index violation (a link or a webhook id that already exists).</summary>
    public static bool IsUniqueViolation(DbUpdateException exception)
    {
        var inner = exception.InnerException;
        return inner switch
        {
            Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteErrorCode == 19,
            Npgsql.PostgresException postgres => postgres.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
            _ => false,
        };
    }
}
