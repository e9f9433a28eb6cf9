using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Pages.Account;

/// <summary>
/// The link of the confirmation mail. A confirmed email is what lets the sync link the user to a Shopify customer, so
/// the link confirms only for someone signed in to the account it was sent for: the one who registered (signed in
/// straight after) or who has since set its password from a mailed link. Opening it proves the mailbox; being signed in
/// proves the account. Without both, anyone could register with someone else's email and wait for its owner to open the
/// mail: the account the stranger holds would then be linked to that person's Shopify customer. A visitor who is not
/// signed in is sent to sign in first (and comes back here); the owner of the mailbox who cannot sign in sets a password
/// from "Forgot your password?" instead, which ends every other session of the account.
/// </summary>
[Authorize]
public sealed class ConfirmEmailModel(UserManager<SiteUser> users) : PageModel
{
    public bool Confirmed { get; private set; }

    /// <summary>Signed in to another account than the one the link was sent for.</summary>
    public bool OtherAccount { get; private set; }

    public string? Email { get; private set; }

    public async Task OnGetAsync(string? userId, string? code)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrEmpty(code))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (!string.Equals(users.GetUserId(User), userId, StringComparison.Ordinal))
        {
            OtherAccount = true;
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        if (await users.FindByIdAsync(userId) is not { } user)
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
