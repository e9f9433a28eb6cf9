using System.Net.Mail;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Phones;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// What a user looks like to Shopify: names (split from the display name when absent, unless the display name is only
/// the email or its local part, as user names made from an email are), email, E.164 phone.
/// </summary>
internal static class OutboundProfile
{
    public static CustomerProfile Of(SyncUser user, ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(options);
        var first = Blank(user.FirstName);
        var last = Blank(user.LastName);
        if (first is null && last is null && !IsEmailDerived(user.DisplayName, user.Email))
        {
            (first, last) = NameSplitter.Split(user.DisplayName, options.NameSplitRule);
        }

        var phone = Blank(user.Phone);
        return new CustomerProfile(first, last, Blank(user.Email)?.Trim(), phone is null ? null : PhoneNormalizer.NormalizeOrNull(phone, PhoneNormalizer.DefaultRegionOf(options)) ?? phone);
    }

    /// <summary>Null when Shopify can take the profile; otherwise what is wrong with it.</summary>
    public static string? Validate(CustomerProfile profile, ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(profile.Email))
        {
            return "The user has no email; Shopify customers are matched and created by email.";
        }

        if (!IsValidEmail(profile.Email))
        {
            return $"The email '{profile.Email}' is not a valid address.";
        }

        var region = PhoneNormalizer.DefaultRegionOf(options);
        if (profile.Phone is not null && !PhoneNormalizer.TryNormalize(profile.Phone, region, out _))
        {
            return $"The phone '{profile.Phone}' is not a valid phone number and cannot be written in E.164 (libphonenumber, default region {region}); nothing is sent to Shopify until it is corrected.";
        }

        return null;
    }

    private static bool IsValidEmail(string email)
    {
        if (email.Length > 254 || email.Any(char.IsWhiteSpace) || email.Count(c => c == '@') != 1)
        {
            return false;
        }

        var at = email.IndexOf('@', StringComparison.Ordinal);
        var domain = email[(at + 1)..];
        if (at == 0 || !domain.Contains('.', StringComparison.Ordinal) || domain.StartsWith('.') || domain.EndsWith('.'))
        {
            return false;
        }

        return MailAddress.TryCreate(email, out var parsed) && string.Equals(parsed.Address, email, StringComparison.Ordinal);
    }

    /// <summary>A display name that is the email, or the email's local part (a user name made from it), is not a person's name.</summary>
    public static bool IsEmailDerived(string? displayName, string? email)
    {
        var name = Blank(displayName)?.Trim();
        if (name is null)
        {
            return false;
        }

        if (name.Contains('@', StringComparison.Ordinal))
        {
            return true;
        }

        var address = Blank(email)?.Trim();
        var at = address?.IndexOf('@', StringComparison.Ordinal) ?? -1;
        return at > 0 && string.Equals(name, address![..at], StringComparison.OrdinalIgnoreCase);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
