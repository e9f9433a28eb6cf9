using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Localization;
using OrchardCore.Admin;
using OrchardCore.DisplayManagement.Notify;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.OrchardCore.Controllers;

/// <summary>Subscribes this site to each store's customer webhooks (the Statamic addon's <c>shopify:webhooks:register</c>).</summary>
[Admin("Shopify/{action}", "Shopify{action}")]
public sealed class AdminController : Controller
{
    private readonly IAuthorizationService _authorizationService;
    private readonly StoreRegistry _stores;
    private readonly WebhookSubscriptionClient _subscriptions;
    private readonly INotifier _notifier;

    internal readonly IHtmlLocalizer H;

    public AdminController(
        IAuthorizationService authorizationService,
        StoreRegistry stores,
        WebhookSubscriptionClient subscriptions,
        INotifier notifier,
        IHtmlLocalizer<AdminController> htmlLocalizer)
    {
        _authorizationService = authorizationService;
        _stores = stores;
        _subscriptions = subscriptions;
        _notifier = notifier;
        H = htmlLocalizer;
    }

    [HttpPost]
    public async Task<IActionResult> RegisterWebhooks()
    {
        if (!await _authorizationService.AuthorizeAsync(User, ShopifySyncPermissions.ManageShopifySync))
        {
            return Forbid();
        }

        // One address for every customer topic: the endpoint routes by X-Shopify-Topic. PathBase holds the tenant's prefix.
        var callback = new Uri($"{Request.Scheme}://{Request.Host}{Request.PathBase}{ShopifyEndpointRouteBuilderExtensions.Prefix}/webhook");
        foreach (var store in _stores.Stores)
        {
            if (!store.CanCallAdminApi)
            {
                await _notifier.WarningAsync(H["Store {0} has no access token; its webhooks were not registered.", store.Handle]);
                continue;
            }

            try
            {
                var registration = await _subscriptions.RegisterCustomerWebhooksAsync(store, callback, HttpContext.RequestAborted);
                await _notifier.SuccessAsync(H["Store {0}: {1} customer webhooks created, {2} already registered, for {3}.", store.Handle, registration.Created.Count, registration.AlreadyRegistered.Count, callback]);
            }
            catch (ShopifyApiException refused) when (ProtectedCustomerData.IsRefusal(refused))
            {
                // What is missing, in plain words, and where the merchant reads what to request (not Shopify's raw error).
                await _notifier.ErrorAsync(H["{0} <a href=\"{1}\" target=\"_blank\" rel=\"noopener noreferrer\">What to request from Shopify</a>", ProtectedCustomerData.Explain(store.Handle, refused.ShopifyMessage), ProtectedCustomerData.RequestDocumentationUrl]);
            }
#pragma warning disable CA1031 // Each store's outcome is reported on the page; one failing store does not stop the others.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                await _notifier.ErrorAsync(H["Store {0}: the webhooks could not be registered ({1}).", store.Handle, ex.GetType().Name]);
            }
        }

        return RedirectToAction("Index", "Admin", new { area = "OrchardCore.Settings", groupId = ShopifySyncConstants.SettingsGroupId });
    }
}
