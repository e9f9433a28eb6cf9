using System.Collections.Immutable;
using System.Globalization;
using OrchardShopify.Emulator.Schema;

namespace OrchardShopify.Emulator.Customers;

/// <summary>Applies a CustomerInput (GraphQL field names) to a customer, enforcing Shopify's validation rules.</summary>
internal static class CustomerInput
{
    private static readonly HashSet<string> KnownFields =
    [
        "id", "firstName", "lastName", "email", "phone", "note", "tags", "taxExempt", "taxExemptions", "addresses",
        "locale", "emailMarketingConsent", "smsMarketingConsent", "metafields", "multipassIdentifier",
    ];

    private static readonly HashSet<string> KnownAddressFields =
    [
        "id", "address1", "address2", "city", "company", "countryCode", "country", "firstName", "lastName", "phone",
        "provinceCode", "province", "zip",
    ];

    public static Customer Apply(Shop shop, Customer customer, IReadOnlyDictionary<string, object?> input, List<UserError> errors)
    {
        foreach (var key in input.Keys)
        {
            if (!KnownFields.Contains(key))
            {
                throw new ShopifyError($"Variable $input of type CustomerInput! was provided invalid value for {key} (Field is not defined on CustomerInput)", "INVALID_VARIABLE");
            }
        }

        var result = customer;
        if (input.TryGetValue("firstName", out var first))
        {
            result = result with { FirstName = Blank(first) };
        }

        if (input.TryGetValue("lastName", out var last))
        {
            result = result with { LastName = Blank(last) };
        }

        if (input.TryGetValue("note", out var note))
        {
            result = result with { Note = note as string };
        }

        if (input.TryGetValue("locale", out var locale))
        {
            result = result with { Locale = locale as string };
        }

        if (input.TryGetValue("taxExempt", out var taxExempt) && taxExempt is bool exempt)
        {
            result = result with { TaxExempt = exempt };
        }

        if (input.TryGetValue("tags", out var tags))
        {
            result = result with { Tags = ParseTags(tags) };
        }

        if (input.TryGetValue("email", out var emailValue))
        {
            var email = Blank(emailValue);
            if (email is not null && !IsValidEmail(email))
            {
                errors.Add(new UserError(["email"], "Email is invalid", "INVALID"));
            }
            else if (email is not null && shop.EmailTakenByOther(email, customer.Id))
            {
                errors.Add(new UserError(["email"], "Email has already been taken", "TAKEN"));
            }

            result = result with { Email = email };
        }

        if (input.TryGetValue("phone", out var phoneValue))
        {
            var phone = Blank(phoneValue);
            string? e164 = null;
            if (phone is not null && !ShopifyPhone.TryNormalize(phone, out e164!))
            {
                errors.Add(new UserError(["phone"], "Phone is invalid", "INVALID"));
            }
            else if (e164 is not null && shop.PhoneTakenByOther(e164, customer.Id))
            {
                errors.Add(new UserError(["phone"], "Phone has already been taken", "TAKEN"));
            }

            result = result with { Phone = e164 };
        }

        if (input.TryGetValue("emailMarketingConsent", out var emailConsent) && emailConsent is IReadOnlyDictionary<string, object?> emailConsentFields)
        {
            result = result with { EmailMarketingState = emailConsentFields.GetValueOrDefault("marketingState")?.ToString() ?? result.EmailMarketingState };
        }

        if (input.TryGetValue("smsMarketingConsent", out var smsConsent) && smsConsent is IReadOnlyDictionary<string, object?> smsConsentFields)
        {
            result = result with { SmsMarketingState = smsConsentFields.GetValueOrDefault("marketingState")?.ToString() ?? result.SmsMarketingState };
        }

        if (input.TryGetValue("metafields", out var metafields) && metafields is IReadOnlyList<object?> metafieldList)
        {
            var builder = result.Metafields.ToBuilder();
            foreach (var item in metafieldList.OfType<IReadOnlyDictionary<string, object?>>())
            {
                var key = $"{item.GetValueOrDefault("namespace")}.{item.GetValueOrDefault("key")}";
                builder[key] = Convert.ToString(item.GetValueOrDefault("value"), CultureInfo.InvariantCulture) ?? string.Empty;
            }

            result = result with { Metafields = builder.ToImmutable() };
        }

        if (input.TryGetValue("addresses", out var addresses))
        {
            result = ReplaceAddresses(shop, result, addresses as IReadOnlyList<object?> ?? [], errors);
        }

        if (result.FirstName is null && result.LastName is null && result.Email is null && result.Phone is null)
        {
            errors.Add(new UserError(null, "Customer must have a name, phone number or email address", "BLANK"));
        }

        return result;
    }

