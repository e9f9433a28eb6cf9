namespace OrchardShopify.OrchardCore.Site.Hosting;

/// <summary>The <c>Site</c> configuration section of the sample Orchard Core site.</summary>
public sealed class SampleSiteOptions
{
    public const string SectionName = "Site";

    /// <summary>Where Orchard Core keeps its tenants (<c>Sites/{tenant}</c>: SQLite databases, keys, settings); defaults to <c>App_Data</c> under the content root.</summary>
    public string? DataPath { get; set; }

    /// <summary>The site's address as Shopify reaches it, used to register the demo webhooks. Defaults to the address Kestrel listens on.</summary>
    public Uri? PublicUrl { get; set; }

    public SampleDemoOptions Demo { get; set; } = new();
}

/// <summary>The <c>Site:Demo</c> section: the local Shopify emulator used when no store is configured.</summary>
public sealed class SampleDemoOptions
{
    /// <summary>Null: demo mode exactly when no store has a <c>ShopDomain</c> in <c>OrchardCore:OrchardShopify:Stores</c>. False: never. True: always.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Generated customers per emulated store.</summary>
    public int CustomersPerShop { get; set; } = 10;

    /// <summary>Where the emulator listens; port 0 picks a free port.</summary>
    public string EmulatorUrls { get; set; } = "http://127.0.0.1:0";

    /// <summary>User name of the demo member whose email is a customer of both emulated stores.</summary>
    public string MemberUserName { get; set; } = "demo";

    /// <summary>Email of the demo member.</summary>
    public string MemberEmail { get; set; } = "demo@example.com";

    /// <summary>Password of the demo member.</summary>
    public string MemberPassword { get; set; } = "Demo-member-1";
}
