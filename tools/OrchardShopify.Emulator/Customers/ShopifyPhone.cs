using OrchardShopify.Core.Phones;

namespace OrchardShopify.Emulator.Customers;

/// <summary>
/// Shopify's phone rule as the emulator serves it: the number is read by libphonenumber (national numbers as NANP, the
/// <c>00</c> prefix as <c>+</c>) and stored in E.164 when the library calls it valid, or when it is in Ofcom's drama
/// range <c>+44 7700 900000–900999</c>, which Shopify stores although libphonenumber (and Orchard Core) refuse it.
/// </summary>
internal static class ShopifyPhone
{
    private const string OfcomDramaRange = "+447700900";

    public static bool TryNormalize(string? input, out string e164)
    {
        if (PhoneNormalizer.TryRead(input, "US", out e164, out var valid)
            && (valid || (e164.StartsWith(OfcomDramaRange, StringComparison.Ordinal) && e164.Length == OfcomDramaRange.Length + 3)))
        {
            return true;
        }

        e164 = string.Empty;
        return false;
    }
}
