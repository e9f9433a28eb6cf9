using Microsoft.AspNetCore.Identity;

namespace OrchardShopify.Web.Identity;

/// <summary>A site user. The Shopify sync reads and writes <see cref="FirstName"/> and <see cref="LastName"/> directly.</summary>
public sealed class SiteUser : IdentityUser
{
    [PersonalData]
    public string? FirstName { get; set; }

    [PersonalData]
    public string? LastName { get; set; }

    public string DisplayName => string.Join(' ', new[] { FirstName, LastName }.Where(p => !string.IsNullOrWhiteSpace(p))) is { Length: > 0 } name ? name : Email ?? UserName ?? Id;
}
