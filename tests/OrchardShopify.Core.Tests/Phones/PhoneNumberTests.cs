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
    [InlineData("555-625-1199", "1", "+15556251199")]
    [InlineData("00420 601 123 456", "1", "+420601123456")]
    [InlineData("07700 900123", "44", "+447700900123")]
    [InlineData("+44 20 7946 0958", "1", "+442079460958")]
    public void Inputs_shopify_accepts_normalize_to_e164(string input, string callingCode, string expected)
    {
        Assert.True(PhoneNumbers.TryNormalize(input, callingCode, out var e164));
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
    public void Non_dialable_inputs_are_rejected(string input)
    {
        Assert.False(PhoneNumbers.TryNormalize(input, "1", out _));
    }
}
