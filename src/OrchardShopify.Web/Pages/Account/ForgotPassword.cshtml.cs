using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Pages.Account;

/// <summary>
/// A link to set a password, by mail: for a forgotten password, and for customers whose account the sync created from
/// Shopify (they have none yet). The answer is the same whether or not the email has an account.
/// </summary>
[AllowAnonymous]
public sealed class ForgotPasswordModel(UserManager<SiteUser> users, IEmailSender<SiteUser> mail) : PageModel
{
    [BindProperty]
    [Required]
    [EmailAddress]
    public string Email { get; set; } = "";

    public bool Sent { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        if (await users.FindByEmailAsync(Email.Trim()) is { } user)
        {
            await AccountLinks.SendSetPasswordAsync(users, mail, Url, Request.Scheme, user);
        }

        Sent = true;
        return Page();
    }
}
