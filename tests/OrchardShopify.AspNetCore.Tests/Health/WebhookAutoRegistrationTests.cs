using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.AspNetCore.Health;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Emulator.Control;

namespace OrchardShopify.AspNetCore.Tests.Health;

/// <summary>
/// <c>Shopify:AutoRegisterWebhooks</c> over the Shopify emulator: a subscription Shopify removed is subscribed again by the
/// next webhook check when it is on, only reported when it is off, and a refused registration is a health problem.
/// </summary>
public sealed class WebhookAutoRegistrationTests
{
    private const string PublicUrl = "https://shop.example.com/";
    private static readonly Uri Callback = new("https://shop.example.com/!/shopify/webhook");

    [Fact]
    public async Task With_automatic_registration_on_a_removed_subscription_is_registered_again_by_the_next_check_without_a_probe()
    {
        var logs = new FakeLogCollector();
        await using var env = await EmulatorSite.StartAsync(
            0,
            s =>
            {
                s["Shopify:PublicUrls:0"] = PublicUrl;
                s["Shopify:HealthWebhookCheckInterval"] = "00:00:01";
                s["Shopify:AutoRegisterWebhooks"] = "true";
            },
            services => services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)).AddFilter<FakeLoggerProvider>(typeof(WebhookSubscriptionMonitor).FullName, LogLevel.Information)));
        var subscriptions = env.Emulator.State.Subscriptions;

        // Never registered: the first check subscribes all three topics.
        await TestSite.EventuallyAsync(() => Task.FromResult(subscriptions.ForShop(TestSite.UkDomain).Count(s => s.CallbackUrl == Callback) == 3), "the first check subscribes the site");

        var update = subscriptions.ForShop(TestSite.UkDomain).Single(s => s.Topic == "CUSTOMERS_UPDATE");
        Assert.True(subscriptions.Remove(TestSite.UkDomain, update.Id));

        // No health probe: the worker's next check repairs it, with one subscription per topic.
        await TestSite.EventuallyAsync(() => Task.FromResult(subscriptions.ForShop(TestSite.UkDomain).Any(s => s.Topic == "CUSTOMERS_UPDATE")), "the next check subscribes CUSTOMERS_UPDATE again");
        Assert.Equal(
            ["CUSTOMERS_CREATE", "CUSTOMERS_DELETE", "CUSTOMERS_UPDATE"],
            subscriptions.ForShop(TestSite.UkDomain).Where(s => s.CallbackUrl == Callback).Select(s => s.Topic).Order(StringComparer.Ordinal));
        Assert.Equal(3, subscriptions.ForShop(TestSite.UkDomain).Count);

        var health = (await env.Site.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["shopify-sync"];
        Assert.Equal(HealthStatus.Healthy, health.Status);

        await using (var db = await env.Site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None))
        {
            var entries = await db.SyncLog.Where(l => l.Topic == WebhookSubscriptionMonitor.RegisterTopic).OrderBy(l => l.Id).ToListAsync();
            Assert.Equal(2, entries.Count);
            Assert.All(entries, e => Assert.Equal(("uk", "registered"), (e.StoreHandle, e.Outcome)));
            Assert.Equal($"The webhook check found CUSTOMERS_UPDATE missing; subscribed CUSTOMERS_UPDATE to {Callback} again.", entries[1].Detail);
        }

        var messages = logs.GetSnapshot().Where(r => r.Category == typeof(WebhookSubscriptionMonitor).FullName).Select(r => r.Message).ToList();
        Assert.Contains($"Shopify store uk: customer webhook subscriptions were missing; subscribed CUSTOMERS_UPDATE to {Callback} again", messages);
        Assert.All(messages, m => Assert.DoesNotContain(env.Emulator.Options.AccessToken, m, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Two_nodes_finding_the_subscriptions_missing_together_subscribe_each_topic_once_and_report_no_failure()
    {
        await using var env = await EmulatorSite.StartAsync(0, s =>
        {
            s["Shopify:PublicUrls:0"] = PublicUrl;
            s["Shopify:AutoRegisterWebhooks"] = "true";
            s["Shopify:Queue:WorkersEnabled"] = "false";
        });
        var services = env.Site.Services;
        var first = services.GetRequiredService<WebhookSubscriptionMonitor>();
        // A second node: its own monitor over the same storage, Shopify store and lock.
        using var second = new WebhookSubscriptionMonitor(
            services.GetRequiredService<OrchardShopify.Core.Configuration.StoreRegistry>(),
            services.GetRequiredService<OrchardShopify.Core.ShopifyApi.WebhookSubscriptionClient>(),
            services.GetRequiredService<SyncDatabase>(),
            services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<OrchardShopify.AspNetCore.DependencyInjection.ShopifyHostOptions>>(),
            TimeProvider.System,
            services.GetRequiredService<ILogger<WebhookSubscriptionMonitor>>(),
            services.GetRequiredService<OrchardShopify.Core.Ports.ISyncLock>());

        var looks = await Task.WhenAll(first.GetAsync(CancellationToken.None), second.GetAsync(CancellationToken.None));

        Assert.All(looks, look => Assert.Equal((null, 0), (Assert.Single(look).RegistrationError, Assert.Single(look).Missing.Count)));
        Assert.Equal(
            ["CUSTOMERS_CREATE", "CUSTOMERS_DELETE", "CUSTOMERS_UPDATE"],
            env.Emulator.State.Subscriptions.ForShop(TestSite.UkDomain).Where(s => s.CallbackUrl == Callback).Select(s => s.Topic).Order(StringComparer.Ordinal));
        await using var db = await services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        var entry = Assert.Single(await db.SyncLog.Where(l => l.Topic == WebhookSubscriptionMonitor.RegisterTopic).ToListAsync());
        Assert.Equal("registered", entry.Outcome);
    }

    [Fact]
    public async Task Register_webhooks_waits_for_a_registration_under_way_and_then_finds_its_topics_subscribed()
    {
        await using var env = await EmulatorSite.StartAsync(0, s => s["Shopify:PublicUrls:0"] = PublicUrl);
        var subscriptions = env.Emulator.State.Subscriptions;
        var locks = env.Site.Services.GetRequiredService<OrchardShopify.Core.Ports.ISyncLock>();

        // A node's webhook check holds the store's registration lock: the button's registration waits for it.
        Task<System.Text.Json.JsonElement> pressed;
        await using (await locks.AcquireAsync(WebhookSubscriptionMonitor.RegistrationLockKey("uk"), CancellationToken.None))
        {
            pressed = env.AdminJsonAsync(HttpMethod.Post, "/stores/uk/webhooks", new { callbackBaseUrl = PublicUrl });
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.False(pressed.IsCompleted, "Register webhooks ran while another registration held the store's lock");
            Assert.Empty(subscriptions.ForShop(TestSite.UkDomain));

            // What the check does under the lock: it subscribes the topics.
            var registration = await env.Site.Services.GetRequiredService<OrchardShopify.Core.ShopifyApi.WebhookSubscriptionClient>()
                .RegisterCustomerWebhooksAsync(env.Site.Services.GetRequiredService<OrchardShopify.Core.Configuration.StoreRegistry>().FindByHandle("uk")!, Callback, CancellationToken.None);
            Assert.Equal(3, registration.Created.Count);
        }

        // Then the button lists them again and finds all three already there: nothing is subscribed twice, no error.
        var result = await pressed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal((0, 3), (result.GetProperty("created").GetArrayLength(), result.GetProperty("alreadyRegistered").GetArrayLength()));
        Assert.Equal(3, subscriptions.ForShop(TestSite.UkDomain).Count);
    }

    [Fact]
    public async Task With_automatic_registration_off_a_removed_subscription_is_only_reported()
    {
        await using var env = await EmulatorSite.StartAsync(0, s =>
        {
            s["Shopify:PublicUrls:0"] = PublicUrl;
            s["Shopify:HealthWebhookCheckInterval"] = "00:00:01";
        });
        var registered = await env.AdminJsonAsync(HttpMethod.Post, "/stores/uk/webhooks", new { callbackBaseUrl = PublicUrl });
        Assert.Equal(3, registered.GetProperty("created").GetArrayLength());
        var subscriptions = env.Emulator.State.Subscriptions;
        Assert.True(subscriptions.Remove(TestSite.UkDomain, subscriptions.ForShop(TestSite.UkDomain).Single(s => s.Topic == "CUSTOMERS_UPDATE").Id));

        await Task.Delay(TimeSpan.FromSeconds(3));
        var health = (await env.Site.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["shopify-sync"];
        Assert.Equal(HealthStatus.Degraded, health.Status);
        Assert.Equal($"store uk has no webhook subscription of CUSTOMERS_UPDATE to {Callback}.", health.Description);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await env.Site.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.DoesNotContain(subscriptions.ForShop(TestSite.UkDomain), s => s.Topic == "CUSTOMERS_UPDATE");
        await using var db = await env.Site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        Assert.Equal(0, await db.SyncLog.CountAsync(l => l.Topic == WebhookSubscriptionMonitor.RegisterTopic));
    }

    [Fact]
    public async Task A_refused_automatic_registration_is_a_health_problem_and_is_tried_again_at_the_next_check()
    {
        await using var env = await EmulatorSite.StartAsync(0, s =>
        {
            s["Shopify:PublicUrls:0"] = PublicUrl;
            s["Shopify:HealthWebhookCheckInterval"] = "00:00:05";
            s["Shopify:AutoRegisterWebhooks"] = "true";
            s["Shopify:Queue:WorkersEnabled"] = "false";
        });
        env.Emulator.SetFaults(new FaultSettings { ProtectedCustomerData = ProtectedCustomerDataAccess.NotApproved });
        var checks = env.Site.Services.GetRequiredService<HealthCheckService>();

        var refused = (await checks.CheckHealthAsync()).Entries["shopify-sync"];
        Assert.Equal(HealthStatus.Degraded, refused.Status);
        Assert.Contains("registering the missing webhook subscriptions of store uk again failed: ", refused.Description, StringComparison.Ordinal);
        Assert.Contains("protected customer data", refused.Description, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("store uk has no webhook subscription of CUSTOMERS_CREATE, CUSTOMERS_UPDATE, CUSTOMERS_DELETE", refused.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(env.Emulator.Options.AccessToken, refused.Description, StringComparison.Ordinal);
        Assert.Empty(env.Emulator.State.Subscriptions.ForShop(TestSite.UkDomain));

        // Probes within the interval keep the answer: no second attempt.
        await checks.CheckHealthAsync();
        await using (var db = await env.Site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None))
        {
            var all = await db.SyncLog.Where(l => l.Topic == WebhookSubscriptionMonitor.RegisterTopic).ToListAsync();
            Assert.True(all.Count == 1, string.Join(" | ", all.Select(a => a.At + " " + a.Outcome + " " + a.Detail)));
            var failed = all[0];
            Assert.Equal("failed", failed.Outcome);
            Assert.DoesNotContain(env.Emulator.Options.AccessToken, failed.Detail!, StringComparison.Ordinal);
        }

        // Approved: the next check (after the interval) registers them and health recovers.
        env.Emulator.SetFaults(new FaultSettings());
        await Task.Delay(TimeSpan.FromSeconds(5.2));
        var healed = (await checks.CheckHealthAsync()).Entries["shopify-sync"];
        Assert.Equal(HealthStatus.Healthy, healed.Status);
        Assert.StartsWith("CUSTOMERS_CREATE, CUSTOMERS_UPDATE, CUSTOMERS_DELETE at ", (string)healed.Data["webhooks_registered:uk"], StringComparison.Ordinal);
        Assert.Equal(3, env.Emulator.State.Subscriptions.ForShop(TestSite.UkDomain).Count(s => s.CallbackUrl == Callback));
    }
}
