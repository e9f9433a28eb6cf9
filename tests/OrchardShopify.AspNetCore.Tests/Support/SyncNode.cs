using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.AspNetCore.Tests.Support;

/// <summary>The sync's services without a web server: one "node" over a given database, for queue and multi-node tests.</summary>
internal sealed class SyncNode : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly string? _ownFolder;

    /// <param name="logs">Receives every log entry at every level; without it nothing is logged.</param>
    public SyncNode(ShopifyStorageProvider storage, string connectionString, TimeProvider? time = null, Action<Dictionary<string, string?>>? configure = null, ILoggerProvider? logs = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Shopify:Stores:uk:ShopDomain"] = TestSite.UkDomain,
            ["Shopify:Stores:uk:WebhookSecret"] = TestSite.UkSecret,
            ["Shopify:Storage:Provider"] = storage.ToString(),
            ["Shopify:Storage:ConnectionString"] = connectionString,
            ["Shopify:Queue:LeaseDuration"] = "00:01:00",
            ["Shopify:Queue:PollInterval"] = "00:00:00.050",
        };
        if (storage == ShopifyStorageProvider.PostgreSql)
        {
            // Each node's inbox file in a folder of its own, as on separate machines.
            _ownFolder = Path.Combine(Path.GetTempPath(), "orchardshopify-tests", "node-" + Guid.NewGuid().ToString("N"));
            settings["Shopify:Storage:InboxFile"] = Path.Combine(_ownFolder, "inbox.db");
        }

        configure?.Invoke(settings);
        InboxFile = settings.GetValueOrDefault("Shopify:Storage:InboxFile");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        var services = new ServiceCollection();
        if (logs is null)
        {
            services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
            services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        }
        else
        {
            services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        }

        services.AddSingleton<IConfiguration>(configuration);
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddShopifyCustomerSync(configuration.GetSection("Shopify"));
        services.AddSingleton<IUserDirectory, NoUsers>();
        _provider = services.BuildServiceProvider();
    }

    /// <summary>The node's inbox file when it is configured (on PostgreSQL, always: a folder of the node's own).</summary>
    public string? InboxFile { get; }

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public IServiceProvider Services => _provider;

    public IEnumerable<IHostedService> HostedServices => _provider.GetServices<IHostedService>();

    public async Task StartAsync(bool workers)
    {
        foreach (var service in HostedServices)
        {
            if (workers || service is Workers.SyncSchemaMigrator)
            {
                await service.StartAsync(CancellationToken.None);
            }
        }
    }

    public async Task StopAsync()
    {
        foreach (var service in HostedServices.Reverse())
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>Verifies and stores a signed <c>customers/delete</c> for an unlinked customer (applies without touching users).</summary>
    public Task<bool> AppendDeleteAsync(long customerId, string webhookId)
        => AppendAsync(ShopifyTopics.CustomersDelete, Encoding.UTF8.GetBytes($$"""{"id":{{customerId}}}"""), webhookId);

    /// <summary>Verifies and stores a delivery of <paramref name="topic"/> from the uk store, signed with its secret.</summary>
    public Task<bool> AppendAsync(string topic, byte[] body, string webhookId)
    {
        var headers = new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>
        {
            [ShopifyWebhookHeaders.Topic] = topic,
            [ShopifyWebhookHeaders.HmacSha256] = WebhookSignature.Compute(body, TestSite.UkSecret),
            [ShopifyWebhookHeaders.ShopDomain] = TestSite.UkDomain,
            [ShopifyWebhookHeaders.WebhookId] = webhookId,
        };
        var delivery = Get<WebhookVerifier>().Verify(headers, body);
        return Get<WebhookInbox>().AppendAsync(delivery, CancellationToken.None);
    }

    public StoreRegistry Stores => Get<StoreRegistry>();

    public async ValueTask DisposeAsync()
    {
        await _provider.DisposeAsync();
        if (_ownFolder is not null && Directory.Exists(_ownFolder))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_ownFolder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open on a slow machine; the temp folder is cleaned by the OS.
            }
        }
    }
}
