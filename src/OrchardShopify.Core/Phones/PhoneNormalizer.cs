using OrchardShopify.Core.Configuration;
using PhoneNumbers;

namespace OrchardShopify.Core.Phones;

/// <summary>
/// Phone numbers as libphonenumber reads them (the library Shopify and Orchard Core's user editor validate with).
/// Accepts the forms Shopify documents: E.164 (<c>+16135551212</c>), national with or without the trunk prefix
/// (<c>6135551212</c>, <c>07911 123456</c> in <c>GB</c>, <c>06 6982 1234</c> in <c>IT</c>, where the 0 is part of the
/// number), spaces, dashes, dots, slashes and parentheses, and the <c>00</c> international prefix. Letters,
/// extensions and repeated <c>+</c> are refused as not dialable as given.
/// </summary>
public static class PhoneNormalizer
{
    /// <summary>The region assumed when <see cref="ShopifySyncOptions.DefaultRegion"/> and the calling code name none.</summary>
    public const string FallbackRegion = "US";

    /// <summary>
    /// The E.164 form of a number libphonenumber calls valid, reading national numbers in <paramref name="defaultRegion"/>.
    /// </summary>
    /// <param name="defaultRegion">
    /// Region for national numbers: an ISO 3166-1 code (<c>GB</c>, <c>US</c>, <c>IT</c>) or, as the older
    /// <c>DefaultCountryCallingCode</c> setting gives it, a calling code (<c>44</c>, <c>1</c>) read as its main region.
    /// </param>
    public static bool TryNormalize(string? input, string defaultRegion, out string e164)
    {
        if (TryRead(input, defaultRegion, out e164, out var valid) && valid)
        {
            return true;
        }

        e164 = "";
        return false;
    }

    /// <summary>The E.164 form, or null when the input is empty or not a valid number.</summary>
    public static string? NormalizeOrNull(string? input, string defaultRegion)
        => TryNormalize(input, defaultRegion, out var e164) ? e164 : null;

    /// <summary>
    /// Reads a dialable number of a possible length for its country into E.164; <paramref name="valid"/> says whether
    /// libphonenumber also knows its range (what <see cref="TryNormalize"/> requires). False when the input is empty
    /// or not a dialable number at all.
    /// </summary>
    public static bool TryRead(string? input, string defaultRegion, out string e164, out bool valid)
    {
        e164 = "";
        valid = false;
        if (string.IsNullOrWhiteSpace(input) || !IsDialable(input.Trim(), out var dialable))
        {
            return false;
        }

        var util = PhoneNumberUtil.GetInstance();
        try
        {
            var number = util.Parse(dialable, RegionOf(defaultRegion));
            if (number.HasExtension || !util.IsPossibleNumber(number))
            {
                return false;
            }

            e164 = util.Format(number, PhoneNumberFormat.E164);
            valid = util.IsValidNumber(number);
            return true;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether <paramref name="phone"/> is an international number (leading <c>+</c>) libphonenumber calls valid: the check
    /// Orchard Core's user editor makes before it saves a user's phone.
    /// </summary>
    public static bool IsValidInternational(string? phone)
        => phone is not null && phone.TrimStart().StartsWith('+') && TryNormalize(phone, "ZZ", out _);

    /// <summary>The region the settings assume for national numbers: <c>DefaultRegion</c>, else the main region of <c>DefaultCountryCallingCode</c>.</summary>
    public static string DefaultRegionOf(ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.DefaultRegion)
            ? RegionOf(options.DefaultCountryCallingCode)
            : options.DefaultRegion.Trim().ToUpperInvariant();
    }

    /// <summary>Whether libphonenumber knows <paramref name="region"/> (<c>GB</c>, <c>US</c>; case-insensitive).</summary>
    public static bool IsKnownRegion(string? region)
        => !string.IsNullOrWhiteSpace(region) && PhoneNumberUtil.GetInstance().GetSupportedRegions().Contains(region.Trim().ToUpperInvariant());

    /// <summary>The main region of a country calling code (<c>1</c> → <c>US</c>, <c>44</c> → <c>GB</c>, <c>39</c> → <c>IT</c>), or null when no region has it.</summary>
    public static string? MainRegionOfCallingCode(string? callingCode)
    {
        if (string.IsNullOrWhiteSpace(callingCode) || callingCode.Trim().Length > 3 || !int.TryParse(callingCode.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
        {
            return null;
        }

        var region = PhoneNumberUtil.GetInstance().GetRegionCodeForCountryCode(code);
        return region is "001" or "ZZ" ? null : region;
    }

    private static string RegionOf(string? regionOrCallingCode)
    {
        var value = regionOrCallingCode?.Trim() ?? "";
        if (value.Length > 0 && value.All(char.IsAsciiDigit))
        {
            return MainRegionOfCallingCode(value) ?? FallbackRegion;
        }

        return value.Length == 0 ? FallbackRegion : value.ToUpperInvariant();
    }

    /// <summary>Digits with the separators people write, one leading <c>+</c> (or <c>00</c>, read as <c>+</c>).</summary>
    private static bool IsDialable(string text, out string dialable)
    {
        dialable = "";
        var builder = new System.Text.StringBuilder(text.Length);
        var digits = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                builder.Append(c);
                digits++;
            }
            else if (c == '+' && i == 0)
            {
                builder.Append(c);
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')' or '/' or '\u00a0'))
            {
                return false;
            }
        }

        if (digits is 0 or > 17)
        {
            return false;
        }

        dialable = builder.ToString();
        if (dialable.StartsWith("00", StringComparison.Ordinal))
        {
            // The international prefix of most of the world, whatever the default region dials.
            dialable = "+" + dialable[2..];
        }

        return true;
    }
}
