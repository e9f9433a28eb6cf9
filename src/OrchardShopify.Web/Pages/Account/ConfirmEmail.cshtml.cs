using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Pages.Account;

/// <summary>The link of the confirmation mail. A confirmed email is what lets the sync link the user to a Shopify customer.</summary>
[AllowAnonymous]
public sealed class ConfirmEmailModel(UserManager<SiteUser> users) : PageModel
{
    public bool Confirmed { get; private set; }

    public string? Email { get; private set; }

    public async Task OnGetAsync(string? userId, string? code)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(code) || await users.FindByIdAsync(userId) is not { } user)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var result = await users.ConfirmEmailAsync(user, AccountLinks.Decode(code));
        Confirmed = result.Succeeded;
        Email = user.Email;
        if (!Confirmed)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }
}
