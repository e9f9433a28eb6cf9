namespace OrchardShopify.Web.Hosting;

/// <summary>Whether this site runs against the in-process emulator.</summary>
public sealed record SiteMode(bool IsDemo, Uri? EmulatorUrl);
