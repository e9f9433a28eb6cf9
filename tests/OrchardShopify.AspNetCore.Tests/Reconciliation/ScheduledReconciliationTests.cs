using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Health;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Reconciliation;
using OrchardShopify.AspNetCore.Tests.Support;

namespace OrchardShopify.AspNetCore.Tests.Reconciliation;

/// <summary>
/// The scheduled reconciliation and the drift threshold over the Shopify emulator. The site has no webhook subscription in
/// the emulator and catch-up is off, so a change made in Shopify stays a difference until someone fixes it.
/// </summary>
public sealed class ScheduledReconciliationTests
{
    [Fact]
    public async Task A_scheduled_reconciliation_runs_on_its_own_stores_its_report_fixes_nothing_and_its_drift_degrades_health()
    {
        await using var env = await EmulatorSite.StartAsync(6, s =>
        {
            s["Shopify:CatchUp:Enabled"] = "false";
            s["Shopify:ScheduledReconciliation:Interval"] = "00:00:02";
            s["Shopify:HealthMaxReconciliationDrift"] = "0";
        });
        await ImportAllAsync(env);
        var renamed = env.Shop.Snapshot()[2];
        var before = await FamilyNameAsync(env, renamed.Email!);
        Assert.Empty(env.Shop.Update(renamed.Id, new Dictionary<string, object?> { ["lastName"] = "Renamed-Unseen" }).Errors);
        var changedAt = DateTimeOffset.UtcNow;

        // Nobody starts it: the schedule does, and the report it stores is the admin's reconciliation report.
        var store = await ScheduledRunAfterAsync(env, changedAt);
        var jobId = store.GetProperty("lastScheduledJobId").GetString()!;
        var job = await env.AdminJsonAsync(HttpMethod.Get, $"/reconcile/{jobId}");
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        var report = job.GetProperty("report");
        Assert.Equal((6L, 6L, 1L), (report.GetProperty("counts").GetProperty("shopifyCustomers").GetInt64(), report.GetProperty("counts").GetProperty("linkedCustomers").GetInt64(), report.GetProperty("counts").GetProperty("pairsWithDifferences").GetInt64()));
        var difference = Assert.Single(report.GetProperty("differences").EnumerateArray());
        Assert.Equal(("fieldsDiffer", renamed.Id, "applyShopify"), (difference.GetProperty("kind").GetString(), difference.GetProperty("customerId").GetInt64(), difference.GetProperty("suggested").GetString()));
        Assert.Equal(jobId, (await env.AdminJsonAsync(HttpMethod.Get, "/reconcile?store=uk")).GetProperty("id").GetString());
        var completed = store.GetProperty("lastCompleted");
        Assert.Equal((jobId, 1L), (completed.GetProperty("jobId").GetString(), completed.GetProperty("mismatches").GetInt64()));
        Assert.Equal("more than 0", completed.GetProperty("limit").GetString());
        Assert.True(DateTimeOffset.Parse(store.GetProperty("nextRunAt").GetString()!, CultureInfo.InvariantCulture) > DateTimeOffset.Parse(store.GetProperty("lastScheduledAt").GetString()!, CultureInfo.InvariantCulture));

        // A report only: the user keeps the site's name.
        Assert.Equal(before, await FamilyNameAsync(env, renamed.Email!));

        await using (var db = await OpenAsync(env))
        {
            var entry = await db.SyncLog.FirstAsync(l => l.Topic == ReconciliationScheduler.RunTopic && l.Detail!.Contains(jobId));
            Assert.Equal(("uk", "succeeded"), (entry.StoreHandle, entry.Outcome));
            Assert.True(entry.Detail!.Contains("6 Shopify customers, 6 linked; drift 1 (1 linked with different fields, 0 linked to a deleted customer, 0 linked to a deleted user, 0 customers without a user).", StringComparison.Ordinal), entry.Detail);
            Assert.Equal(0, await db.SyncLog.CountAsync(l => l.Topic == ReconciliationService.FixTopic));
        }

        var health = await HealthAsync(env);
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains("the last reconciliation of store uk at ", health.Description, StringComparison.Ordinal);
        Assert.Contains("found 1 mismatches in 6 Shopify customers (1 linked with different fields, 0 linked to a deleted customer, 0 linked to a deleted user, 0 customers without a user), more than 0", health.Description, StringComparison.Ordinal);
        Assert.Equal(1L, health.Data["reconciliation_drift:uk"]);
    }

