using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Emulator.Customers;

namespace OrchardShopify.Emulator;

/// <summary>A running Shopify emulator: Admin GraphQL API, webhooks and the control API on one Kestrel listener.</summary>
public sealed class ShopifyEmulator : IAsyncDisposable
{
    private static readonly string[] NonPostMethods = ["GET", "PUT", "DELETE", "PATCH"];
    private readonly WebApplication _app;
    private int _disposed;

    private ShopifyEmulator(WebApplication app, EmulatorState state, Uri baseUrl)
    {
        _app = app;
        State = state;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public EmulatorState State { get; }

    public EmulatorOptions Options => State.Options;

    public IReadOnlyDictionary<string, Shop> Shops => State.Shops;

    public static async Task<ShopifyEmulator> StartAsync(EmulatorOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var state = new EmulatorState(options);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ShopifyEmulator).Assembly.GetName().Name,
            Args = [],
        });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.Logging.ClearProviders();
        if (options.ConsoleLogging)
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        builder.Services.AddRouting();
        var app = builder.Build();
        app.MapPost("/shops/{shop}/admin/api/{version}/graphql.json", (HttpContext http, string shop, string version) =>
            AdminApiEndpoint.HandleAsync(http, state, shop, version));
        app.MapMethods("/shops/{shop}/admin/api/{version}/graphql.json", NonPostMethods, () =>
            Results.Json(new { errors = "GraphQL requests must be POSTed as application/json" }, statusCode: StatusCodes.Status405MethodNotAllowed));
        ControlApi.Map(app, state);
        app.MapFallback((HttpContext http) => Results.Json(new { errors = "Not Found", path = http.Request.Path.Value }, statusCode: StatusCodes.Status404NotFound));

        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            await state.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ShopifyEmulator(app, state, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public Uri AdminApiUrl(string shop, string apiVersion = EmulatorOptions.DefaultApiVersion) =>
        new(BaseUrl, $"shops/{shop}/admin/api/{apiVersion}/graphql.json");

    public void SetFaults(FaultSettings faults) => State.Faults.Replace(faults);

    public void Reset(int? customersPerShop = null) => State.Reset(customersPerShop);

    /// <summary>Completes when no webhook delivery is pending or waiting to retry (or the timeout passes).</summary>
    public Task WaitForWebhooksAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        State.Webhooks.WaitIdleAsync(timeout, cancellationToken);

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await State.DisposeAsync();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
