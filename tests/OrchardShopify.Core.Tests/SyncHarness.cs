using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.DependencyInjection;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;
using OrchardShopify.Testing;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.Core.Tests;

/// <summary>The engine wired as a host wires it, over in-memory ports.</summary>
internal sealed class SyncHarness : IDisposable
{
    public const string UkDomain = "uk-demo.myshopify.com";
    public const string UsDomain = "us-demo.myshopify.com";
    public const string UkSecret = "uk-webhook-secret";
    public const string UsSecret = "us-webhook-secret";

    private readonly ServiceProvider _provider;
    private int _webhookSequence;

    private SyncHarness(ShopifySyncOptions options, Action<ShopifySyncBuilder>? build)
    {
        Options = options;
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
        Shopify = new FakeShopifyCustomers(Time);
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IUserDirectory>(Users);
        services.AddSingleton<ICustomerLinkStore>(Links);
        services.AddSingleton<ISyncLog>(Log);
        services.AddSingleton<IOutboundSyncQueue>(Queue);
        services.AddSingleton<IShopifyCustomerApi>(Shopify);
        var builder = services.AddShopifySyncEngine();
        services.AddSingleton<IOptionsMonitor<ShopifySyncOptions>>(new FixedOptionsMonitor(options));
        build?.Invoke(builder);
        _provider = services.BuildServiceProvider(validateScopes: true);

        var scheduler = _provider.GetRequiredService<OutboundPushScheduler>();
        Users.UserChanged = id => scheduler.UserChangedAsync(id, CancellationToken.None);
    }

    public ShopifySyncOptions Options { get; }

    /// <summary>What the engine logged, with each entry's structured state.</summary>
    public FakeLogCollector Logs => _provider.GetFakeLogCollector();

    public FakeTimeProvider Time { get; }

    public InMemoryUserDirectory Users { get; } = new();

    public InMemoryCustomerLinkStore Links { get; } = new();

    public InMemorySyncLog Log { get; } = new();

    public InMemoryOutboundQueue Queue { get; } = new();

    public FakeShopifyCustomers Shopify { get; }

    public StoreRegistry Stores => _provider.GetRequiredService<StoreRegistry>();

    public WebhookVerifier Verifier => _provider.GetRequiredService<WebhookVerifier>();

    public IServiceProvider Services => _provider;

    public InboundCustomerSync Inbound => _provider.GetRequiredService<InboundCustomerSync>();

    public IShopifyUserUpdateJob Job => _provider.GetRequiredService<IShopifyUserUpdateJob>();

    public static SyncHarness SingleStore(Action<ShopifySyncOptions>? configure = null, Action<ShopifySyncBuilder>? build = null)
    {
        var options = new ShopifySyncOptions
        {
            CreateUsersFromShopify = true,
            Stores = { ["uk"] = new StoreOptions { ShopDomain = UkDomain, WebhookSecret = UkSecret, AccessToken = "shpat_uk_token" } },
        };
        configure?.Invoke(options);
        return new SyncHarness(options, build);
    }

    public static SyncHarness MultiStore(Action<ShopifySyncOptions>? configure = null, Action<ShopifySyncBuilder>? build = null)
    {
        var options = new ShopifySyncOptions
        {
            CreateUsersFromShopify = true,
            MultiStore = true,
            Stores =
            {
                ["uk"] = new StoreOptions { ShopDomain = UkDomain, WebhookSecret = UkSecret, AccessToken = "shpat_uk_token" },
                ["us"] = new StoreOptions { ShopDomain = UsDomain, WebhookSecret = UsSecret, AccessToken = "shpat_us_token" },
            },
        };
        configure?.Invoke(options);
        return new SyncHarness(options, build);
    }

    public static byte[] Payload(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Payloads", name));

    public static Dictionary<string, StringValues> Headers(string topic, string domain, string secret, byte[] body, string? webhookId = null, DateTimeOffset? triggeredAt = null) => new()
    {
        ["X-Shopify-Topic"] = topic,
        ["X-Shopify-Hmac-Sha256"] = WebhookSignature.Compute(body, secret),
        ["X-Shopify-Shop-Domain"] = domain,
        ["X-Shopify-API-Version"] = "2026-10",
        ["X-Shopify-Webhook-Id"] = webhookId ?? Guid.NewGuid().ToString(),
        ["X-Shopify-Event-Id"] = Guid.NewGuid().ToString(),
        ["X-Shopify-Triggered-At"] = (triggeredAt ?? DateTimeOffset.UtcNow).ToString("O", CultureInfo.InvariantCulture),
    };

    /// <summary>Signs, verifies and applies a delivery exactly as a webhook endpoint and its worker would.</summary>
    public Task<InboundResult> DeliverAsync(string topic, byte[] body, string store = "uk", string? webhookId = null, DateTimeOffset? triggeredAt = null)
    {
        var (domain, secret) = store == "us" ? (UsDomain, UsSecret) : (UkDomain, UkSecret);
        var sequence = Interlocked.Increment(ref _webhookSequence);
        var headers = Headers(topic, domain, secret, body, webhookId ?? $"wh-{sequence}", triggeredAt ?? Time.GetUtcNow().AddMilliseconds(sequence));
        var delivery = Verifier.Verify(headers, body);
        return Inbound.ApplyAsync(delivery, CancellationToken.None);
    }

    /// <summary>Runs every queued push through the configured job, as the outbound worker does.</summary>
    public async Task<IReadOnlyList<OutboundResult>> RunOutboundAsync()
    {
        var results = new List<OutboundResult>();
        while (Queue.TryTake(out var push))
        {
            results.Add(await Job.RunAsync(push, CancellationToken.None));
        }

        return results;
    }

    public void Dispose() => _provider.Dispose();

    private sealed class FixedOptionsMonitor(ShopifySyncOptions value) : IOptionsMonitor<ShopifySyncOptions>
    {
        public ShopifySyncOptions CurrentValue => value;

        public ShopifySyncOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ShopifySyncOptions, string?> listener) => null;
    }
}
