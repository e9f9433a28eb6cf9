using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Pages.Account;

/// <summary>
/// Registration. The new user can sign in at once, but is linked to a Shopify customer and pushed to Shopify (when
/// site ⇒ Shopify is on) only once the email is confirmed with the mailed link: an email typed into a form proves nothing.
/// </summary>
[AllowAnonymous]
public sealed class RegisterModel(UserManager<SiteUser> users, SignInManager<SiteUser> signIn, IEmailSender<SiteUser> mail) : PageModel
{
    [BindProperty]
    [Required]
    [StringLength(100)]
    [Display(Name = "First name")]
    public string FirstName { get; set; } = "";

    [BindProperty]
    [Required]
    [StringLength(100)]
    [Display(Name = "Last name")]
    public string LastName { get; set; } = "";

    [BindProperty]
    [Required]
    [EmailAddress]
    public string Email { get; set; } = "";

    [BindProperty]
    [ShopifyPhone]
    public string? Phone { get; set; }

    [BindProperty]
    [Required]
    [DataType(DataType.Password)]
    public string Password { get; set; } = "";

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var email = Email.Trim();
        var user = new SiteUser
        {
            UserName = email,
            Email = email,
            FirstName = FirstName.Trim(),
            LastName = LastName.Trim(),
            PhoneNumber = string.IsNullOrWhiteSpace(Phone) ? null : Phone.Trim(),
        };
        var result = await users.CreateAsync(user, Password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(string.Empty, error.Description);
            }

            return Page();
        }

        await AccountLinks.SendConfirmationAsync(users, mail, Url, Request.Scheme, user);
        await signIn.SignInAsync(user, isPersistent: false);
        TempData["Message"] = $"Welcome! We sent a link to {email}: confirm your email to link your account to your Shopify customer.";
        return LocalRedirect("/account");
    }
}