    private static Customer ReplaceAddresses(Shop shop, Customer customer, IReadOnlyList<object?> inputs, List<UserError> errors)
    {
        var addresses = ImmutableArray.CreateBuilder<MailingAddress>();
        for (var index = 0; index < inputs.Count; index++)
        {
            if (inputs[index] is not IReadOnlyDictionary<string, object?> fields)
            {
                continue;
            }

            foreach (var key in fields.Keys.Where(k => !KnownAddressFields.Contains(k)))
            {
                throw new ShopifyError($"Variable $input of type CustomerInput! was provided invalid value for addresses.{index}.{key} (Field is not defined on MailingAddressInput)", "INVALID_VARIABLE");
            }

            string? Text(string name) => Blank(fields.GetValueOrDefault(name));
            var phone = Text("phone");
            if (phone is not null && !ShopifyPhone.TryNormalize(phone, out _))
            {
                errors.Add(new UserError(["addresses", index.ToString(CultureInfo.InvariantCulture), "phone"], "Phone is invalid", "INVALID"));
            }

            var countryCode = Text("countryCode")?.ToUpperInvariant() ?? CountryCodeFromName(Text("country"));
            var existingId = Text("id") is { } gid && Gid.TryParse(gid, "MailingAddress", out var parsed) ? parsed : (long?)null;
            addresses.Add(new MailingAddress(
                existingId ?? shop.NextAddressId(),
                Text("firstName") ?? customer.FirstName,
                Text("lastName") ?? customer.LastName,
                Text("company"),
                Text("address1"),
                Text("address2"),
                Text("city"),
                Text("province") ?? Text("provinceCode"),
                Text("provinceCode")?.ToUpperInvariant(),
                countryCode is not null && CountryNames.TryGetValue(countryCode, out var countryName) ? countryName : Text("country") ?? countryCode,
                countryCode,
                Text("zip"),
                phone));
        }

        var list = addresses.ToImmutable();
        return customer with { Addresses = list, DefaultAddressId = list.IsEmpty ? null : list[0].Id };
    }

    private static readonly Dictionary<string, string> CountryNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["US"] = "United States",
        ["CA"] = "Canada",
        ["GB"] = "United Kingdom",
        ["DE"] = "Germany",
        ["FR"] = "France",
        ["IE"] = "Ireland",
        ["AU"] = "Australia",
    };

    private static string? CountryCodeFromName(string? name) =>
        name is null ? null : CountryNames.FirstOrDefault(p => string.Equals(p.Value, name, StringComparison.OrdinalIgnoreCase) || string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Key;

    private static ImmutableArray<string> ParseTags(object? value)
    {
        IEnumerable<string> raw = value switch
        {
            string s => s.Split(','),
            IReadOnlyList<object?> list => list.Select(v => v?.ToString() ?? string.Empty),
            _ => [],
        };
        return [.. raw.Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)];
    }

    private static string? Blank(object? value) => value is string s && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;

    private static bool IsValidEmail(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == email.LastIndexOf('@') && email.IndexOf('.', at) > at + 1 && !email.EndsWith('.') && !email.Any(char.IsWhiteSpace);
    }
}

public static class Gid
{
    public static string For(string type, long id) => $"gid://shopify/{type}/{id.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryParse(string? gid, string type, out long id)
    {
        id = 0;
        var prefix = $"gid://shopify/{type}/";
        if (gid is null || !gid.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var tail = gid[prefix.Length..];
        var query = tail.IndexOf('?', StringComparison.Ordinal);
        return long.TryParse(query >= 0 ? tail[..query] : tail, NumberStyles.None, CultureInfo.InvariantCulture, out id);
    }
}
