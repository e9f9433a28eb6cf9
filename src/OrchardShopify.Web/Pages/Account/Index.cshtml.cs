using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Web.Identity;
using OrchardShopify.Web.TagHelpers;

namespace OrchardShopify.Web.Pages.Account;

/// <summary>
/// The signed-in user's profile and, for every configured store, their customer, orders and addresses, with forms to
/// add, edit, delete and make default an address (through <see cref="CustomerAddressService"/>: the user's own linked
/// customer only). A refused address form shows the page again with the errors next to its fields.
/// </summary>
public sealed class AccountModel(UserManager<SiteUser> users, StoreRegistry stores, IEmailSender<SiteUser> mail, CustomerAddressService addresses) : PageModel
{
    /// <summary>The fields of whichever address form was posted (<c>Address.City</c>, …).</summary>
    [BindProperty]
    public AddressFormInput Address { get; set; } = new();

    [BindProperty]
    [StringLength(100)]
    [Display(Name = "First name")]
    public string? FirstName { get; set; }

    [BindProperty]
    [StringLength(100)]
    [Display(Name = "Last name")]
    public string? LastName { get; set; }

    /// <summary>Checked in <see cref="OnPostAsync"/> when it changes (<see cref="ShopifyPhoneAttribute.Problem"/>): a phone saved before the check existed must not stop the user saving a name.</summary>
    [BindProperty]
    [Phone]
    public string? Phone { get; set; }

    public string? Email { get; private set; }

    /// <summary>Until the email is confirmed, the account is not linked to a Shopify customer nor sent to Shopify.</summary>
    public bool EmailConfirmed { get; private set; } = true;

    public IReadOnlyList<ShopifyStore> Stores => stores.Stores;

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        ShowProfile(user);
        return Page();
    }

    /// <summary>Another confirmation mail, for a link that expired or was lost.</summary>
    public async Task<IActionResult> OnPostResendConfirmationAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        if (!user.EmailConfirmed)
        {
            await AccountLinks.SendConfirmationAsync(users, mail, Url, Request.Scheme, user);
            TempData["Message"] = $"We sent a new confirmation link to {user.Email}.";
        }

        return RedirectToPage();
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
        EmailConfirmed = user.EmailConfirmed;
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var phone = Clean(Phone);
        if (phone != user.PhoneNumber && ShopifyPhoneAttribute.Problem(phone, HttpContext.RequestServices) is { } phoneProblem)
        {
            ModelState.AddModelError(nameof(Phone), phoneProblem);
            return Page();
        }

        user.FirstName = Clean(FirstName);
        user.LastName = Clean(LastName);

        if (phone != user.PhoneNumber)
        {
            // A new number is not the one that was confirmed (as Identity's SetPhoneNumberAsync does): the sync matches
            // customers only by confirmed phone numbers.
            user.PhoneNumber = phone;
            user.PhoneNumberConfirmed = false;
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

    public Task<IActionResult> OnPostAddAddressAsync(string store) =>
        ChangeAddressAsync(store, null, (user, ct) => addresses.CreateAsync(user, store, Address.ToInput(), Address.SetAsDefault, ct), "Address added.");

    public Task<IActionResult> OnPostEditAddressAsync(string store, string addressId) =>
        ChangeAddressAsync(store, addressId, (user, ct) => addresses.UpdateAsync(user, store, addressId, Address.ToInput(), Address.SetAsDefault, ct), "Address saved.");

    public Task<IActionResult> OnPostDeleteAddressAsync(string store, string addressId) =>
        ChangeAddressAsync(store, addressId, (user, ct) => addresses.DeleteAsync(user, store, addressId, ct), "Address deleted.");

    public Task<IActionResult> OnPostDefaultAddressAsync(string store, string addressId) =>
        ChangeAddressAsync(store, addressId, (user, ct) => addresses.SetDefaultAsync(user, store, addressId, ct), "Default address changed.");

    private void ShowProfile(SiteUser user)
    {
        FirstName = user.FirstName;
        LastName = user.LastName;
        Phone = user.PhoneNumber;
        Email = user.Email;
        EmailConfirmed = user.EmailConfirmed;
    }

    /// <summary>
    /// Runs an address change for the signed-in user. Success redirects back to the store's section; a refusal renders
    /// the page again (400, 403 or 404) with the message, the posted values and each error next to its field.
    /// </summary>
    private async Task<IActionResult> ChangeAddressAsync(string store, string? addressId, Func<string, CancellationToken, Task<AddressChangeResult>> change, string done)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return Challenge();
        }

        ShowProfile(user);

        // The profile form's checks do not apply to an address post.
        ModelState.Clear();

        AddressChangeResult result;
        try
        {
            result = await change(user.Id, HttpContext.RequestAborted);
        }
        catch (UnknownStoreException ex)
        {
            return Refused(store, addressId, ex.Message, new Dictionary<string, string>(), StatusCodes.Status400BadRequest);
        }
        catch (ShopifyApiException)
        {
            return Refused(store, addressId, "Shopify could not be reached just now, so the change may not have been made: reload the page to see your addresses as Shopify has them, then try again if needed.", new Dictionary<string, string>(), StatusCodes.Status503ServiceUnavailable);
        }

        if (result.Succeeded)
        {
            TempData["Message"] = done;
            return Redirect(Url.Page("/Account/Index") + "#store-" + Uri.EscapeDataString(result.StoreHandle));
        }

        var errors = result.ErrorsByField.ToDictionary(e => e.Key, e => string.Join(" ", e.Value), StringComparer.Ordinal);
        return result.Status switch
        {
            AddressChangeStatus.Invalid => Refused(store, addressId, "Shopify did not accept the address; see the fields marked below.", errors, StatusCodes.Status400BadRequest),
            AddressChangeStatus.Unverified => Refused(store, addressId, "Confirm your email address before changing your Shopify addresses.", errors, StatusCodes.Status403Forbidden),
            AddressChangeStatus.NotLinked => Refused(store, addressId, $"Your account is not linked to a customer of store '{result.StoreHandle}'.", errors, StatusCodes.Status404NotFound),
            _ => Refused(store, addressId, result.Errors[0].Message + ".", errors, StatusCodes.Status404NotFound),
        };
    }

    private PageResult Refused(string store, string? addressId, string message, IReadOnlyDictionary<string, string> errors, int status)
    {
        AddressFormState.Set(HttpContext, new AddressFormState(store, addressId ?? "", Address.Values(), errors, message));
        ViewData["AddressProblem"] = message;
        Response.StatusCode = status;
        return Page();
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
