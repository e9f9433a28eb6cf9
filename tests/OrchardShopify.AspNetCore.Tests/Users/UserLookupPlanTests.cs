using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Users;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Users;

/// <summary>
/// The sync looks new customers' emails and phone numbers up among the users a batch at a time. On PostgreSQL its
/// statements are prepared, and after a few runs the server plans them once for any values: that plan must still read
/// the column's index, not every user who has no phone number. On SQLite the values are one JSON parameter: one
/// statement whatever the batch's length, still searching the column's index.
/// </summary>
public sealed partial class UserLookupPlanTests
{
    [PostgresFact]
    public async Task A_phone_look_up_planned_for_any_values_reads_the_phone_index_when_most_users_have_no_phone()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var options = new DbContextOptionsBuilder<UsersContext>().UseNpgsql(database.ConnectionString).Options;
        await using var db = new UsersContext(options);
        await db.Database.EnsureCreatedAsync();

        // 20,000 users, one in ten with a phone number (most shoppers give none), the table analyzed as a running site's is.
        await db.Database.ExecuteSqlRawAsync("""
            INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed", "PhoneNumber", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
            SELECT 'u-' || g, 'user' || g || '@example.com', 'USER' || g || '@EXAMPLE.COM', 'user' || g || '@example.com', 'USER' || g || '@EXAMPLE.COM', true,
                   CASE WHEN g % 10 = 0 THEN '+4477009' || lpad(g::text, 5, '0') END, false, false, true, 0
            FROM generate_series(1, 20000) AS g
            """);
        await db.Database.ExecuteSqlRawAsync("""ANALYZE "AspNetUsers" """);

        var phones = new List<string> { "+447700900010", "+447700912340", "+447700900011" };
        var property = IdentityStoreAccess<IdentityUser>.PhoneProperty!;

        // What the sync finds: the two numbers users have.
        Assert.Equal(["+447700900010", "+447700912340"], (await IdentityStoreAccess<IdentityUser>.ValuesInAsync(db.Users, property, phones, CancellationToken.None)).Order(StringComparer.Ordinal));

        // The same statement, prepared and planned for any values (as the server does after five runs).
        var sql = string.Join("\n", IdentityStoreAccess<IdentityUser>.ValuesIn(db.Users, property, phones).ToQueryString().Split('\n').Where(line => !line.StartsWith("--", StringComparison.Ordinal)));
        var parameters = ParameterName().Matches(sql).Select(m => m.Value).Distinct().ToList();
        var parameter = Assert.Single(parameters);
        await db.Database.OpenConnectionAsync();
        var plan = await ReadAsync(db, "SET plan_cache_mode = force_generic_plan", $"PREPARE look_up(text[]) AS {sql.Replace(parameter, "$1", StringComparison.Ordinal)}", "EXPLAIN (ANALYZE, COSTS OFF) EXECUTE look_up(ARRAY['+447700900010', '+447700912340', '+447700900011'])");

        Assert.Contains("Index Only Scan using \"IX_AspNetUsers_PhoneNumber\"", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
        Assert.Matches(@"Index Only Scan[^\n]*rows=2 loops=1", plan);
    }

    [Fact]
    public async Task On_SQLite_a_batch_of_emails_is_looked_up_by_one_statement_with_one_parameter_whatever_its_length()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var db = new UsersContext(new DbContextOptionsBuilder<UsersContext>().UseSqlite(connection).Options);
        await db.Database.EnsureCreatedAsync();
        await db.Database.ExecuteSqlRawAsync("""
            WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 300)
            INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
            SELECT 'u-' || n, 'user' || n || '@example.com', 'USER' || n || '@EXAMPLE.COM', 'user' || n || '@example.com', 'USER' || n || '@EXAMPLE.COM', 1, 0, 0, 1, 0 FROM g
            """);
        var property = IdentityStoreAccess<IdentityUser>.NormalizedEmailProperty!;
        List<string> few = ["USER7@EXAMPLE.COM", "NOBODY@EXAMPLE.COM", "USER300@EXAMPLE.COM"];
        var batch = Enumerable.Range(250, 200).Select(n => $"USER{n}@EXAMPLE.COM").ToList();

        // What the sync finds: the emails users have.
        Assert.Equal(["USER300@EXAMPLE.COM", "USER7@EXAMPLE.COM"], (await IdentityStoreAccess<IdentityUser>.ValuesInAsync(db.Users, property, few, CancellationToken.None)).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(250, 51).Select(n => $"USER{n}@EXAMPLE.COM").Order(StringComparer.Ordinal), (await IdentityStoreAccess<IdentityUser>.ValuesInAsync(db.Users, property, batch, CancellationToken.None)).Order(StringComparer.Ordinal));

        // The statement: the values as one JSON parameter, the same text for 3 values and for 200.
        static string Statement(IQueryable<string> query) => string.Join("\n", query.ToQueryString().Split('\n').Where(line => line.Length > 0 && !line.StartsWith(".param", StringComparison.Ordinal) && !line.StartsWith("--", StringComparison.Ordinal)));
        var statement = Statement(IdentityStoreAccess<IdentityUser>.ValuesIn(db.Users, property, few));
        Assert.Equal(statement, Statement(IdentityStoreAccess<IdentityUser>.ValuesIn(db.Users, property, batch)));
        Assert.Contains("json_each(", statement, StringComparison.Ordinal);
        Assert.Single(ParameterName().Matches(statement).Select(m => m.Value).Distinct());

        // Still a search of the email index, not a scan of the users.
        await using var plan = connection.CreateCommand();
        plan.CommandText = "EXPLAIN QUERY PLAN " + statement;
        plan.Parameters.AddWithValue(ParameterName().Match(statement).Value, """["USER7@EXAMPLE.COM"]""");
        var steps = new List<string>();
        await using (var reader = await plan.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                steps.Add(reader.GetString(3));
            }
        }

        Assert.Contains(steps, step => step.StartsWith("SEARCH", StringComparison.Ordinal) && step.Contains("EmailIndex", StringComparison.Ordinal));
        Assert.DoesNotContain(steps, step => step.StartsWith("SCAN", StringComparison.Ordinal) && !step.Contains("VIRTUAL TABLE", StringComparison.Ordinal));
    }

    private static async Task<string> ReadAsync(DbContext db, params string[] statements)
    {
        var lines = new List<string>();
        foreach (var statement in statements)
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = statement;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
        }

        return string.Join("\n", lines);
    }

    [GeneratedRegex(@"@\w+")]
    private static partial Regex ParameterName();

    public sealed class UsersContext(DbContextOptions<UsersContext> options) : IdentityDbContext<IdentityUser>(options)
    {
        protected override void OnModelCreating(ModelBuilder builder)
        {
            base.OnModelCreating(builder);
            builder.HasShopifyLookupIndexes<IdentityUser>();
        }
    }
}
