using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Pages.Account;

/// <summary>
/// The link of the set-password mail. Using it proves the mailbox, so the email counts as confirmed afterwards (which lets
/// the sync link the account to its Shopify customer).
/// </summary>
[AllowAnonymous]
public sealed class ResetPasswordModel(UserManager<SiteUser> users, SignInManager<SiteUser> signIn) : PageModel
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

        if (!user.EmailConfirmed)
        {
            user.EmailConfirmed = true;
            await users.UpdateAsync(user);
        }

        await signIn.SignInAsync(user, isPersistent: false);
        TempData["Message"] = "Your password is set.";
        return LocalRedirect("/account");
    }
}
