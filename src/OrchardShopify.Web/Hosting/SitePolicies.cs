namespace OrchardShopify.Web.Hosting;

internal static class SitePolicies
{
    /// <summary>Members of <c>Shopify:AdminRole</c>.</summary>
    public const string Admin = "ShopifyAdmin";
}
