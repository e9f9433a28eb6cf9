using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Webhooks;
using OrchardShopify.Testing.Hosting.Postgres;

namespace OrchardShopify.AspNetCore.Tests.Runner;

/// <summary>The runner (the Orchard Core module's way of starting the workers) with several inbound workers on PostgreSQL.</summary>
public sealed class SyncRunnerWorkersTests
{
    [PostgresFact]
    public async Task Stopping_the_runner_stops_every_inbound_worker_and_a_restart_works_what_waited()
    {
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var folder = Path.Combine(Path.GetTempPath(), "orchardshopify-tests", Guid.NewGuid().ToString("N"));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Shopify:Stores:uk:ShopDomain"] = TestSite.UkDomain,
            ["Shopify:Stores:uk:WebhookSecret"] = TestSite.UkSecret,
            ["Shopify:Storage:Provider"] = "PostgreSql",
            ["Shopify:Storage:ConnectionString"] = database.ConnectionString,
            ["Shopify:Storage:InboxFile"] = Path.Combine(folder, "inbox.db"),
            ["Shopify:Queue:InboundWorkers"] = "3",
            ["Shopify:Queue:PollInterval"] = "00:00:00.050",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddShopifyCustomerSync(configuration.GetSection("Shopify")).UseSyncRunner();
        services.AddSingleton<IUserDirectory, NoUsers>();
        var provider = services.BuildServiceProvider();
        try
        {
            var runner = provider.GetRequiredService<ShopifySyncRunner>();
            await runner.StartAsync(CancellationToken.None);
            Assert.True(await AppendDeleteAsync(provider, 91, "wh-workers-1"));
            Assert.Equal(WorkStatus.Succeeded, (await WaitForOutcomeAsync(provider, "wh-workers-1")).Status);
            using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await runner.StopAsync(limit.Token);
            }

            // Any inbound worker still running would move this delivery into the queue and apply it.
            Assert.True(await AppendDeleteAsync(provider, 92, "wh-workers-2"));
            await Task.Delay(500);
            Assert.True((await ItemAsync(provider, "wh-workers-2"))?.Status is null or WorkStatus.Pending);

            await runner.StartAsync(CancellationToken.None);
            var item = await WaitForOutcomeAsync(provider, "wh-workers-2");
            await runner.DisposeAsync();
            Assert.Equal((WorkStatus.Succeeded, 92L), (item.Status, item.CustomerId));
        }
        finally
        {
            await provider.DisposeAsync();
            SqliteConnection.ClearAllPools();
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static Task<bool> AppendDeleteAsync(IServiceProvider provider, long customerId, string webhookId)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"id":{{customerId}}}""");
        var headers = new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>
        {
            [ShopifyWebhookHeaders.Topic] = ShopifyTopics.CustomersDelete,
            [ShopifyWebhookHeaders.HmacSha256] = WebhookSignature.Compute(body, TestSite.UkSecret),
            [ShopifyWebhookHeaders.ShopDomain] = TestSite.UkDomain,
            [ShopifyWebhookHeaders.WebhookId] = webhookId,
        };
        var delivery = provider.GetRequiredService<WebhookVerifier>().Verify(headers, body);
        return provider.GetRequiredService<WebhookInbox>().AppendAsync(delivery, CancellationToken.None);
    }

    private static async Task<WorkItem> WaitForOutcomeAsync(IServiceProvider provider, string webhookId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var item = await ItemAsync(provider, webhookId);
            if (item is { Status: WorkStatus.Succeeded or WorkStatus.DeadLetter } || DateTime.UtcNow > deadline)
            {
                return item ?? throw new Xunit.Sdk.XunitException($"{webhookId} never reached the work queue.");
            }

            await Task.Delay(50);
        }
    }

    private static async Task<WorkItem?> ItemAsync(IServiceProvider provider, string webhookId)
    {
        await using var db = await provider.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        return await db.WorkItems.AsNoTracking().SingleOrDefaultAsync(w => w.DedupKey == webhookId);
    }
}
