using System.Security.Claims;
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Values;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.Core.Ports;
using OrchardShopify.Emulator;
using OrchardShopify.Testing;

namespace OrchardShopify.Liquid.Tests.Support;

/// <summary>
/// A site as the tags see it: the real customer view service (Admin GraphQL client, cache) over the emulator,
/// links in memory, and a request whose signed-in user the test names.
/// </summary>
public sealed class LiquidSite : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private LiquidSite(ServiceProvider services, InMemoryCustomerLinkStore links)
    {
        _services = services;
        Links = links;
    }

    public InMemoryCustomerLinkStore Links { get; }

    public static LiquidSite Create(ShopifyEmulator emulator, bool multiStore, params string[] shops)
        => Create(emulator, multiStore, withAccessToken: true, shops);

    /// <param name="withAccessToken">False: the stores are configured for webhooks only, without an Admin API token.</param>
    public static LiquidSite Create(ShopifyEmulator emulator, bool multiStore, bool withAccessToken, params string[] shops)
        => Create(emulator, multiStore, withAccessToken, showCustomerNote: false, shops);

    /// <param name="showCustomerNote">The host shows the merchant's customer note to the customer (<c>Shopify:ShowCustomerNote</c>).</param>
    public static LiquidSite Create(ShopifyEmulator emulator, bool multiStore, bool withAccessToken, bool showCustomerNote, params string[] shops)
    {
        var settings = new Dictionary<string, string?> { ["MultiStore"] = multiStore ? "true" : "false", ["ShowCustomerNote"] = showCustomerNote ? "true" : "false" };
        foreach (var shop in shops)
        {
            var handle = shop[..2];
            settings[$"Stores:{handle}:ShopDomain"] = shop;
            settings[$"Stores:{handle}:AccessToken"] = withAccessToken ? emulator.Options.AccessToken : null;
            settings[$"Stores:{handle}:WebhookSecret"] = emulator.Options.WebhookSecret;
            settings[$"Stores:{handle}:ApiBaseUrl"] = new Uri(emulator.BaseUrl, $"shops/{shop}").AbsoluteUri;
        }

        var links = new InMemoryCustomerLinkStore();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHttpContextAccessor();
        services.AddSingleton<ICustomerLinkStore>(links);
        services.AddShopifyCustomerSync(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return new LiquidSite(services.BuildServiceProvider(), links);
    }

    public Task LinkAsync(string userId, string store, long customerId)
        => Links.TryAddAsync(new CustomerLink(store, customerId, userId, DateTimeOffset.UtcNow), CancellationToken.None);

    /// <summary>Parses with a plain FluidParser carrying the tags and renders HTML-encoded, as Orchard Core does.</summary>
    public async Task<string> RenderAsync(string template, string? userId, IReadOnlyDictionary<string, string>? variables = null, Func<IServiceProvider, IServiceProvider>? decorate = null)
    {
        var parser = new FluidParser().RegisterShopifyCustomerTags();
        Assert.True(parser.TryParse(template, out var parsed, out var error), error);
        return await RenderAsync(parsed, userId, variables, decorate);
    }

    /// <summary>Renders with <paramref name="values"/> set as the host sets them (converted by Fluid, e.g. a request's query collection).</summary>
    public async Task<string> RenderAsync(string template, string? userId, IReadOnlyDictionary<string, object> values)
    {
        var parser = new FluidParser().RegisterShopifyCustomerTags();
        Assert.True(parser.TryParse(template, out var parsed, out var error), error);
        await using var scope = _services.CreateAsyncScope();
        var identity = userId is null ? new ClaimsIdentity() : new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId)], "Test");
        var request = new DefaultHttpContext { RequestServices = scope.ServiceProvider, User = new ClaimsPrincipal(identity) };
        scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>().HttpContext = request;

        var context = new TemplateContext().SetShopifyServices(scope.ServiceProvider);
        foreach (var (name, value) in values)
        {
            context.SetValue(name, value);
        }

        return await parsed.RenderAsync(context, HtmlEncoder.Default);
    }

    public async Task<string> RenderAsync(IFluidTemplate template, string? userId, IReadOnlyDictionary<string, string>? variables = null, Func<IServiceProvider, IServiceProvider>? decorate = null)
    {
        await using var scope = _services.CreateAsyncScope();
        var services = decorate?.Invoke(scope.ServiceProvider) ?? scope.ServiceProvider;
        var identity = userId is null ? new ClaimsIdentity() : new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, userId)], "Test");
        var request = new DefaultHttpContext { RequestServices = services, User = new ClaimsPrincipal(identity) };
        services.GetRequiredService<IHttpContextAccessor>().HttpContext = request;

        var context = new TemplateContext().SetShopifyServices(services);
        foreach (var (name, value) in variables ?? new Dictionary<string, string>())
        {
            context.SetValue(name, new StringValue(value));
        }

        return await template.RenderAsync(context, HtmlEncoder.Default);
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
