using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.DependencyInjection;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;
using OrchardShopify.Core.Webhooks;
using OrchardShopify.Testing;

namespace OrchardShopify.Demo;

/// <summary>
/// A minimal site around the engine: a webhook URL that verifies and applies deliveries, and a worker
/// that pushes user changes. Users and links live in memory for the demo's lifetime.
/// </summary>
internal sealed class DemoSite : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DemoSite(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public Uri WebhookUrl => new(BaseUrl, "/!/shopify/webhook");

    public IServiceProvider Services => _app.Services;

    public InMemoryUserDirectory Users => Services.GetRequiredService<InMemoryUserDirectory>();

    public InMemoryCustomerLinkStore Links => Services.GetRequiredService<InMemoryCustomerLinkStore>();

    public InMemorySyncLog Log => Services.GetRequiredService<InMemorySyncLog>();

    public static async Task<DemoSite> StartAsync(Action<ShopifySyncOptions> configure, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<InMemoryUserDirectory>();
        builder.Services.AddSingleton<IUserDirectory>(sp => sp.GetRequiredService<InMemoryUserDirectory>());
        builder.Services.AddSingleton<InMemoryCustomerLinkStore>();
        builder.Services.AddSingleton<ICustomerLinkStore>(sp => sp.GetRequiredService<InMemoryCustomerLinkStore>());
        builder.Services.AddSingleton<InMemorySyncLog>();
        builder.Services.AddSingleton<ISyncLog>(sp => sp.GetRequiredService<InMemorySyncLog>());
        builder.Services.AddSingleton<InMemoryOutboundQueue>();
        builder.Services.AddSingleton<IOutboundSyncQueue>(sp => sp.GetRequiredService<InMemoryOutboundQueue>());
        builder.Services.AddShopifySyncEngine();
        builder.Services.AddOptions<ShopifySyncOptions>().Configure(configure).ValidateOnStart();
        builder.Services.AddShopifyAdminApi();
        builder.Services.AddHostedService<OutboundWorker>();

        var app = builder.Build();
        app.MapPost("/!/shopify/webhook", ReceiveAsync);
        await app.StartAsync(cancellationToken);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var site = new DemoSite(app, new Uri(address));

        // The host's user events feed the outbound scheduler, as the Identity and Orchard adapters do.
        var scheduler = app.Services.GetRequiredService<OutboundPushScheduler>();
        site.Users.UserChanged = id => scheduler.UserChangedAsync(id, CancellationToken.None);
        return site;
    }

    private static async Task<IResult> ReceiveAsync(HttpContext http, WebhookVerifier verifier, InboundCustomerSync inbound, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, cancellationToken);
        try
        {
            var delivery = verifier.Verify(http.Request.Headers, buffer.ToArray());
            await inbound.ApplyAsync(delivery, cancellationToken);
            return Results.Ok();
        }
        catch (WebhookVerificationException ex)
        {
            return Results.Problem(ex.Message, statusCode: ex.StatusCode);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Runs queued pushes through the configured job; transient failures go back in the queue.</summary>
    private sealed class OutboundWorker(InMemoryOutboundQueue queue, IServiceProvider services) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                while (queue.TryTake(out var push))
                {
                    try
                    {
                        await services.GetRequiredService<IShopifyUserUpdateJob>().RunAsync(push, stoppingToken);
                    }
                    catch (ShopifyApiException ex) when (ex.IsTransient)
                    {
                        await queue.EnqueueAsync(push, stoppingToken);
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), stoppingToken);
            }
        }
    }
}
