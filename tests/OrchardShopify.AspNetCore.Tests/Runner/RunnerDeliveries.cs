using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.AspNetCore.Tests.Runner;

/// <summary>A container whose sync workers the runner starts, and deliveries stored and followed through it.</summary>
internal static class RunnerDeliveries
{
    /// <summary>The sync for the uk store with <c>UseSyncRunner()</c>, no users, nothing logged; <paramref name="settings"/> under <c>Shopify:</c>.</summary>
    public static ServiceProvider Services(IReadOnlyDictionary<string, string?> settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Shopify:Stores:uk:ShopDomain"] = TestSite.UkDomain,
            ["Shopify:Stores:uk:WebhookSecret"] = TestSite.UkSecret,
            ["Shopify:Queue:PollInterval"] = "00:00:00.050",
        };
        foreach (var (key, value) in settings)
        {
            values["Shopify:" + key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddShopifyCustomerSync(configuration.GetSection("Shopify")).UseSyncRunner();
        services.AddSingleton<IUserDirectory, NoUsers>();
        return services.BuildServiceProvider();
    }

    /// <summary>Verifies and stores a signed <c>customers/delete</c> of the uk store (applies without touching users).</summary>
    public static Task<bool> AppendDeleteAsync(IServiceProvider provider, long customerId, string webhookId)
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

    /// <summary>The delivery's work item once finished (or as it is after 20 s); <paramref name="webhookId"/> null: the queue's only item.</summary>
    public static async Task<WorkItem> WaitForOutcomeAsync(IServiceProvider provider, string? webhookId = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            // The delivery is in the queue once moved there from the inbox file.
            var item = await ItemAsync(provider, webhookId);
            if (item is { Status: WorkStatus.Succeeded or WorkStatus.DeadLetter } || DateTime.UtcNow > deadline)
            {
                return item ?? throw new Xunit.Sdk.XunitException($"{webhookId ?? "The delivery"} never reached the work queue.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>The delivery's work item, null while it is not in the queue; <paramref name="webhookId"/> null: the queue's only item.</summary>
    public static async Task<WorkItem?> ItemAsync(IServiceProvider provider, string? webhookId = null)
    {
        await using var db = await provider.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        var items = db.WorkItems.AsNoTracking();
        return await (webhookId is null ? items : items.Where(w => w.DedupKey == webhookId)).SingleOrDefaultAsync();
    }
}
