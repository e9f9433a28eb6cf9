using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Core.Tests.Sync;

/// <summary>Who may change their linked customer in Shopify (their addresses): only a user who proved the identity a link rests on.</summary>
public sealed class LinkedCustomerChangeTests
{
    private static SyncUser User(bool emailConfirmed, bool phoneConfirmed, string? email = "ann@example.com", string? phone = "+447700900123") =>
        new("u1", email, null, "Ann", null, phone, null, new Dictionary<string, long>()) { EmailConfirmed = emailConfirmed, PhoneConfirmed = phoneConfirmed };

    [Theory]
    [InlineData(true, false, UserMatchStrategy.EmailOrPhone, true)]
    [InlineData(false, true, UserMatchStrategy.EmailOrPhone, true)]
    [InlineData(false, true, UserMatchStrategy.Email, false)]
    [InlineData(false, false, UserMatchStrategy.EmailOrPhone, false)]
    public void A_confirmed_email_or_a_confirmed_phone_that_is_matched_lets_the_user_change_the_customer(bool email, bool phone, UserMatchStrategy strategy, bool expected)
    {
        var options = new ShopifySyncOptions { MatchStrategy = strategy };

        Assert.Equal(expected, CustomerMatching.MayChangeLinkedCustomer(User(email, phone), options));
    }

    [Fact]
    public void A_confirmed_flag_without_the_value_proves_nothing_unless_verification_is_off()
    {
        var user = User(emailConfirmed: true, phoneConfirmed: true, email: null, phone: null);

        Assert.False(CustomerMatching.MayChangeLinkedCustomer(user, new ShopifySyncOptions()));
        Assert.True(CustomerMatching.MayChangeLinkedCustomer(User(false, false), new ShopifySyncOptions { RequireVerifiedIdentity = false }));
    }
}
