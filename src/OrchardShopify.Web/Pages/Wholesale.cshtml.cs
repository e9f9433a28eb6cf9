using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Configuration;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Pages;

/// <summary>
/// Trade prices, only for members of the wholesale role (<c>Site:WholesaleRole</c>, default <c>Wholesale</c>), which the
/// sync grants and revokes from the customer's <c>wholesale</c> tag in Shopify (<c>Shopify:TagRoles</c>). Membership is
/// read from the user store on every request, so a tag removed in Shopify closes the page at once, without signing out.
/// </summary>
public sealed class WholesaleModel(UserManager<SiteUser> users, IConfiguration configuration) : PageModel
{
    public const string DefaultRole = "Wholesale";

    public string Role { get; private set; } = DefaultRole;

    public async Task<IActionResult> OnGetAsync()
    {
        Role = WholesaleRole(configuration);
        if (await users.GetUserAsync(User) is not { } user)
        {
            return Challenge();
        }

        return await users.IsInRoleAsync(user, Role) ? Page() : Forbid();
    }

    public static string WholesaleRole(IConfiguration configuration) => configuration["Site:WholesaleRole"] is { Length: > 0 } role ? role : DefaultRole;
}
