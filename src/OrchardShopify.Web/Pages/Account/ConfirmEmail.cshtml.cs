using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.WebUtilities;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Pages.Account;

/// <summary>
/// Confirms the email address with the token from the link. The sample site sends no email: the account page shows the
/// link a real site would mail. Confirming saves the user through UserManager, which queues the push to Shopify.
/// </summary>
[AllowAnonymous]
public sealed class ConfirmEmailModel(UserManager<SiteUser> users) : PageModel
{
    public bool Confirmed { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? userId, string? code)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(code) || await users.FindByIdAsync(userId) is not { } user)
        {
            return Page();
        }

        string token;
        try
        {
            token = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return Page();
        }

        Confirmed = (await users.ConfirmEmailAsync(user, token)).Succeeded;
        return Page();
    }

    /// <summary>The link that confirms <paramref name="user"/>'s email.</summary>
    public static async Task<string> LinkAsync(UserManager<SiteUser> users, SiteUser user)
    {
        ArgumentNullException.ThrowIfNull(users);
        var token = await users.GenerateEmailConfirmationTokenAsync(user);
        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));
        return $"/account/confirm-email?userId={Uri.EscapeDataString(await users.GetUserIdAsync(user))}&code={code}";
    }
}
