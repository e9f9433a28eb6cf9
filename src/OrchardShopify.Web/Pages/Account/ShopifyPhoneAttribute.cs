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
        => Problem(value as string, validationContext) is { } problem ? new ValidationResult(problem, [validationContext.MemberName!]) : ValidationResult.Success;

    /// <summary>Why <paramref name="phone"/> cannot be sent to Shopify; null when it can, or is empty.</summary>
    public static string? Problem(string? phone, IServiceProvider services)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return null;
        }

        string region;
        try
        {
            region = services.GetService(typeof(IOptionsMonitor<ShopifySyncOptions>)) is IOptionsMonitor<ShopifySyncOptions> options
                ? PhoneNormalizer.DefaultRegionOf(options.CurrentValue)
                : "ZZ";
        }
        catch (OptionsValidationException)
        {
            return new PhoneAttribute().IsValid(phone) ? null : "Phone is not a phone number.";
        }

        return PhoneNormalizer.TryNormalize(phone, region, out _)
            ? null
            : region == "ZZ"
                ? "Phone is not a number Shopify accepts: give it in international form, with + and the country code (+44 20 7946 0958)."
                : $"Phone is not a number Shopify accepts: give it in international form, with + and the country code (+44 20 7946 0958), or as a national number of {region}.";
    }
}
