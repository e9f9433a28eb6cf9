using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Localization;
using Microsoft.Extensions.DependencyInjection;
using OrchardCore.Admin;
using OrchardCore.DisplayManagement.Notify;
using OrchardCore.Users;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Health;
using OrchardShopify.AspNetCore.Operations;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.OrchardCore.Settings;

namespace OrchardShopify.OrchardCore.Controllers;

/// <summary>
/// Subscribes this site to each store's customer webhooks (the Statamic addon's <c>shopify:webhooks:register</c>), and
/// links or unlinks a user and a Shopify customer from the user editor (<see cref="CustomerLinkAdmin"/>).
/// </summary>
[Admin("Shopify/{action}", "Shopify{action}")]
public sealed class AdminController : Controller
{
    private readonly IAuthorizationService _authorizationService;
    private readonly INotifier _notifier;

    internal readonly IHtmlLocalizer H;

    // The sync's services are resolved in the actions, once its settings are known to be valid: building them reads the
    // settings, which throws while they are not (no store yet, a secret that can no longer be read).
    public AdminController(
        IAuthorizationService authorizationService,
        INotifier notifier,
        IHtmlLocalizer<AdminController> htmlLocalizer)
    {
        _authorizationService = authorizationService;
        _notifier = notifier;
        H = htmlLocalizer;
    }

    private StoreRegistry Stores => HttpContext.RequestServices.GetRequiredService<StoreRegistry>();

    private WebhookSubscriptionMonitor Subscriptions => HttpContext.RequestServices.GetRequiredService<WebhookSubscriptionMonitor>();

    private CustomerLinkAdmin Linking => HttpContext.RequestServices.GetRequiredService<CustomerLinkAdmin>();

    [HttpPost]
    public async Task<IActionResult> RegisterWebhooks()
    {
        if (!await _authorizationService.AuthorizeAsync(User, ShopifySyncPermissions.ManageShopifySync))
        {
            return Forbid();
        }

        var backToSettings = RedirectToAction("Index", "Admin", new { area = "OrchardCore.Settings", groupId = ShopifySyncConstants.SettingsGroupId });
        if (await RefusedWhileNotReadyAsync("No webhooks were registered"))
        {
            return backToSettings;
        }

        // One address for every customer topic: the endpoint routes by X-Shopify-Topic. The site's public address when the
        // tenant names one (PublicUrls: behind a proxy the request may have reached an internal address, and the
        // subscription check compares with that one), else the address the administrator reached; PathBase holds the
        // tenant's prefix.
        var subscriptions = Subscriptions;
        var published = subscriptions.CallbackUrls;
        var callback = published.Count > 0
            ? published[0]
            : new Uri($"{Request.Scheme}://{Request.Host}{Request.PathBase}{ShopifyEndpointRouteBuilderExtensions.Prefix}/webhook");
        foreach (var store in Stores.Stores)
        {
            if (!store.CanCallAdminApi)
            {
                await _notifier.WarningAsync(H["Store {0} has no access token; its webhooks were not registered.", store.Handle]);
                continue;
            }

            try
            {
                // Under the store's registration lock, which the automatic registration takes too.
                var registration = await subscriptions.RegisterCustomerWebhooksAsync(store, callback, HttpContext.RequestAborted);
                subscriptions.Forget(store.Handle);
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

        return backToSettings;
    }

    /// <summary>
    /// Links the user to a customer of the store under the rules of automatic linking (a confirmed email equal to the
    /// customer's), or with the override, which the sync log records with the administrator's name. Posted by the user
    /// editor's Link button, so it carries the editor form's antiforgery token.
    /// </summary>
    [HttpPost]
    [ValidateAntiForgeryToken]
    public async Task<IActionResult> LinkCustomer(string userId, [FromForm(Name = "ShopifyLink.Store")] string? store, [FromForm(Name = "ShopifyLink.CustomerId")] string? customerId, [FromForm(Name = "ShopifyLink.Override")] bool overrideVerification)
    {
        if (!await MayChangeLinksOfAsync(userId))
        {
            return Forbid();
        }

        if (await RefusedWhileNotReadyAsync("Not linked"))
        {
            return BackToEditor(userId);
        }

        if (!long.TryParse(customerId?.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) || id <= 0)
        {
            await _notifier.ErrorAsync(H["Not linked: '{0}' is not a Shopify customer id (digits only).", customerId ?? ""]);
            return BackToEditor(userId);
        }

        try
        {
            var result = await Linking.LinkAsync(store, userId, id, overrideVerification, User.Identity?.Name ?? "an administrator", HttpContext.RequestAborted);
            await _notifier.SuccessAsync(H["{0}", result.Message]);
        }
        catch (AdminRequestException refused)
        {
            await _notifier.ErrorAsync(H["Not linked: {0}", refused.Message]);
        }

        return BackToEditor(userId);
    }

    /// <summary>Removes the user's link in the store; the user and the Shopify customer stay.</summary>
    [HttpPost]
    [ValidateAntiForgeryToken]
    public async Task<IActionResult> UnlinkCustomer(string userId, [FromForm(Name = "ShopifyUnlink.Store")] string? store)
    {
        if (!await MayChangeLinksOfAsync(userId))
        {
            return Forbid();
        }

        if (await RefusedWhileNotReadyAsync("Not unlinked"))
        {
            return BackToEditor(userId);
        }

        try
        {
            var result = await Linking.UnlinkAsync(string.IsNullOrEmpty(store) ? null : store, userId, User.Identity?.Name ?? "an administrator", HttpContext.RequestAborted);
            await _notifier.SuccessAsync(H["{0}", result.Message]);
        }
        catch (AdminRequestException refused)
        {
            await _notifier.ErrorAsync(H["Not unlinked: {0}", refused.Message]);
        }

        return BackToEditor(userId);
    }

    /// <summary>
    /// Linking and unlinking change the user's account (its Shopify id, names filled from the customer, its roles), so
    /// they need Orchard Core's permission to edit that user as well as the sync's: Manage Shopify sync alone does not
    /// reach the accounts of users the administrator may not edit (an Administrator's, for a shop manager).
    /// </summary>
    private async Task<bool> MayChangeLinksOfAsync(string userId)
    {
        if (!await _authorizationService.AuthorizeAsync(User, ShopifySyncPermissions.ManageShopifySync))
        {
            return false;
        }

        var user = string.IsNullOrEmpty(userId) ? null : await HttpContext.RequestServices.GetRequiredService<UserManager<IUser>>().FindByIdAsync(userId);

        // An unknown user is refused by the link service with its reason; there is no account to protect.
        // CommonPermissions is Orchard Core 2's name for it; 3.0 keeps it (deprecated for UsersPermissions, which 2.x lacks).
#pragma warning disable CS0618
        return user is null || await _authorizationService.AuthorizeAsync(User, CommonPermissions.EditUsers, user);
#pragma warning restore CS0618
    }

    /// <summary>True, with the reason shown to the administrator, while the sync's settings are not valid.</summary>
    private async Task<bool> RefusedWhileNotReadyAsync(string outcome)
    {
        if (HttpContext.RequestServices.GetRequiredService<ShopifySyncReadiness>().Problems() is not { Count: > 0 } problems)
        {
            return false;
        }

        await _notifier.ErrorAsync(H["{0}: the Shopify sync's settings are not valid yet ({1}). Fix them under Settings › Shopify sync.", outcome, string.Join(" ", problems)]);
        return true;
    }

    private RedirectToActionResult BackToEditor(string userId) => RedirectToAction("Edit", "Admin", new { area = "OrchardCore.Users", id = userId });
}
