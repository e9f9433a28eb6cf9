namespace OrchardShopify.OrchardCore;

public static class ShopifySyncConstants
{
    /// <summary>The tenant configuration section (<c>OrchardCore:OrchardShopify</c> in appsettings) read before the site settings.</summary>
    public const string ConfigurationSection = "OrchardShopify";

    /// <summary>The site settings group, served at <c>/Admin/Settings/shopify</c>.</summary>
    public const string SettingsGroupId = "shopify";

    public static class Features
    {
        public const string Sync = "OrchardShopify.Sync";

        public const string Liquid = "OrchardShopify.Liquid";
    }
}
