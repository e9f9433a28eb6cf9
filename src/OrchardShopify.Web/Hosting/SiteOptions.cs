namespace OrchardShopify.Web.Hosting;

/// <summary>The <c>Site</c> configuration section.</summary>
public sealed class SiteOptions
{
    public const string SectionName = "Site";

    /// <summary>Where the site keeps its databases and Data Protection keys; defaults to <c>App_Data</c> under the content root.</summary>
    public string? DataPath { get; set; }

    /// <summary>Email of the administrator created on first start.</summary>
    public string AdminEmail { get; set; } = "admin@example.com";

    /// <summary>Password of that administrator; generated (and printed once) when empty.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>The site's address as Shopify reaches it (https in production), used to register webhooks. Defaults to the address Kestrel listens on.</summary>
    public Uri? PublicUrl { get; set; }

    public DemoOptions Demo { get; set; } = new();
}

/// <summary>The <c>Site:Demo</c> section: the local Shopify emulator used when no store is configured.</summary>
public sealed class DemoOptions
{
    /// <summary>Null: demo mode exactly when no store has a <c>ShopDomain</c>. False: never. True: always (configured stores are replaced).</summary>
    public bool? Enabled { get; set; }

    /// <summary>Generated customers per emulated store (besides the demo accounts).</summary>
    public int CustomersPerShop { get; set; } = 25;

    /// <summary>Where the emulator listens; port 0 picks a free port.</summary>
    public string EmulatorUrls { get; set; } = "http://127.0.0.1:0";

    /// <summary>Password of the demo customer accounts.</summary>
    public string CustomerPassword { get; set; } = "Demo-customer-1";
}
