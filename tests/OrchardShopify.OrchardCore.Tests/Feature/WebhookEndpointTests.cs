using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrchardCore.Environment.Shell.Configuration;
using OrchardShopify.Core.Webhooks;
using OrchardShopify.OrchardCore.Hosting;
using OrchardShopify.OrchardCore.Tests.Support;

namespace OrchardShopify.OrchardCore.Tests.Feature;

/// <summary>The feature's Configure maps the webhook endpoints into a tenant's routes; requests go over Kestrel.</summary>
public sealed class WebhookEndpointTests : IAsyncDisposable
{
    private readonly string _appData = Path.Combine(Path.GetTempPath(), "orchardshopify-oc-tests", Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private ServiceProvider? _tenant;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_tenant is not null)
        {
            await _tenant.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_appData))
        {
            Directory.Delete(_appData, recursive: true);
        }
    }

    [Fact]
    public async Task Signed_customer_webhook_is_accepted_anonymously_without_antiforgery_and_stored_once()
    {
        using var http = await StartAsync(TenantServices.UkStore());
        var body = Encoding.UTF8.GetBytes("""{"id":706405506930370084,"email":"bob@example.com"}""");

        using var first = await http.SendAsync(Signed("/!/shopify/webhook/customer/delete", body, TenantServices.UkSecret, "wh-oc-1"));
        using var again = await http.SendAsync(Signed("/!/shopify/webhook/customer/delete", body, TenantServices.UkSecret, "wh-oc-1"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1L, await CountDeliveriesAsync());
    }

    [Fact]
    public async Task Webhook_signed_with_the_wrong_secret_is_refused_and_not_stored()
    {
        using var http = await StartAsync(TenantServices.UkStore());
        var body = Encoding.UTF8.GetBytes("""{"id":706405506930370084}""");

        using var response = await http.SendAsync(Signed("/!/shopify/webhook/customer/delete", body, "not-the-secret", "wh-oc-2"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(0L, await CountDeliveriesAsync());
    }

    [Fact]
    public async Task Tenant_without_settings_answers_503_so_shopify_retries_later()
    {
        using var http = await StartAsync(new Dictionary<string, string?>());
        var body = Encoding.UTF8.GetBytes("""{"id":706405506930370084}""");

        using var response = await http.SendAsync(Signed("/!/shopify/webhook/customer/delete", body, TenantServices.UkSecret, "wh-oc-3"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    /// <summary>
    /// A tenant as Orchard Core runs one: its own container and its own pipeline (routing, the feature's endpoints),
    /// entered with a fresh scope per request; the web server in front only hands requests to it.
    /// </summary>
    private async Task<HttpClient> StartAsync(Dictionary<string, string?> configuration)
    {
        var (services, _) = TenantServices.Create(_appData, configuration);
        services.AddRouting();
        services.AddSingleton(new DiagnosticListener("tenant"));
        _tenant = services.BuildServiceProvider();
        var tenantApp = new ApplicationBuilder(_tenant);
        tenantApp.UseRouting();
        tenantApp.UseEndpoints(endpoints => new OrchardShopify.OrchardCore.Startup(_tenant.GetRequiredService<IShellConfiguration>())
            .Configure(tenantApp, endpoints, _tenant));
        var tenantPipeline = tenantApp.Build();
        await _tenant.GetRequiredService<TenantSyncLifetime>().EnsureStartedAsync(CancellationToken.None);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async context =>
        {
            await using var scope = _tenant.CreateAsyncScope();
            context.RequestServices = scope.ServiceProvider;
            await tenantPipeline(context);
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HttpClient { BaseAddress = new Uri(address) };
    }

    /// <summary>
    /// Deliveries the tenant stored, read from its SQLite files under App_Data/Sites/Default: those still in the inbox
    /// file beside the sync database and those already moved into its work queue, each webhook id once. The inbox file
    /// is read first, so a delivery moved meanwhile is found in the queue.
    /// </summary>
    private async Task<long> CountDeliveriesAsync()
    {
        var file = Path.Combine(_appData, "Sites", "Default", TenantSyncStorage.DatabaseFileName);
        var inbox = Path.Combine(Path.GetDirectoryName(file)!, Path.GetFileNameWithoutExtension(file) + ".inbox" + Path.GetExtension(file));
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={inbox};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS shopify_inbox (seq INTEGER PRIMARY KEY, webhook_id TEXT NOT NULL UNIQUE, store TEXT NOT NULL, topic TEXT NOT NULL, event_id TEXT, triggered_at INTEGER, api_version TEXT, body BLOB NOT NULL, received_at INTEGER NOT NULL)";
        await command.ExecuteNonQueryAsync();
        command.CommandText = "ATTACH DATABASE @file AS sync";
        command.Parameters.AddWithValue("@file", file);
        await command.ExecuteNonQueryAsync();
        command.CommandText = "SELECT COUNT(*) FROM (SELECT webhook_id FROM shopify_inbox UNION SELECT dedup_key FROM sync.shopify_work_items WHERE kind = 1)";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static HttpRequestMessage Signed(string path, byte[] body, string secret, string webhookId)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(ShopifyWebhookHeaders.Topic, ShopifyTopics.CustomersDelete);
        request.Headers.Add(ShopifyWebhookHeaders.HmacSha256, WebhookSignature.Compute(body, secret));
        request.Headers.Add(ShopifyWebhookHeaders.ShopDomain, TenantServices.UkDomain);
        request.Headers.Add(ShopifyWebhookHeaders.WebhookId, webhookId);
        return request;
    }
}
