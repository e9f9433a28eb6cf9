using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.CatchUp;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Emulator.Control;

namespace OrchardShopify.AspNetCore.Tests.CatchUp;

/// <summary>
/// The scheduled catch-up over the Shopify emulator: the site has no webhook subscription in the emulator, so a change made
/// in Shopify reaches the site only through the next catch-up run, as after a day of missed deliveries.
/// </summary>
public sealed class ScheduledCatchUpTests
{
    [Fact]
    public async Task A_change_no_webhook_delivered_is_applied_by_the_next_run_and_a_run_with_nothing_new_changes_nothing()
    {
        await using var env = await EmulatorSite.StartAsync(20, s => s["Shopify:CatchUp:Interval"] = "00:00:01");
        await ImportAllAsync(env);
        Assert.Empty(env.Emulator.State.Subscriptions.ForShop(TestSite.UkDomain));

        var changed = env.Shop.Snapshot()[3];
        Assert.Empty(env.Shop.Update(changed.Id, new Dictionary<string, object?> { ["lastName"] = "Renamed-While-Offline" }).Errors);
        var before = DateTimeOffset.UtcNow;

        var run = await NextRunAsync(env, before);
        Assert.Equal("succeeded", run.GetProperty("outcome").GetString());
        var counts = run.GetProperty("counts");
        Assert.Equal((1L, 0L, 0L), (counts.GetProperty("applied").GetInt64(), counts.GetProperty("failed").GetInt64(), counts.GetProperty("skipped").GetInt64()));
        Assert.Equal(counts.GetProperty("fetched").GetInt64(), counts.GetProperty("applied").GetInt64() + counts.GetProperty("unchanged").GetInt64());
        Assert.Equal("Renamed-While-Offline", await FamilyNameAsync(env, changed.Email!));

        // The change and the run are in the sync log, under the catch-up's own topics.
        await using (var db = await OpenAsync(env))
        {
            var entry = await db.SyncLog.SingleAsync(l => l.Topic == CatchUpScheduler.CustomerTopic && l.CustomerId == changed.Id && l.Outcome == "updated");
            Assert.Equal("uk", entry.StoreHandle);
            Assert.Contains(await db.SyncLog.Where(l => l.Topic == CatchUpScheduler.RunTopic && l.Outcome == "succeeded").Select(l => l.Detail).ToListAsync(), d => d!.Contains("applied 1,", StringComparison.Ordinal));
        }

        // The next run finds nothing new: no user created or updated, nothing written to the users' log.
        var users = await env.Site.WithUsersAsync(u => u.Users.CountAsync());
        var quiet = await NextRunAsync(env, DateTimeOffset.Parse(run.GetProperty("finishedAt").GetString()!, CultureInfo.InvariantCulture));
        Assert.Equal("succeeded", quiet.GetProperty("outcome").GetString());
        Assert.Equal((0L, 0L), (quiet.GetProperty("counts").GetProperty("applied").GetInt64(), quiet.GetProperty("counts").GetProperty("failed").GetInt64()));
        Assert.Equal(users, await env.Site.WithUsersAsync(u => u.Users.CountAsync()));
        Assert.Equal("Renamed-While-Offline", await FamilyNameAsync(env, changed.Email!));
        await using (var db = await OpenAsync(env))
        {
            Assert.Equal(1, await db.SyncLog.CountAsync(l => l.Topic == CatchUpScheduler.CustomerTopic && l.Outcome != "unchanged"));
        }

        var store = Assert.Single((await env.AdminJsonAsync(HttpMethod.Get, "/catchup")).GetProperty("stores").EnumerateArray());
        Assert.True(store.GetProperty("scheduled").GetBoolean());
        Assert.True(DateTimeOffset.Parse(store.GetProperty("nextRunAt").GetString()!, CultureInfo.InvariantCulture) > before);
    }

    [Fact]
    public async Task A_failing_Admin_API_keeps_the_watermark_and_the_next_run_catches_up()
    {
        // No overlap: only the kept watermark lets the run after the outage read the change made during it.
        await using var env = await EmulatorSite.StartAsync(10, s =>
        {
            s["Shopify:CatchUp:Interval"] = "00:00:01";
            s["Shopify:CatchUp:Overlap"] = "00:00:00";
        });
        await ImportAllAsync(env);
        var healthy = await NextRunAsync(env, DateTimeOffset.UtcNow);
        Assert.Equal("succeeded", healthy.GetProperty("outcome").GetString());

        env.Emulator.SetFaults(new FaultSettings { AccessTokenRevoked = true });
        var outage = DateTimeOffset.UtcNow;
        var firstFailure = await NextRunAsync(env, outage);
        Assert.Equal("failed", firstFailure.GetProperty("outcome").GetString());
        var watermark = await WatermarkAsync(env);

        var changed = env.Shop.Snapshot()[2];
        Assert.Empty(env.Shop.Update(changed.Id, new Dictionary<string, object?> { ["lastName"] = "Renamed-During-Outage" }).Errors);
        var changedAt = DateTimeOffset.UtcNow;

        // Runs keep failing for more than two seconds after the change; none of them moves the watermark past it.
        var laterFailure = await NextRunAsync(env, changedAt + TimeSpan.FromSeconds(2.5));
        Assert.Equal("failed", laterFailure.GetProperty("outcome").GetString());
        Assert.Equal(watermark, await WatermarkAsync(env));
        var error = laterFailure.GetProperty("error").GetString()!;
        Assert.DoesNotContain(env.Emulator.Options.AccessToken, error, StringComparison.Ordinal);
        await using (var db = await OpenAsync(env))
        {
            var failed = await db.SyncLog.Where(l => l.Topic == CatchUpScheduler.RunTopic && l.Outcome == "failed").ToListAsync();
            Assert.NotEmpty(failed);
            Assert.All(failed, l => Assert.Equal("uk", l.StoreHandle));
            Assert.All(failed, l => Assert.DoesNotContain(env.Emulator.Options.AccessToken, l.Detail!, StringComparison.Ordinal));
        }

        Assert.NotEqual("Renamed-During-Outage", await FamilyNameAsync(env, changed.Email!));
        env.Emulator.SetFaults(new FaultSettings());
        var recovered = await NextRunAsync(env, DateTimeOffset.UtcNow);

        Assert.Equal("succeeded", recovered.GetProperty("outcome").GetString());
        Assert.Equal(1, recovered.GetProperty("counts").GetProperty("applied").GetInt64());
        Assert.Equal("Renamed-During-Outage", await FamilyNameAsync(env, changed.Email!));
        Assert.True(await WatermarkAsync(env) > changedAt, "a successful run moves the watermark to its own start");
    }

