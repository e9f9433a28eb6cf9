namespace OrchardShopify.Core.ShopifyApi;

/// <summary>
/// The fields of Shopify's <c>MailingAddressInput</c> a customer edits. A null field is not sent, so Shopify leaves it
/// as it is on an update; blank text is treated as null (an empty or unposted value never clears a stored one).
/// </summary>
public sealed record ShopifyAddressInput(
    string? FirstName = null,
    string? LastName = null,
    string? Company = null,
    string? Address1 = null,
    string? Address2 = null,
    string? City = null,
    string? ProvinceCode = null,
    string? CountryCode = null,
    string? Zip = null,
    string? Phone = null)
{
    /// <summary>The input field names of <c>MailingAddressInput</c>, as Shopify's <c>userErrors</c> name them.</summary>
    public static IReadOnlyList<string> FieldNames { get; } =
        ["firstName", "lastName", "company", "address1", "address2", "city", "provinceCode", "countryCode", "zip", "phone"];

    /// <summary>True when no field carries a value.</summary>
    public bool IsEmpty => Values().All(v => v.Value is null);

    /// <summary>The non-blank fields, trimmed, keyed by their GraphQL name; country and province codes upper-cased.</summary>
    public IReadOnlyDictionary<string, object?> ToGraphQL()
    {
        var input = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in Values())
        {
            if (value is not null)
            {
                input[name] = name is "countryCode" or "provinceCode" ? value.ToUpperInvariant() : value;
            }
        }

        return input;
    }

    private IEnumerable<(string Name, string? Value)> Values()
    {
        yield return ("firstName", Clean(FirstName));
        yield return ("lastName", Clean(LastName));
        yield return ("company", Clean(Company));
        yield return ("address1", Clean(Address1));
        yield return ("address2", Clean(Address2));
        yield return ("city", Clean(City));
        yield return ("provinceCode", Clean(ProvinceCode));
        yield return ("countryCode", Clean(CountryCode));
        yield return ("zip", Clean(Zip));
        yield return ("phone", Clean(Phone));
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>One of Shopify's <c>userErrors</c>: the path to the input field (<c>["address", "zip"]</c>) and the message.</summary>
public sealed record ShopifyFieldError(IReadOnlyList<string> Field, string Message)
{
    /// <summary>
    /// The input field the error is about: the last segment of <see cref="Field"/> (<c>zip</c>), or null when
    /// Shopify named none, or named the whole address.
    /// </summary>
    public string? FieldName => Field.Count == 0 ? null : Field[^1] is "address" ? null : Field[^1];
}

/// <summary>What an address mutation did: the address Shopify stored (or deleted), or Shopify's <c>userErrors</c>.</summary>
public sealed record ShopifyAddressResult(ShopifyMailingAddress? Address, string? DeletedAddressId, IReadOnlyList<ShopifyFieldError> UserErrors)
{
    /// <summary>Shopify applied the change (no <c>userErrors</c>).</summary>
    public bool Succeeded => UserErrors.Count == 0;
}
