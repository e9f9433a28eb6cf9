namespace OrchardShopify.OrchardCore.Site.Tests.Support;

/// <summary>The site with both emulated stores configured, multi-store, creating users from Shopify (no pushes back).</summary>
public class MultiStoreSiteFixture : OrchardSiteFixture
{
    protected override void ConfigureShopify(IDictionary<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings[Section + ":MultiStore"] = "true";
        settings[Section + ":CreateUsersFromShopify"] = "true";
        settings[Section + ":UpdateUsersInShopify"] = "false";
        AddStore(settings, "uk", UkDomain, UkSecret);
        AddStore(settings, "us", UsDomain, UsSecret);
    }
}
