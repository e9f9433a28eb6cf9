using OrchardCore.DisplayManagement.Entities;
using OrchardCore.DisplayManagement.Handlers;
using OrchardCore.DisplayManagement.Views;
using OrchardCore.Users.Models;
using OrchardShopify.OrchardCore.Users;
using OrchardShopify.OrchardCore.ViewModels;

namespace OrchardShopify.OrchardCore.Drivers;

/// <summary>The Shopify section of the user editor: the names sent to Shopify (editable) and the linked customers (read-only).</summary>
internal sealed class ShopifyUserPartDisplayDriver : SectionDisplayDriver<User, ShopifyUserPart>
{
    public override IDisplayResult Edit(User user, ShopifyUserPart part, BuildEditorContext context)
    {
        return Initialize<ShopifyUserPartViewModel>("ShopifyUserPart_Edit", model =>
        {
            model.FirstName = part.FirstName;
            model.LastName = part.LastName;
            model.Links = Links(part);
        }).Location("Content:3");
    }

    public override async Task<IDisplayResult> UpdateAsync(User user, ShopifyUserPart part, UpdateEditorContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var model = new ShopifyUserPartViewModel();

        await context.Updater.TryUpdateModelAsync(model, Prefix, m => m.FirstName, m => m.LastName);

        part.FirstName = string.IsNullOrWhiteSpace(model.FirstName) ? null : model.FirstName.Trim();
        part.LastName = string.IsNullOrWhiteSpace(model.LastName) ? null : model.LastName.Trim();

        return await EditAsync(user, part, context);
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
}
