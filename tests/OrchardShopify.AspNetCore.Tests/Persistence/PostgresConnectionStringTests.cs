using Npgsql;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Tests.Persistence;

/// <summary>The connection string the sync opens PostgreSQL with: statements prepared unless the configured string says otherwise.</summary>
public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void A_connection_string_that_does_not_mention_preparation_gets_statements_prepared_and_keeps_everything_else()
    {
        var built = new NpgsqlConnectionStringBuilder(SyncDatabase.PostgresConnectionString("Host=db;Port=5433;Database=shop;Username=app;Password=secret;Search Path=tenant"));

        Assert.Equal(SyncDatabase.PostgresAutoPrepared, built.MaxAutoPrepare);
        Assert.Equal(2, built.AutoPrepareMinUsages);
        Assert.Equal(("db", 5433, "shop", "app", "secret", "tenant"), (built.Host, built.Port, built.Database, built.Username, built.Password, built.SearchPath));
    }

    [Theory]
    [InlineData("Host=db;Database=shop;Max Auto Prepare=0")]
    [InlineData("Host=db;Database=shop;MaxAutoPrepare=5")]
    [InlineData("Host=db;Database=shop;auto prepare min usages=10")]
    public void A_connection_string_that_sets_preparation_is_used_as_given(string configured)
    {
        Assert.Equal(configured, SyncDatabase.PostgresConnectionString(configured));
    }
}
