using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Web.Identity;

namespace OrchardShopify.Web.Pages.Account;

/// <summary>The signed-in user's profile and, for every configured store, their customer, orders and addresses.</summary>
public sealed class AccountModel(UserManager<SiteUser> users, StoreRegistry stores) : PageModel
{
    [BindProperty]
    [StringLength(100)]
    [Display(Name = "First name")]
    public string? FirstName { get; set; }

    [BindProperty]
    [StringLength(100)]
    [Display(Name = "Last name")]
    public string? LastName { get; set; }

    [BindProperty]
    [Phone]
    public string? Phone { get; set; }

    public string? Email { get; private set; }

    /// <summary>Until the email is confirmed, the link that confirms it (the sample site sends no email); else null.</summary>
    public string? ConfirmEmailLink { get; private set; }

    public IReadOnlyList<ShopifyStore> Stores => stores.Stores;

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        FirstName = user.FirstName;
        LastName = user.LastName;
        Phone = user.PhoneNumber;
        Email = user.Email;
        ConfirmEmailLink = user.EmailConfirmed ? null : await ConfirmEmailModel.LinkAsync(users, user);
        return Page();
    }

    /// <summary>Saves through UserManager, whose sync decorator queues the push to Shopify.</summary>
    public async Task<IActionResult> OnPostAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        Email = user.Email;
        if (!ModelState.IsValid)
        {
            return Page();
        }

        user.FirstName = Clean(FirstName);
        user.LastName = Clean(LastName);
        var phone = Clean(Phone);
        if (phone != user.PhoneNumber)
        {
            user.PhoneNumber = phone;
        }

        var result = await users.UpdateAsync(user);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(string.Empty, error.Description);
            }

            return Page();
        }

        TempData["Message"] = "Saved. Your customer record in each store is being updated.";
        return RedirectToPage();
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
