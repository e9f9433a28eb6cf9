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
/// the column's index, not every user who has no phone number.
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