    [Fact]
    public async Task Two_nodes_on_one_database_start_one_scheduled_reconciliation_per_interval()
    {
        var interval = TimeSpan.FromSeconds(2);
        void Configure(Dictionary<string, string?> s)
        {
            s["Shopify:CatchUp:Enabled"] = "false";
            s["Shopify:ScheduledReconciliation:Interval"] = "00:00:02";
        }

        await using var env = await EmulatorSite.StartAsync(4, Configure);
        await using var second = await TestSite.StartAsync(
            s =>
            {
                Configure(s);
                s["Shopify:Stores:uk:AccessToken"] = env.Emulator.Options.AccessToken;
                s["Shopify:Stores:uk:ApiBaseUrl"] = new Uri(env.Emulator.BaseUrl, $"shops/{TestSite.UkDomain}").AbsoluteUri;
                s["Shopify:Storage:ConnectionString"] = $"Data Source={env.Site.SyncDatabaseFile}";
            },
            fakeShopify: false);

        List<long> starts = [];
        await TestSite.EventuallyAsync(
            async () =>
            {
                await using var db = await OpenAsync(env);
                starts = await db.Jobs.Where(j => j.Kind == ReconciliationJob.Kind).OrderBy(j => j.StartedAt).Select(j => j.StartedAt).ToListAsync();
                return starts.Count >= 3;
            },
            "three scheduled reconciliations",
            TimeSpan.FromSeconds(60));

        // Both nodes poll every two seconds; the claim lets one of them start each interval's run.
        for (var i = 1; i < starts.Count; i++)
        {
            Assert.True(starts[i] - starts[i - 1] >= interval.TotalMilliseconds * 0.75, $"runs {i - 1} and {i} started {starts[i] - starts[i - 1]} ms apart");
        }

        await using (var db = await OpenAsync(env))
        {
            var claimedBy = await db.ReconciliationSchedule.Select(r => r.ClaimedBy).SingleAsync();
            Assert.NotNull(claimedBy);
        }
    }

    [Theory]
    [InlineData("Shopify:ScheduledReconciliation:Enabled")]
    [InlineData("Shopify:Queue:WorkersEnabled")]
    public async Task Scheduled_reconciliation_turned_off_or_a_node_without_workers_starts_nothing(string key)
    {
        await using var env = await EmulatorSite.StartAsync(3, s =>
        {
            s["Shopify:CatchUp:Enabled"] = "false";
            s["Shopify:ScheduledReconciliation:Interval"] = "00:00:01";
            s[key] = "false";
        });

        await Task.Delay(TimeSpan.FromSeconds(3.5));

        await using var db = await OpenAsync(env);
        Assert.Equal(0, await db.Jobs.CountAsync(j => j.Kind == ReconciliationJob.Kind));
        Assert.Equal(0, await db.SyncLog.CountAsync(l => l.Topic == ReconciliationScheduler.RunTopic));
        var store = Assert.Single((await env.AdminJsonAsync(HttpMethod.Get, "/reconcile/schedule")).GetProperty("stores").EnumerateArray());
        Assert.Equal(key.EndsWith("WorkersEnabled", StringComparison.Ordinal), store.GetProperty("scheduled").GetBoolean());
    }

