using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.Core.Ports;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Pages.Account;

/// <summary>
/// The link of the set-password mail. Using it proves the mailbox, so the email counts as confirmed afterwards (which lets
/// the sync link the account to its Shopify customer), and setting the password changes the account's security stamp,
/// which signs out every other session at its next request (the site checks the stamp on every request). When it is the
/// first proof of the mailbox for an account no Shopify customer made, the names and phone number the account holds were
/// typed by whoever registered it, who may not be the mailbox's owner: they are removed rather than sent to Shopify with
/// the link (the account page asks for them again).
/// </summary>
[AllowAnonymous]
public sealed class ResetPasswordModel(UserManager<SiteUser> users, SignInManager<SiteUser> signIn, IUserDirectory directory) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? UserId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    [BindProperty]
    [Required]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    public IActionResult OnGet() => string.IsNullOrEmpty(UserId) || string.IsNullOrEmpty(Code) ? BadRequest() : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        if (string.IsNullOrEmpty(UserId) || string.IsNullOrEmpty(Code) || await users.FindByIdAsync(UserId) is not { } user)
        {
            ModelState.AddModelError(string.Empty, "This link is not valid or has expired. Ask for a new one.");
            return Page();
        }

        var result = await users.ResetPasswordAsync(user, AccountLinks.Decode(Code), Password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(string.Empty, error.Code == "InvalidToken" ? "This link is not valid or has expired. Ask for a new one." : error.Description);
            }

            return Page();
        }

        var message = "Your password is set.";
        if (!user.EmailConfirmed)
        {
            user.EmailConfirmed = true;
            if (!await IsLinkedAsync(user) && (user.FirstName ?? user.LastName ?? user.PhoneNumber) is not null)
            {
                user.FirstName = null;
                user.LastName = null;
                user.PhoneNumber = null;
                user.PhoneNumberConfirmed = false;
                message = "Your password is set and your email is confirmed. The name and phone number given when this account was registered were removed: please enter yours on this page.";
            }

            await users.UpdateAsync(user);
        }

        await signIn.SignInAsync(user, isPersistent: false);
        TempData["Message"] = message;
        return LocalRedirect("/account");
    }

    /// <summary>Whether the sync linked the account to a Shopify customer (it made the account from one, with its data).</summary>
    private async Task<bool> IsLinkedAsync(SiteUser user)
        => await directory.FindByIdAsync(user.Id, HttpContext.RequestAborted) is { } synced && (synced.ShopifyId is not null || synced.ShopifyIds.Count > 0);
}
