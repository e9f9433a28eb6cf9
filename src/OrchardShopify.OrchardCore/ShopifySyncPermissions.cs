using OrchardCore.Security.Permissions;

namespace OrchardShopify.OrchardCore;

public static class ShopifySyncPermissions
{
    public static readonly Permission ManageShopifySync = new("ManageShopifySync", "Manage the Shopify customer sync");
}