    [Fact]
    public async Task Drift_above_the_threshold_degrades_health_with_one_warning_and_drift_at_or_below_it_does_not()
    {
        var logs = new FakeLogCollector();
        await using var env = await EmulatorSite.StartAsync(
            8,
            s =>
            {
                s["Shopify:CatchUp:Enabled"] = "false";
                s["Shopify:ScheduledReconciliation:Enabled"] = "false";
                s["Shopify:HealthMaxReconciliationDrift"] = "1";
            },
            services => services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)).AddFilter<FakeLoggerProvider>(typeof(ShopifySyncHealth).FullName, LogLevel.Warning)));
        await ImportAllAsync(env);
        var customers = env.Shop.Snapshot();
        Assert.Equal(HealthStatus.Healthy, (await HealthAsync(env)).Status);

        // One mismatch: at the threshold, not above it.
        Assert.Empty(env.Shop.Update(customers[0].Id, new Dictionary<string, object?> { ["lastName"] = "Drift-One" }).Errors);
        await ReconcileAsync(env);
        var one = await HealthAsync(env);
        Assert.Equal(HealthStatus.Healthy, one.Status);
        Assert.Equal(1L, one.Data["reconciliation_drift:uk"]);

        // Two: above it; the store and the counts are named, and repeated probes log one warning.
        Assert.Empty(env.Shop.Update(customers[1].Id, new Dictionary<string, object?> { ["firstName"] = "Drift-Two" }).Errors);
        await ReconcileAsync(env);
        var two = await HealthAsync(env);
        Assert.Equal(HealthStatus.Degraded, two.Status);
        Assert.True(two.Description!.Contains("found 2 mismatches in 8 Shopify customers (2 linked with different fields, 0 linked to a deleted customer, 0 linked to a deleted user, 0 customers without a user), more than 1.", StringComparison.Ordinal), two.Description);
        Assert.Equal(2L, two.Data["reconciliation_drift:uk"]);
        var problem = Assert.Single((await env.Site.Services.GetRequiredService<ShopifySyncHealth>().CheckAsync(CancellationToken.None)).Problems);
        Assert.Equal(("reconciliation_drift", "uk"), (problem.Kind, problem.Store));
        await HealthAsync(env);
        var warnings = logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning && r.Category == typeof(ShopifySyncHealth).FullName).ToList();
        Assert.Single(warnings);
        Assert.Contains("store uk", warnings[0].Message, StringComparison.Ordinal);

        // Fixing one and comparing again brings it back under the threshold.
        var fix = await env.AdminJsonAsync(HttpMethod.Post, "/reconcile/fix?store=uk", new { items = new[] { new { kind = "fieldsDiffer", customerId = customers[0].Id } } });
        Assert.Equal("fixed", fix.GetProperty("results")[0].GetProperty("outcome").GetString());
        await ReconcileAsync(env);
        var fixedHealth = await HealthAsync(env);
        Assert.Equal(HealthStatus.Healthy, fixedHealth.Status);
        Assert.Equal(1L, fixedHealth.Data["reconciliation_drift:uk"]);
    }

    [Theory]
    [InlineData(10, null, 11, 100, "more than 10")]
    [InlineData(10, null, 10, 100, null)]
    [InlineData(null, 0.05, 6, 100, "more than 5% of 100 Shopify customers")]
    [InlineData(null, 0.05, 5, 100, null)]
    [InlineData(100, 0.05, 6, 100, "more than 5% of 100 Shopify customers")]
    [InlineData(null, null, 1000, 1000, null)]
    [InlineData(null, 0.05, 3, 0, null)]
    public void Drift_is_compared_with_the_count_and_the_share_of_customers(int? max, double? share, long mismatches, long customers, string? expected)
    {
        var options = new ShopifyHostOptions { HealthMaxReconciliationDrift = max, HealthMaxReconciliationDriftShare = share };
        Assert.Equal(expected, ReconciliationDrift.Exceeded(mismatches, customers, options));
    }

    [Fact]
    public void Customers_without_a_user_count_as_drift_only_when_the_site_creates_users_from_Shopify()
    {
        var counts = new ReconciliationCounts(100, 90, 7, 1, 2, 120, 90, 30, 3, new Dictionary<string, long>());
        Assert.Equal(6, ReconciliationDrift.Count(counts, new Core.Configuration.ShopifySyncOptions { CreateUsersFromShopify = false }));
        Assert.Equal(13, ReconciliationDrift.Count(counts, new Core.Configuration.ShopifySyncOptions { CreateUsersFromShopify = true }));
    }

    private static async Task<JsonElement> ScheduledRunAfterAsync(EmulatorSite env, DateTimeOffset after)
    {
        JsonElement found = default;
        await TestSite.EventuallyAsync(
            async () =>
            {
                var store = Assert.Single((await env.AdminJsonAsync(HttpMethod.Get, "/reconcile/schedule")).GetProperty("stores").EnumerateArray());
                if (store.GetProperty("lastScheduledJobId").GetString() is not { } id
                    || store.GetProperty("lastCompleted") is not { ValueKind: JsonValueKind.Object } completed
                    || completed.GetProperty("jobId").GetString() != id
                    || DateTimeOffset.Parse(store.GetProperty("lastScheduledAt").GetString()!, CultureInfo.InvariantCulture) <= after)
                {
                    return false;
                }

                found = store;
                return true;
            },
            $"a scheduled reconciliation after {after:O} that finished",
            TimeSpan.FromSeconds(60));
        return found;
    }

    private static async Task ReconcileAsync(EmulatorSite env)
    {
        var started = await env.AdminJsonAsync(HttpMethod.Post, "/reconcile?store=uk");
        var done = await env.WaitForJobAsync($"/reconcile/{started.GetProperty("id").GetString()}");
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
    }

    private static async Task ImportAllAsync(EmulatorSite env)
        => Assert.Equal("succeeded", (await env.ImportAllAsync()).GetProperty("status").GetString());

    private static async Task<HealthReportEntry> HealthAsync(EmulatorSite env)
        => (await env.Site.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["shopify-sync"];

    private static Task<string?> FamilyNameAsync(EmulatorSite env, string email) => env.Site.WithUsersAsync(async users =>
        (await users.GetClaimsAsync((await users.FindByEmailAsync(email))!)).FirstOrDefault(c => c.Type == "family_name")?.Value);

    private static Task<ShopifySyncDbContext> OpenAsync(EmulatorSite env) => env.Site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
}
