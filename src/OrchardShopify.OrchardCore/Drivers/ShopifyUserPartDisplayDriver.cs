using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OrchardCore.DisplayManagement.Entities;
using OrchardCore.DisplayManagement.Handlers;
using OrchardCore.DisplayManagement.Views;
using OrchardCore.Users.Models;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.OrchardCore.Settings;
using OrchardShopify.OrchardCore.Users;
using OrchardShopify.OrchardCore.ViewModels;

namespace OrchardShopify.OrchardCore.Drivers;

/// <summary>
/// The Shopify section of the user editor: the names sent to Shopify (editable), the linked customers, and the link and
/// unlink actions (<see cref="Controllers.AdminController"/>).
/// </summary>
internal sealed class ShopifyUserPartDisplayDriver : SectionDisplayDriver<User, ShopifyUserPart>
{
    private readonly IHttpContextAccessor _httpContextAccessor;
    private readonly ShopifySyncReadiness _readiness;

    /// <remarks>
    /// Orchard Core builds every user editor driver for each page of the users admin, so this one must not read the sync's
    /// settings when it is built: until they are valid (no store yet, a store being fixed) reading them throws, and the
    /// whole users admin would fail with it. The stores are read in <see cref="Edit"/>, once the settings are known valid.
    /// </remarks>
    public ShopifyUserPartDisplayDriver(IHttpContextAccessor httpContextAccessor, ShopifySyncReadiness readiness)
    {
        _httpContextAccessor = httpContextAccessor;
        _readiness = readiness;
    }

    public override IDisplayResult Edit(User user, ShopifyUserPart part, BuildEditorContext context)
    {
        return Initialize<ShopifyUserPartViewModel>("ShopifyUserPart_Edit", async model =>
        {
            model.FirstName = part.FirstName;
            model.LastName = part.LastName;
            model.Links = Links(part);
            model.UserId = string.IsNullOrEmpty(user?.UserId) || user.Id == 0 ? null : user.UserId;
            // The stores and the links' signals exist only once the sync's settings are valid (its database is set up then).
            var ready = _readiness.Problems().Count == 0;
            model.SyncReady = ready;
            model.LinkableStores = ready ? LinkableStores(part) : [];
            model.Signals = ready ? await SignalsAsync(user) : [];
        }).Location("Content:3");
    }

    /// <summary>
    /// Changes only the names whose inputs this request's form posted. Orchard Core calls every user editor driver on
    /// Save, also when the form did not show this section (another editor group, a custom profile page); a name that
    /// was not posted keeps its value. A posted empty input is the administrator clearing that name: the inputs exist
    /// only where the section was rendered with the stored names in them.
    /// </summary>
    public override async Task<IDisplayResult> UpdateAsync(User user, ShopifyUserPart part, UpdateEditorContext context)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(context);
        var postedFirst = await IsPostedAsync(nameof(ShopifyUserPartViewModel.FirstName));
        var postedLast = await IsPostedAsync(nameof(ShopifyUserPartViewModel.LastName));
        if (postedFirst || postedLast)
        {
            var model = new ShopifyUserPartViewModel();
            await context.Updater.TryUpdateModelAsync(model, Prefix, m => m.FirstName, m => m.LastName);
            if (postedFirst)
            {
                part.FirstName = Clean(model.FirstName);
            }

            if (postedLast)
            {
                part.LastName = Clean(model.LastName);
            }
        }

        return await EditAsync(user, part, context);
    }

    /// <summary>The stores the user can be linked in from the editor (the sync's settings being valid).</summary>
    private List<string> LinkableStores(ShopifyUserPart part)
    {
        if (_httpContextAccessor.HttpContext?.RequestServices.GetService<StoreRegistry>() is not { } stores)
        {
            return [];
        }

        return stores.Stores
            .Where(s => s.CanCallAdminApi && (stores.MultiStore ? !part.ShopifyIds.ContainsKey(s.Handle) : part.ShopifyId is null))
            .Select(s => s.Handle)
            .ToList();
    }

    /// <summary>The commerce signals the sync stored on the user's links, by store; none for a user not yet saved.</summary>
    private async Task<IReadOnlyList<KeyValuePair<string, CustomerSignals>>> SignalsAsync(User? user)
    {
        if (string.IsNullOrEmpty(user?.UserId) || _httpContextAccessor.HttpContext?.RequestServices.GetService<ICustomerLinkStore>() is not { } links)
        {
            return [];
        }

        var found = await links.FindByUserAsync(user.UserId, _httpContextAccessor.HttpContext.RequestAborted);
        return found.Where(l => l.Signals is not null)
            .OrderBy(l => l.StoreHandle, StringComparer.OrdinalIgnoreCase)
            .Select(l => new KeyValuePair<string, CustomerSignals>(l.StoreHandle, l.Signals!))
            .ToList();
    }

    internal static IReadOnlyList<KeyValuePair<string, long>> Links(ShopifyUserPart part)
    {
        var links = part.ShopifyIds.OrderBy(pair => pair.Key, StringComparer.OrdinalIgnoreCase).ToList();
        if (part.ShopifyId is { } id)
        {
            links.Insert(0, new KeyValuePair<string, long>("", id));
        }

        return links;
    }

    private async Task<bool> IsPostedAsync(string field)
    {
        var request = _httpContextAccessor.HttpContext?.Request;
        if (request is null || !request.HasFormContentType)
        {
            return false;
        }

        var form = await request.ReadFormAsync();
        return form.ContainsKey(string.IsNullOrEmpty(Prefix) ? field : $"{Prefix}.{field}");
    }

    private static string? Clean(string? name) => string.IsNullOrWhiteSpace(name) ? null : name.Trim();
}
