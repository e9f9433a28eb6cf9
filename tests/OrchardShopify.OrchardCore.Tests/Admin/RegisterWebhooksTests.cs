using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Localization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrchardCore.DisplayManagement.Notify;
using OrchardCore.Security;
using OrchardCore.Security.Permissions;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Emulator;
using OrchardShopify.OrchardCore.Controllers;
using OrchardShopify.OrchardCore.Tests.Support;

namespace OrchardShopify.OrchardCore.Tests.Admin;

/// <summary>The settings page's "Register webhooks in Shopify" against the local Shopify emulator.</summary>
public sealed class RegisterWebhooksTests : IAsyncLifetime
{
    private const string Shop = "uk-demo.myshopify.com";
    private readonly string _appData = Path.Combine(Path.GetTempPath(), "orchardshopify-oc-tests", Guid.NewGuid().ToString("N"));
    private ShopifyEmulator _emulator = null!;
    private ServiceProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ShopifyEmulator.StartAsync(new EmulatorOptions { CustomersPerShop = 1 }, CancellationToken.None);
        _provider = Tenant(_appData, []);
    }

    private ServiceProvider Tenant(string appData, Dictionary<string, string?> more)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["OrchardShopify:Stores:uk:ShopDomain"] = Shop,
            ["OrchardShopify:Stores:uk:WebhookSecret"] = TenantServices.UkSecret,
            ["OrchardShopify:Stores:uk:AccessToken"] = _emulator.Options.AccessToken,
            ["OrchardShopify:Stores:uk:ApiBaseUrl"] = new Uri(_emulator.BaseUrl, $"shops/{Shop}").ToString(),
        };
        foreach (var (key, value) in more)
        {
            configuration[key] = value;
        }

        var (services, _) = TenantServices.Create(appData, configuration);
        services.AddAuthorizationCore();
        services.AddSingleton<IAuthorizationHandler, PermissionClaimHandler>();
        services.AddSingleton<IHtmlLocalizerFactory, HtmlLocalizerFactory>();
        services.AddTransient(typeof(IHtmlLocalizer<>), typeof(HtmlLocalizer<>));
        services.AddSingleton<Microsoft.AspNetCore.Mvc.Routing.IUrlHelperFactory, Microsoft.AspNetCore.Mvc.Routing.UrlHelperFactory>();
        services.AddScoped<INotifier>(_ => new Notifier(NullLogger<Notifier>.Instance));
        return services.BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _emulator.DisposeAsync();
    }

    [Fact]
    public async Task Registers_the_tenants_webhook_address_for_the_customer_topics_once()
    {
        await using var scope = _provider.CreateAsyncScope();

        var first = await RegisterAsync(scope.ServiceProvider, permitted: true);
        var again = await RegisterAsync(scope.ServiceProvider, permitted: true);

        var store = scope.ServiceProvider.GetRequiredService<StoreRegistry>().FindByHandle("uk")!;
        var subscriptions = await scope.ServiceProvider.GetRequiredService<WebhookSubscriptionClient>().ListAsync(store, CustomerWebhookTopics.All, CancellationToken.None);
        var back = Assert.IsType<RedirectToActionResult>(first);
        Assert.IsType<RedirectToActionResult>(again);
        Assert.Equal(("OrchardCore.Settings", "shopify"), (back.RouteValues!["area"], back.RouteValues["groupId"]));
        Assert.Equal(CustomerWebhookTopics.All.Order(), subscriptions.Select(s => s.Topic).Order());
        Assert.All(subscriptions, s => Assert.Equal(new Uri("https://shop.example.com/uk/!/shopify/webhook"), s.CallbackUri));
        var messages = scope.ServiceProvider.GetRequiredService<INotifier>().List().Select(e => Text(e.Message)).ToList();
        Assert.Contains(messages, m => m.Contains("3 customer webhooks created, 0 already registered", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("0 customer webhooks created, 3 already registered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_a_public_address_configured_registers_that_address_not_the_one_the_request_reached()
    {
        // Behind a proxy the administrator's request reaches the site as https://shop.example.com/uk (RegisterAsync).
        await using var provider = Tenant(_appData + "-public", new() { ["OrchardShopify:PublicUrls:0"] = "https://www.example-shop.com/uk/" });
        await using var scope = provider.CreateAsyncScope();

        Assert.IsType<RedirectToActionResult>(await RegisterAsync(scope.ServiceProvider, permitted: true));

        var store = scope.ServiceProvider.GetRequiredService<StoreRegistry>().FindByHandle("uk")!;
        var subscriptions = await scope.ServiceProvider.GetRequiredService<WebhookSubscriptionClient>().ListAsync(store, CustomerWebhookTopics.All, CancellationToken.None);
        Assert.Equal(CustomerWebhookTopics.All.Order(), subscriptions.Select(s => s.Topic).Order());
        Assert.All(subscriptions, s => Assert.Equal(new Uri("https://www.example-shop.com/uk/!/shopify/webhook"), s.CallbackUri));
    }

    [Fact]
    public async Task User_without_the_permission_is_refused_and_nothing_is_registered()
    {
        await using var scope = _provider.CreateAsyncScope();

        var result = await RegisterAsync(scope.ServiceProvider, permitted: false);

        var store = scope.ServiceProvider.GetRequiredService<StoreRegistry>().FindByHandle("uk")!;
        Assert.IsType<ForbidResult>(result);
        Assert.Empty(await scope.ServiceProvider.GetRequiredService<WebhookSubscriptionClient>().ListAsync(store, CustomerWebhookTopics.All, CancellationToken.None));
    }

    private static string Text(Microsoft.AspNetCore.Html.IHtmlContent html)
    {
        using var writer = new StringWriter();
        html.WriteTo(writer, System.Text.Encodings.Web.HtmlEncoder.Default);
        return writer.ToString();
    }

    private static Task<IActionResult> RegisterAsync(IServiceProvider services, bool permitted)
    {
        var controller = ActivatorUtilities.CreateInstance<AdminController>(services);
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Scheme = "https";
        http.Request.Host = new HostString("shop.example.com");
        http.Request.PathBase = "/uk";
        http.User = new ClaimsPrincipal(new ClaimsIdentity(
            permitted ? [new Claim(Permission.ClaimType, ShopifySyncPermissions.ManageShopifySync.Name)] : [],
            authenticationType: "test"));
        controller.ControllerContext = new ControllerContext(new ActionContext(http, new Microsoft.AspNetCore.Routing.RouteData(), new Microsoft.AspNetCore.Mvc.Controllers.ControllerActionDescriptor()));
        return controller.RegisterWebhooks();
    }

    /// <summary>Grants a permission to a user holding its permission claim, as Orchard Core's permission granting service does.</summary>
    private sealed class PermissionClaimHandler : AuthorizationHandler<PermissionRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PermissionRequirement requirement)
        {
            if (context.User.HasClaim(Permission.ClaimType, requirement.Permission.Name))
            {
                context.Succeed(requirement);
            }

            return Task.CompletedTask;
        }
    }
}
