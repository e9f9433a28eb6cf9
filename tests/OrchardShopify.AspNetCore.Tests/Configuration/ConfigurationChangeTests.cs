using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.Testing.Hosting.Sites;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.AspNetCore.Tests.Configuration;

/// <summary>
/// A running site's configuration edited with a mistake (a reloaded <c>appsettings.json</c>): the change is refused with
/// an error naming each key at fault, the site goes on acknowledging and applying with its previous settings, and the
/// corrected configuration applies at once.
/// </summary>
public sealed class ConfigurationChangeTests
{
    [Fact]
    public async Task A_change_to_settings_that_are_not_valid_is_refused_and_the_site_goes_on_until_they_are_corrected()
    {
        var logs = new FakeLogCollector();
        await using var site = await SyncSite.StartAsync(new SyncSiteOptions
        {
            Folder = SyncSite.NewFolder(),
            Settings = new Dictionary<string, string?> { ["Shopify:Queue:PollInterval"] = "00:00:00.2" },
            Logs = logs,
        });
        var lifetime = site.Services.GetRequiredService<IHostApplicationLifetime>();
        var configuration = (IConfigurationRoot)site.Services.GetRequiredService<IConfiguration>();
        var signer = new ShopifyWebhookSigner(SyncSite.ShopDomain, SyncSite.WebhookSecret);

        // Three mistakes at once: two the validators refuse, one the binder cannot convert.
        configuration["Shopify:Queue:BatchSize"] = "0";
        configuration["Shopify:ApiVersion"] = "latest";
        configuration["Shopify:Backfill:MaxConsecutiveFailures"] = "many";
        configuration.Reload();

        // The workers keep running on the previous settings: new customers' deliveries are acknowledged and applied.
        var during = CustomerBurst.Generate(signer, customers: 3, versions: 1, prefix: "during");
        Assert.All(await DeliverySender.SendAsync(site.Http, during.Deliveries, senders: 1, CancellationToken.None), r => Assert.True(r.Acknowledged, $"{r.Delivery.WebhookId}: {r.StatusCode} {r.Error}"));
        await SyncSite.EventuallyAsync(async () => await site.State.UnfinishedInboundAsync() == 0, "the deliveries sent while the settings were not valid are applied", TimeSpan.FromSeconds(30));
        Assert.Equal(3, (await site.State.UsersAsync()).Count);
        Assert.Equal(100, site.Services.GetRequiredService<IOptionsMonitor<ShopifyHostOptions>>().CurrentValue.Queue.BatchSize);
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the site is stopping");

        // Each refusal says what is wrong.
        var refusals = logs.GetSnapshot().Where(r => r.Level == LogLevel.Error).Select(r => r.Message).ToList();
        Assert.Contains(refusals, m => m.Contains("ShopifyHostOptions values are not valid", StringComparison.Ordinal) && m.Contains("Shopify:Queue:BatchSize must be between 1 and 500 (was 0)", StringComparison.Ordinal));
        Assert.Contains(refusals, m => m.Contains("ShopifySyncOptions values are not valid", StringComparison.Ordinal) && m.Contains("Shopify:ApiVersion 'latest' is not a Shopify API version", StringComparison.Ordinal));
        Assert.Contains(refusals, m => m.Contains("ShopifyBackfillOptions values are not valid", StringComparison.Ordinal) && m.Contains("MaxConsecutiveFailures", StringComparison.Ordinal));
        Assert.All(refusals, m => Assert.Contains("values are not valid, so the site goes on with the previous ones until they are corrected", m, StringComparison.Ordinal));

        // Corrected, with one real change: users are no longer created from Shopify.
        configuration["Shopify:Queue:BatchSize"] = "100";
        configuration["Shopify:ApiVersion"] = site.Services.GetRequiredService<IOptionsMonitor<OrchardShopify.Core.Configuration.ShopifySyncOptions>>().CurrentValue.ApiVersion;
        configuration["Shopify:Backfill:MaxConsecutiveFailures"] = "200";
        configuration["Shopify:CreateUsersFromShopify"] = "false";
        configuration.Reload();
        Assert.Equal(3, logs.GetSnapshot().Count(r => r.Level == LogLevel.Information && r.Message.EndsWith("values are valid again and apply", StringComparison.Ordinal)));

        var after = CustomerBurst.Generate(signer, customers: 2, versions: 1, prefix: "after", firstId: CustomerBurst.FirstCustomerId + 100);
        Assert.All(await DeliverySender.SendAsync(site.Http, after.Deliveries, senders: 1, CancellationToken.None), r => Assert.True(r.Acknowledged, $"{r.Delivery.WebhookId}: {r.StatusCode} {r.Error}"));
        await SyncSite.EventuallyAsync(async () => await site.State.UnfinishedInboundAsync() == 0, "the deliveries sent after the correction are applied", TimeSpan.FromSeconds(30));
        Assert.Equal(3, (await site.State.UsersAsync()).Count);
        var items = await site.State.WorkItemsAsync();
        Assert.Equal(5, items.Count);
        Assert.All(items, i => Assert.Equal(WorkItemRow.Succeeded, i.Status));
        Assert.Equal(2, items.Count(i => i.Outcome != "created"));

        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested, "the site is stopping");
        Assert.Equal(refusals, logs.GetSnapshot().Where(r => r.Level >= LogLevel.Error).Select(r => r.Message));
        Assert.DoesNotContain(logs.GetSnapshot(), r => SyncSite.Secrets.Any(s => r.Message.Contains(s, StringComparison.Ordinal)));
    }
}
