using Xunit;

namespace OrchardShopify.Testing.Hosting.Postgres;

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
