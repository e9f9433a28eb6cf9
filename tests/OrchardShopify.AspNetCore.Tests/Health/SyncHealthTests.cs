using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.AspNetCore.Health;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Emulator.Control;

namespace OrchardShopify.AspNetCore.Tests.Health;

/// <summary>
/// The <c>shopify-sync</c> health check over the Shopify emulator: a store whose customer webhooks are missing or point
/// elsewhere, or whose last scheduled catch-up failed, makes it degraded with the store named; fixing it makes it healthy.
/// </summary>
public sealed class SyncHealthTests
{
    private const string PublicUrl = "https://shop.example.com/";
    private const string Callback = "https://shop.example.com/!/shopify/webhook";

    [Fact]
    public async Task A_removed_webhook_subscription_degrades_health_naming_the_store_and_registering_again_heals_it()
    {
        var logs = new FakeLogCollector();
        await using var env = await EmulatorSite.StartAsync(
            0,
            s =>
            {
                s["Shopify:PublicUrls:0"] = PublicUrl;
                s["Shopify:HealthWebhookCheckInterval"] = "00:00:00";
            },
            services => services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)).AddFilter<FakeLoggerProvider>(typeof(ShopifySyncHealth).FullName, LogLevel.Warning)));

        // Never registered: all three customer topics are missing.
        var before = await HealthAsync(env);
        Assert.Equal(HealthStatus.Degraded, before.Status);
        Assert.Contains("store uk has no webhook subscription of CUSTOMERS_CREATE, CUSTOMERS_UPDATE, CUSTOMERS_DELETE to " + Callback, before.Description, StringComparison.Ordinal);
        Assert.Equal("missing CUSTOMERS_CREATE, CUSTOMERS_UPDATE, CUSTOMERS_DELETE", before.Data["webhooks:uk"]);

        await RegisterAsync(env, PublicUrl);
        var registered = await HealthAsync(env);
        Assert.Equal(HealthStatus.Healthy, registered.Status);
        Assert.Equal("ok", registered.Data["webhooks:uk"]);
        Assert.Equal(3, env.Emulator.State.Subscriptions.ForShop(TestSite.UkDomain).Count(s => s.CallbackUrl == new Uri(Callback)));

        // Shopify drops the update subscription (as after repeated failed deliveries).
        var update = env.Emulator.State.Subscriptions.ForShop(TestSite.UkDomain).Single(s => s.Topic == "CUSTOMERS_UPDATE");
        Assert.True(env.Emulator.State.Subscriptions.Remove(TestSite.UkDomain, update.Id));
        var removed = await HealthAsync(env);
        Assert.Equal(HealthStatus.Degraded, removed.Status);
        Assert.Equal($"store uk has no webhook subscription of CUSTOMERS_UPDATE to {Callback}.", removed.Description);
        Assert.Equal("missing CUSTOMERS_UPDATE", removed.Data["webhooks:uk"]);

        // Probing again logs nothing more: one warning per change.
        await HealthAsync(env);
        await HealthAsync(env);
        var warnings = logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning && r.Category == typeof(ShopifySyncHealth).FullName).Select(r => r.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("store uk has no webhook subscription of CUSTOMERS_UPDATE", warnings[1], StringComparison.Ordinal);
        Assert.All(warnings, w => Assert.DoesNotContain(env.Emulator.Options.AccessToken, w, StringComparison.Ordinal));
        Assert.All(warnings, w => Assert.DoesNotContain(TestSite.UkSecret, w, StringComparison.Ordinal));

        await RegisterAsync(env, PublicUrl);
        var healed = await HealthAsync(env);
        Assert.Equal(HealthStatus.Healthy, healed.Status);
        Assert.Equal(3, env.Emulator.State.Subscriptions.ForShop(TestSite.UkDomain).Count);
    }

    [Fact]
    public async Task Webhooks_pointing_at_another_address_degrade_health_and_the_answer_is_kept_between_probes()
    {
        // The default interval: Shopify is asked once, then the answer is kept.
        await using var env = await EmulatorSite.StartAsync(0, s => s["Shopify:PublicUrls:0"] = PublicUrl);
        await RegisterAsync(env, env.Site.Http.BaseAddress!.AbsoluteUri);
        var elsewhere = new Uri(env.Site.Http.BaseAddress!, "/!/shopify/webhook");

        var health = await HealthAsync(env);
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Contains($"store uk sends customer webhooks to {elsewhere}, which is not this site", health.Description, StringComparison.Ordinal);
        Assert.Equal(elsewhere.AbsoluteUri, health.Data["webhooks_elsewhere:uk"]);
        var checkedAt = health.Data["webhooks_checked_at:uk"];

        // Removing the stray subscriptions in Shopify is not seen before the interval: probes do not call Shopify.
        foreach (var subscription in env.Emulator.State.Subscriptions.ForShop(TestSite.UkDomain).ToList())
        {
            env.Emulator.State.Subscriptions.Remove(TestSite.UkDomain, subscription.Id);
        }

        var cached = await HealthAsync(env);
        Assert.Equal(checkedAt, cached.Data["webhooks_checked_at:uk"]);
        Assert.Equal(elsewhere.AbsoluteUri, cached.Data["webhooks_elsewhere:uk"]);

        // Registering from the admin forgets the kept answer.
        await RegisterAsync(env, PublicUrl);
        var healed = await HealthAsync(env);
        Assert.Equal(HealthStatus.Healthy, healed.Status);
        Assert.False(healed.Data.ContainsKey("webhooks_elsewhere:uk"));
    }

    [Fact]
    public async Task A_failed_catch_up_degrades_health_naming_the_store_until_a_run_succeeds()
    {
        await using var env = await EmulatorSite.StartAsync(3, s => s["Shopify:CatchUp:Interval"] = "00:00:01");
        var started = DateTimeOffset.UtcNow;
        await NextRunAsync(env, started, "succeeded");
        Assert.Equal(HealthStatus.Healthy, (await HealthAsync(env)).Status);

        env.Emulator.SetFaults(new FaultSettings { AccessTokenRevoked = true });
        await NextRunAsync(env, DateTimeOffset.UtcNow, "failed");
        var failed = await HealthAsync(env);
        Assert.Equal(HealthStatus.Degraded, failed.Status);
        Assert.Contains("the last catch-up of store uk failed at ", failed.Description, StringComparison.Ordinal);
        Assert.Equal("failed", failed.Data["catch_up:uk"]);
        Assert.DoesNotContain(env.Emulator.Options.AccessToken, failed.Description, StringComparison.Ordinal);

        env.Emulator.SetFaults(new FaultSettings());
        await NextRunAsync(env, DateTimeOffset.UtcNow, "succeeded");
        var recovered = await HealthAsync(env);
        Assert.Equal(HealthStatus.Healthy, recovered.Status);
        Assert.Equal("succeeded", recovered.Data["catch_up:uk"]);
    }

    private static async Task<HealthReportEntry> HealthAsync(EmulatorSite env)
        => (await env.Site.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["shopify-sync"];

    private static async Task RegisterAsync(EmulatorSite env, string callbackBase)
    {
        var result = await env.AdminJsonAsync(HttpMethod.Post, "/stores/uk/webhooks", new { callbackBaseUrl = callbackBase });
        Assert.Equal(new Uri(new Uri(callbackBase), "/!/shopify/webhook").AbsoluteUri, result.GetProperty("callbackUrl").GetString());
    }

    private static async Task NextRunAsync(EmulatorSite env, DateTimeOffset after, string outcome)
    {
        await TestSite.EventuallyAsync(
            async () =>
            {
                var store = Assert.Single((await env.AdminJsonAsync(HttpMethod.Get, "/catchup")).GetProperty("stores").EnumerateArray());
                return store.GetProperty("lastRun") is { ValueKind: JsonValueKind.Object } last
                    && DateTimeOffset.Parse(last.GetProperty("startedAt").GetString()!, CultureInfo.InvariantCulture) > after
                    && last.GetProperty("outcome").GetString() == outcome;
            },
            $"a {outcome} catch-up run after {after:O}",
            TimeSpan.FromSeconds(30));
    }
}
