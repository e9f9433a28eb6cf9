using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Phones;

namespace OrchardShopify.Core.Tests.Phones;

public sealed class PhoneNumberTests
{
    [Theory]
    [InlineData("6135551212", "1", "+16135551212")]
    [InlineData("+16135551212", "1", "+16135551212")]
    [InlineData("(613)555-1212", "1", "+16135551212")]
    [InlineData("+1 613-555-1212", "1", "+16135551212")]
    [InlineData("1 613 555 1212", "1", "+16135551212")]
    [InlineData("00420 601 123 456", "1", "+420601123456")]
    [InlineData("07400 900123", "44", "+447400900123")]
    [InlineData("+44 20 7946 0958", "1", "+442079460958")]
    public void Inputs_shopify_accepts_normalize_to_e164(string input, string callingCode, string expected)
    {
        Assert.True(PhoneNormalizer.TryNormalize(input, callingCode, out var e164));
        Assert.Equal(expected, e164);
    }

    [Theory]
    [InlineData("555-1212")]
    [InlineData("call me")]
    [InlineData("+1 013 555 1212")]
    [InlineData("+1234567890123456")]
    [InlineData("613555121x")]
    [InlineData("")]
    [InlineData("++16135551212")]
    // Shopify's own sample payload number: area code 555 is not assigned, so libphonenumber refuses it.
    [InlineData("555-625-1199")]
    public void Non_dialable_inputs_are_rejected(string input)
    {
        Assert.False(PhoneNormalizer.TryNormalize(input, "1", out _));
    }

    /// <summary>The formats Shopify documents (E.164, national with trunk prefix, spaces/dashes/dots/parentheses, 00) across regions.</summary>
    [Theory]
    [InlineData("US", "+1 (202) 555-0123", "+12025550123")]
    [InlineData("US", "202.555.0123", "+12025550123")]
    [InlineData("CA", "613-555-1212", "+16135551212")]
    [InlineData("GB", "020 7946 0958", "+442079460958")]
    [InlineData("GB", "+44 (0)20 7946 0958", "+442079460958")]
    [InlineData("GB", "07400 900123", "+447400900123")]
    [InlineData("IT", "06 6982 1234", "+390669821234")] // Italy keeps the leading 0 of fixed lines in the number
    [InlineData("IT", "+39 06 6982 1234", "+390669821234")]
    [InlineData("IT", "333 123 4567", "+393331234567")]
    [InlineData("DE", "030 123456", "+4930123456")]
    [InlineData("DE", "+49 (0)30 123456", "+4930123456")]
    [InlineData("DE", "01512 3456789", "+4915123456789")]
    [InlineData("FR", "06 12 34 56 78", "+33612345678")]
    [InlineData("FR", "+33 1 23 45 67 89", "+33123456789")]
    [InlineData("AU", "(02) 9876 5432", "+61298765432")]
    [InlineData("AU", "0412 345 678", "+61412345678")]
    [InlineData("JP", "03-1234-5678", "+81312345678")]
    [InlineData("JP", "090-1234-5678", "+819012345678")]
    [InlineData("BR", "(11) 91234-5678", "+5511912345678")]
    [InlineData("IN", "098765 43210", "+919876543210")]
    [InlineData("ES", "612 34 56 78", "+34612345678")]
    [InlineData("MX", "55 1234 5678", "+525512345678")]
    [InlineData("IE", "085 123 4567", "+353851234567")]
    [InlineData("CZ", "00420 601 123 456", "+420601123456")]
    [InlineData("gb", "+1 613 555 1212", "+16135551212")] // an international number ignores the default region
    public void Numbers_libphonenumber_calls_valid_normalize_to_e164_in_their_region(string region, string input, string expected)
    {
        Assert.True(PhoneNormalizer.TryNormalize(input, region, out var e164));
        Assert.Equal(expected, e164);
        Assert.True(PhoneNormalizer.IsValidInternational(e164));
    }

    [Theory]
    [InlineData("GB", "07700 900123")] // Ofcom's drama range: possible, not valid
    [InlineData("GB", "+44 7700 900123")]
    [InlineData("IT", "+39 6 6982 1234")] // Italy's leading 0 dropped as if it were a trunk prefix
    [InlineData("US", "+1 113 555 1212")] // no area code starts with 1
    [InlineData("US", "555-625-1199")]
    [InlineData("AU", "+61 2 9876 543")] // one digit short
    [InlineData("JP", "+81 3 1234 567")]
    [InlineData("CZ", "+420 601 123 45")]
    [InlineData("DE", "+49 30")]
    [InlineData("US", "1-800-FLOWERS")] // letters are not dialable as given
    [InlineData("US", "+1 613 555 1212 ext. 5")] // nor is an extension
    [InlineData("FR", "06 12 34 56 78 90")]
    [InlineData("BR", "+55 11 1234")]
    [InlineData("IN", "+91 12345")]
    [InlineData("ES", "+34 012 345 678")]
    public void Numbers_libphonenumber_rejects_are_refused(string region, string input)
    {
        Assert.False(PhoneNormalizer.TryNormalize(input, region, out var e164));
        Assert.Equal("", e164);
        Assert.Null(PhoneNormalizer.NormalizeOrNull(input, region));
    }

    [Fact]
    public void A_national_number_is_not_valid_as_an_international_one()
    {
        Assert.False(PhoneNormalizer.IsValidInternational("020 7946 0958"));
        Assert.True(PhoneNormalizer.IsValidInternational("+442079460958"));
        Assert.False(PhoneNormalizer.IsValidInternational("+447700900123"));
    }

    [Theory]
    [InlineData(null, "1", "US")]
    [InlineData(null, "44", "GB")]
    [InlineData(null, "39", "IT")]
    [InlineData(null, "7", "RU")]
    [InlineData("", "44", "GB")]
    [InlineData("ca", "1", "CA")]
    [InlineData("GB", "1", "GB")] // DefaultRegion wins over the older calling code
    public void The_default_region_is_the_setting_or_the_main_region_of_the_calling_code(string? region, string callingCode, string expected)
    {
        var options = new ShopifySyncOptions { DefaultRegion = region, DefaultCountryCallingCode = callingCode };

        Assert.Equal(expected, PhoneNormalizer.DefaultRegionOf(options));
    }

    [Fact]
    public void A_national_number_reads_in_the_region_migrated_from_the_calling_code()
    {
        var byCallingCode = new ShopifySyncOptions { DefaultCountryCallingCode = "39" };
        var byRegion = new ShopifySyncOptions { DefaultRegion = "IT" };

        Assert.Equal("+390669821234", PhoneNormalizer.NormalizeOrNull("06 6982 1234", PhoneNormalizer.DefaultRegionOf(byCallingCode)));
        Assert.Equal("+390669821234", PhoneNormalizer.NormalizeOrNull("06 6982 1234", PhoneNormalizer.DefaultRegionOf(byRegion)));
    }
}
