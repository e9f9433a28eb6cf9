using Microsoft.AspNetCore.Http;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.Web.TagHelpers;

/// <summary>The fields of the account page's address forms (<c>Address.City</c>, …); blank fields are not sent to Shopify.</summary>
public sealed class AddressFormInput
{
    public string? FirstName { get; set; }

    public string? LastName { get; set; }

    public string? Company { get; set; }

    public string? Address1 { get; set; }

    public string? Address2 { get; set; }

    public string? City { get; set; }

    public string? ProvinceCode { get; set; }

    public string? CountryCode { get; set; }

    public string? Zip { get; set; }

    public string? Phone { get; set; }

    public bool SetAsDefault { get; set; }

    public ShopifyAddressInput ToInput() => new(FirstName, LastName, Company, Address1, Address2, City, ProvinceCode, CountryCode, Zip, Phone);

    /// <summary>The posted values by <c>MailingAddressInput</c> field name, to show them again.</summary>
    public IReadOnlyDictionary<string, string> Values() => ToInput().ToGraphQL().ToDictionary(p => p.Key, p => (string)p.Value!, StringComparer.Ordinal);
}

/// <summary>
/// A failed address form, shown again on the same page: which form (store, address; empty for the new-address form),
/// the values posted, and the messages by <c>MailingAddressInput</c> field (<c>zip</c>, <c>countryCode</c>; <c>address</c>
/// for the address as a whole) from Shopify's <c>userErrors</c>.
/// </summary>
public sealed record AddressFormState(string Store, string AddressId, IReadOnlyDictionary<string, string> Values, IReadOnlyDictionary<string, string> Errors, string Message)
{
    private static readonly object ItemsKey = new();

    /// <summary>The form fields in the order the page shows them: (input name, label, autocomplete).</summary>
    public static IReadOnlyList<(string Name, string Label, string Autocomplete)> Fields { get; } =
    [
        ("firstName", "First name", "given-name"),
        ("lastName", "Last name", "family-name"),
        ("company", "Company", "organization"),
        ("address1", "Address", "address-line1"),
        ("address2", "Apartment, suite, etc.", "address-line2"),
        ("city", "City", "address-level2"),
        ("provinceCode", "Province or state code", "address-level1"),
        ("countryCode", "Country code (GB, US, …)", "country"),
        ("zip", "Postcode / ZIP", "postal-code"),
        ("phone", "Phone", "tel"),
    ];

    public bool IsFor(string? store, string? addressId) =>
        string.Equals(Store, store, StringComparison.OrdinalIgnoreCase)
        && CustomerAddressService.ParseAddressId(AddressId) == CustomerAddressService.ParseAddressId(addressId);

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var message) ? message : null;

    public static void Set(HttpContext http, AddressFormState state) => http.Items[ItemsKey] = state;

    public static AddressFormState? Get(HttpContext http) => http.Items.TryGetValue(ItemsKey, out var state) ? state as AddressFormState : null;

    /// <summary>The current value of a field of <paramref name="address"/>, by <c>MailingAddressInput</c> name.</summary>
    public static string? ValueOf(ShopifyMailingAddress? address, string field) => address is null ? null : field switch
    {
        "firstName" => address.FirstName,
        "lastName" => address.LastName,
        "company" => address.Company,
        "address1" => address.Address1,
        "address2" => address.Address2,
        "city" => address.City,
        "provinceCode" => address.ProvinceCode,
        "countryCode" => address.CountryCode,
        "zip" => address.Zip,
        "phone" => address.Phone,
        _ => null,
    };
}
