using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;
using OrchardShopify.Testing;

namespace OrchardShopify.Core.Tests.Sync;

/// <summary>The matching rules on their own: which user a customer is matched to, and which customer a pushed user is.</summary>
public sealed class CustomerMatchingTests
{
    private static ShopifySyncOptions Options(UserMatchStrategy strategy, bool requireVerified = true)
        => new() { MatchStrategy = strategy, RequireVerifiedIdentity = requireVerified };

    private static SyncUser Holder(bool emailConfirmed)
        => new("user-7", "ada@example.com", null, "Ada", null, null, null, new Dictionary<string, long>()) { EmailConfirmed = emailConfirmed };

    [Theory]
    [InlineData(UserMatchStrategy.Email, true, true, "user-7", null)]
    [InlineData(UserMatchStrategy.EmailOrPhone, true, true, "user-7", null)]
    [InlineData(UserMatchStrategy.Email, false, true, null, InboundSkipReasons.UnverifiedIdentity)]
    [InlineData(UserMatchStrategy.Email, false, false, "user-7", null)]
    [InlineData(UserMatchStrategy.LinkOnly, true, true, null, InboundSkipReasons.EmailTakenLinkOnly)]
    [InlineData(UserMatchStrategy.LinkOnly, false, false, null, InboundSkipReasons.EmailTakenLinkOnly)]
    public void A_customer_whose_email_was_taken_meanwhile_is_linked_to_its_holder_only_as_the_match_rules_allow(
        UserMatchStrategy strategy, bool emailConfirmed, bool requireVerified, string? linkedTo, string? refusedReason)
    {
        var resolved = CustomerMatching.ResolveTakenEmail(Holder(emailConfirmed), Options(strategy, requireVerified));

        Assert.Equal(linkedTo, resolved.User?.Id);
        if (refusedReason is null)
        {
            Assert.Null(resolved.Refused);
        }
        else
        {
            Assert.Contains("user-7", resolved.Refused, StringComparison.Ordinal);
            Assert.Equal(refusedReason, resolved.RefusedReason);
        }
    }

    [Theory]
    [InlineData(null, null, null, ProfileFields.FirstName | ProfileFields.LastName | ProfileFields.Phone)]
    [InlineData("Ada", null, null, ProfileFields.LastName | ProfileFields.Phone)]
    [InlineData("Ada", "King", "+16135559999", ProfileFields.None)]
    [InlineData(null, "King", "+16135559999", ProfileFields.FirstName)]
    public void A_matched_user_keeps_its_values_and_takes_only_what_it_lacks(string? first, string? last, string? phone, ProfileFields filled)
    {
        var user = new CustomerProfile(first, last, "ada@example.com", phone);
        var incoming = new CustomerProfile("Augusta", "Lovelace", "other@example.com", "+16135550000");

        Assert.Equal(filled, CustomerMatching.FilledOnLink(user, incoming));
    }

    [Fact]
    public void A_customer_without_a_value_fills_nothing()
    {
        var user = new CustomerProfile(null, null, "ada@example.com", null);

        Assert.Equal(ProfileFields.None, CustomerMatching.FilledOnLink(user, new CustomerProfile(null, null, "ada@example.com", null)));
    }

    [Theory]
    [InlineData(UserMatchStrategy.EmailOrPhone, true, true, "email")]
    [InlineData(UserMatchStrategy.EmailOrPhone, false, true, "refused")]
    [InlineData(UserMatchStrategy.EmailOrPhone, false, false, "email")]
    [InlineData(UserMatchStrategy.Email, true, true, "email")]
    [InlineData(UserMatchStrategy.LinkOnly, true, true, "none")]
    public async Task An_unlinked_customer_is_matched_by_email_only_to_a_user_who_confirmed_it(
        UserMatchStrategy strategy, bool emailConfirmed, bool requireVerified, string expected)
    {
        var users = new InMemoryUserDirectory();
        var ada = await users.AddByHostAsync("ada@example.com", emailConfirmed: emailConfirmed);

        var match = await CustomerMatching.FindUserAsync(users, new CustomerProfile("Ada", null, "ADA@example.com ", null), Options(strategy, requireVerified), CancellationToken.None);

        Assert.Equal(expected == "email" ? ada.Id : null, match.User?.Id);
        Assert.Equal(expected == "refused", match.Refused is not null);
    }

    [Theory]
    [InlineData(UserMatchStrategy.EmailOrPhone, true, "phone")]
    [InlineData(UserMatchStrategy.EmailOrPhone, false, "passed over")]
    [InlineData(UserMatchStrategy.Email, true, "none")]
    public async Task An_unlinked_customer_without_an_email_match_is_matched_by_a_confirmed_phone_only_when_phones_are_matched(
        UserMatchStrategy strategy, bool phoneConfirmed, string expected)
    {
        var users = new InMemoryUserDirectory();
        var grace = await users.AddByHostAsync("grace@example.com", phone: "+16135550000", phoneConfirmed: phoneConfirmed);

        var match = await CustomerMatching.FindUserAsync(users, new CustomerProfile(null, null, "hopper@example.com", "+16135550000"), Options(strategy), CancellationToken.None);

        Assert.Equal(expected == "phone" ? grace.Id : null, match.User?.Id);
        Assert.Null(match.Refused);
        Assert.Equal(expected == "passed over", match.Note?.Contains(grace.Id, StringComparison.Ordinal) == true);
    }

    [Theory]
    [InlineData(true, true, true)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    public async Task A_pushed_user_is_matched_to_the_stores_customer_with_its_email_only_once_it_confirmed_it(bool emailConfirmed, bool requireVerified, bool matched)
    {
        using var harness = SyncHarness.SingleStore(o => o.RequireVerifiedIdentity = requireVerified);
        var existing = harness.Shopify.Seed("uk", new CustomerProfile("Ada", "Lovelace", "ada@example.com", null));
        harness.Shopify.Seed("uk", new CustomerProfile("Grace", "Hopper", "grace@example.com", null));
        var user = new SyncUser("user-1", "ada@example.com", null, null, null, null, null, new Dictionary<string, long>()) { EmailConfirmed = emailConfirmed };
        var store = harness.Stores.FindByHandle("uk")!;

        var found = await CustomerMatching.FindCustomerForPushAsync(harness.Shopify, store, user, OutboundProfile.Of(user, harness.Options), harness.Options, CancellationToken.None);

        Assert.Equal(matched ? existing.Id : null, found?.Id);
        Assert.Equal(matched, harness.Shopify.Calls.Any(c => c.Contains("ada@example.com", StringComparison.Ordinal)));
    }
}
