using System.Collections.Immutable;
using System.Text.RegularExpressions;

using OrchardShopify.Emulator.Schema;

namespace OrchardShopify.Emulator.Customers;

/// <summary>
/// Shopify's checks on a <c>MailingAddressInput</c> for <c>customerAddressCreate</c> and <c>customerAddressUpdate</c>:
/// <c>countryCode</c> is the <c>CountryCode</c> enum (an unknown code fails the variable, not the mutation), a postal
/// code or province that does not fit the country is a user error worded as Shopify words it ("Zip is not valid for
/// United States"), and a phone must be dialable. Countries the emulator has no rules for accept any zip and province.
/// </summary>
internal static partial class AddressRules
{
    /// <summary>The values of the 2026-10 <c>CountryCode</c> enum.</summary>
    public static readonly ImmutableHashSet<string> CountryCodes = ImmutableHashSet.Create(StringComparer.Ordinal, "AC AD AE AF AG AI AL AM AN AO AR AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MK ML MM MN MO MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PS PT PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VN VU WF WS XK YE YT ZA ZM ZW ZZ".Split(' '));

    private static readonly HashSet<string> KnownFields =
    [
        "address1", "address2", "city", "company", "countryCode", "firstName", "lastName", "phone", "provinceCode", "zip",
        "country", "province", "id",
    ];

    private static readonly Dictionary<string, Country> Countries = new(StringComparer.Ordinal)
    {
        ["US"] = new("United States", UsZip(), ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR", "AA", "AE", "AP"]),
        ["CA"] = new("Canada", CaZip(), ["AB", "BC", "MB", "NB", "NL", "NT", "NS", "NU", "ON", "PE", "QC", "SK", "YT"]),
        ["GB"] = new("United Kingdom", GbZip(), null),
        ["DE"] = new("Germany", FiveDigits(), null),
        ["FR"] = new("France", FiveDigits(), null),
        ["IE"] = new("Ireland", null, null),
        ["AU"] = new("Australia", FourDigits(), ["ACT", "NSW", "NT", "QLD", "SA", "TAS", "VIC", "WA"]),
    };

    /// <summary>The country's English name, as <c>MailingAddress.country</c> serves it.</summary>
    public static string? CountryName(string? code) => code is null ? null : Countries.TryGetValue(code, out var country) ? country.Name : code;

    /// <summary>
    /// The address with <paramref name="input"/> applied over <paramref name="existing"/> (a new one when null); the
    /// user errors are added to <paramref name="errors"/> with the path <c>["address", field]</c>.
    /// </summary>
    public static MailingAddress Apply(MailingAddress existing, IReadOnlyDictionary<string, object?> input, List<UserError> errors)
    {
        foreach (var key in input.Keys.Where(k => !KnownFields.Contains(k)))
        {
            throw new ShopifyError($"Variable $address of type MailingAddressInput! was provided invalid value for {key} (Field is not defined on MailingAddressInput)", "INVALID_VARIABLE");
        }

        if (input.GetValueOrDefault("countryCode") is { } codeValue && !CountryCodes.Contains(EnumText(codeValue)))
        {
            throw new ShopifyError($"Variable $address of type MailingAddressInput! was provided invalid value for countryCode (Expected \"{codeValue}\" to be one of: {string.Join(", ", CountryCodes.Order(StringComparer.Ordinal))})", "INVALID_VARIABLE");
        }

        var result = existing;
        string? Text(string name) => input.GetValueOrDefault(name) is { } value && EnumText(value) is { Length: > 0 } s && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;
        bool Given(string name) => input.ContainsKey(name);
        if (Given("firstName"))
        {
            result = result with { FirstName = Text("firstName") };
        }

        if (Given("lastName"))
        {
            result = result with { LastName = Text("lastName") };
        }

        if (Given("company"))
        {
            result = result with { Company = Text("company") };
        }

        if (Given("address1"))
        {
            result = result with { Address1 = Text("address1") };
        }

        if (Given("address2"))
        {
            result = result with { Address2 = Text("address2") };
        }

        if (Given("city"))
        {
            result = result with { City = Text("city") };
        }

        if (Given("zip"))
        {
            result = result with { Zip = Text("zip")?.ToUpperInvariant() };
        }

        if (Given("countryCode"))
        {
            var code = Text("countryCode");
            result = result with { CountryCode = code, Country = CountryName(code) };
        }

        if (Given("provinceCode"))
        {
            var province = Text("provinceCode")?.ToUpperInvariant();
            result = result with { ProvinceCode = province, Province = province };
        }

        if (Given("phone"))
        {
            var phone = Text("phone");
            if (phone is not null && !ShopifyPhone.TryNormalize(phone, out _))
            {
                errors.Add(new UserError(["address", "phone"], "Phone is invalid"));
            }

            result = result with { Phone = phone };
        }

        if (result.CountryCode is { } country && Countries.TryGetValue(country, out var rules))
        {
            if (result.Zip is { } zip && rules.Zip is { } pattern && !pattern.IsMatch(zip))
            {
                errors.Add(new UserError(["address", "zip"], $"Zip is not valid for {rules.Name}"));
            }

            if (result.ProvinceCode is { } provinceCode && rules.Provinces is { } provinces && !provinces.Contains(provinceCode, StringComparer.Ordinal))
            {
                errors.Add(new UserError(["address", "provinceCode"], $"Province is not valid for {rules.Name}"));
            }
        }

        return result;
    }

    private static string EnumText(object value) => value.ToString() ?? "";

    private sealed record Country(string Name, Regex? Zip, string[]? Provinces);

    [GeneratedRegex(@"^\d{5}(-\d{4})?$", RegexOptions.CultureInvariant)]
    private static partial Regex UsZip();

    [GeneratedRegex(@"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$", RegexOptions.CultureInvariant)]
    private static partial Regex CaZip();

    [GeneratedRegex(@"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex GbZip();

    [GeneratedRegex(@"^\d{5}$", RegexOptions.CultureInvariant)]
    private static partial Regex FiveDigits();

    [GeneratedRegex(@"^\d{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex FourDigits();
}
