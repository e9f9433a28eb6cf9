using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Phones;

namespace OrchardShopify.Web.Pages.Account;

/// <summary>
/// A phone number the sync can send to Shopify: international (<c>+44 20 7946 0958</c>) or national in the settings'
/// default region, and a number that exists. A number the form took but Shopify cannot would hold up every later push
/// of the user's profile (the push sends no invalid phone), while the page said it was saved. Empty is allowed.
/// While the sync's settings are not valid, only the shape of a phone number is checked.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ShopifyPhoneAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string phone || string.IsNullOrWhiteSpace(phone))
        {
            return ValidationResult.Success;
        }

        string region;
        try
        {
            region = validationContext.GetService(typeof(IOptionsMonitor<ShopifySyncOptions>)) is IOptionsMonitor<ShopifySyncOptions> options
                ? PhoneNormalizer.DefaultRegionOf(options.CurrentValue)
                : "ZZ";
        }
        catch (OptionsValidationException)
        {
            return new PhoneAttribute().IsValid(phone) ? ValidationResult.Success : new ValidationResult("Phone is not a phone number.", [validationContext.MemberName!]);
        }

        return PhoneNormalizer.TryNormalize(phone, region, out _)
            ? ValidationResult.Success
            : new ValidationResult(
                region == "ZZ"
                    ? "Phone is not a number Shopify accepts: give it in international form, with + and the country code (+44 20 7946 0958)."
                    : $"Phone is not a number Shopify accepts: give it in international form, with + and the country code (+44 20 7946 0958), or as a national number of {region}.",
                [validationContext.MemberName!]);
    }
}