    [Fact]
    public async Task Two_nodes_on_one_database_run_a_store_once_per_interval()
    {
        var interval = TimeSpan.FromSeconds(2);
        void Configure(Dictionary<string, string?> s)
        {
            s["Shopify:CatchUp:Interval"] = "00:00:02";
            s["Shopify:CreateUsersFromShopify"] = "false";
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using var env = await EmulatorSite.StartAsync(5, Configure);
        await using var second = await TestSite.StartAsync(
            s =>
            {
                Configure(s);
                s["Shopify:Stores:uk:AccessToken"] = env.Emulator.Options.AccessToken;
                s["Shopify:Stores:uk:ApiBaseUrl"] = new Uri(env.Emulator.BaseUrl, $"shops/{TestSite.UkDomain}").AbsoluteUri;
                s["Shopify:Storage:ConnectionString"] = $"Data Source={env.Site.SyncDatabaseFile}";
            },
            fakeShopify: false);

        await Task.Delay(interval * 5);

        List<long> runs;
        await using (var db = await OpenAsync(env))
        {
            runs = await db.SyncLog.Where(l => l.Topic == CatchUpScheduler.RunTopic).OrderBy(l => l.At).Select(l => l.At).ToListAsync();
        }

        // Both nodes poll every two seconds; the claim lets one of them run each interval: runs are an interval apart, so
        // no more of them fit in the time since the first node started than one per interval (and one at the start).
        var elapsed = clock.Elapsed;
        Assert.InRange(runs.Count, 2, (int)(elapsed / interval) + 1);
        for (var i = 1; i < runs.Count; i++)
        {
            Assert.True(runs[i] - runs[i - 1] >= interval.TotalMilliseconds * 0.75, $"runs {i - 1} and {i} started {runs[i] - runs[i - 1]} ms apart");
        }
    }

    [Theory]
    [InlineData("Shopify:CatchUp:Enabled")]
    [InlineData("Shopify:Queue:WorkersEnabled")]
    public async Task Catch_up_turned_off_or_a_node_without_workers_runs_nothing(string key)
    {
        await using var env = await EmulatorSite.StartAsync(5, s =>
        {
            s["Shopify:CatchUp:Interval"] = "00:00:01";
            s[key] = "false";
        });
        var changed = env.Shop.Snapshot()[1];
        await ImportAllAsync(env);
        Assert.Empty(env.Shop.Update(changed.Id, new Dictionary<string, object?> { ["lastName"] = "Never-Caught-Up" }).Errors);

        await Task.Delay(TimeSpan.FromSeconds(3.5));

        await using var db = await OpenAsync(env);
        Assert.Equal(0, await db.SyncLog.CountAsync(l => l.Topic == CatchUpScheduler.RunTopic || l.Topic == CatchUpScheduler.CustomerTopic));
        Assert.Equal(0, await db.CatchUp.CountAsync());
        Assert.NotEqual("Never-Caught-Up", await FamilyNameAsync(env, changed.Email!));
    }

    private static async Task ImportAllAsync(EmulatorSite env)
        => Assert.Equal("succeeded", (await env.ImportAllAsync()).GetProperty("status").GetString());

    /// <summary>Polls the admin JSON until the store's last run started after <paramref name="after"/>, and returns it.</summary>
    private static async Task<JsonElement> NextRunAsync(EmulatorSite env, DateTimeOffset after)
    {
        JsonElement run = default;
        await TestSite.EventuallyAsync(
            async () =>
            {
                var store = Assert.Single((await env.AdminJsonAsync(HttpMethod.Get, "/catchup")).GetProperty("stores").EnumerateArray());
                if (store.GetProperty("lastRun") is not { ValueKind: JsonValueKind.Object } last
                    || DateTimeOffset.Parse(last.GetProperty("startedAt").GetString()!, CultureInfo.InvariantCulture) <= after)
                {
                    return false;
                }

                run = last;
                return true;
            },
            $"a catch-up run after {after:O}",
            TimeSpan.FromSeconds(30));
        return run;
    }

    private static async Task<DateTimeOffset> WatermarkAsync(EmulatorSite env)
    {
        var store = Assert.Single((await env.AdminJsonAsync(HttpMethod.Get, "/catchup")).GetProperty("stores").EnumerateArray());
        return DateTimeOffset.Parse(store.GetProperty("watermark").GetString()!, CultureInfo.InvariantCulture);
    }

    private static Task<string?> FamilyNameAsync(EmulatorSite env, string email) => env.Site.WithUsersAsync(async users =>
        (await users.GetClaimsAsync((await users.FindByEmailAsync(email))!)).FirstOrDefault(c => c.Type == "family_name")?.Value);

    private static Task<ShopifySyncDbContext> OpenAsync(EmulatorSite env) => env.Site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
}
