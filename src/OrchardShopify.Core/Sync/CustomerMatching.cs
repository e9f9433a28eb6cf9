using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// Who may claim a customer: the one policy for matching Shopify customers and site users, used by the inbound rules
/// (webhooks one by one, a run's new customers in bulk, import and reconciliation) and by the outbound job.
/// <list type="bullet">
/// <item>An unlinked customer is matched to a user by email only when the user's email is confirmed, and by phone only
/// when the user's phone is confirmed (<see cref="ShopifySyncOptions.RequireVerifiedIdentity"/>). An existing link is
/// never moved to another user by a match.</item>
/// <item>A user is pushed (and matched to an existing customer by email) only once its email is confirmed, and never
/// when it has one of the <see cref="ShopifySyncOptions.ExcludedRoles"/> (staff).</item>
/// <item>A user created from a customer has a confirmed email when Shopify verified it (<c>verified_email</c>).</item>
/// <item>When a user cannot be created for an unmatched customer because its email was taken meanwhile (another delivery,
/// store or node created the user first), the customer is linked to that user under the same rules
/// (<see cref="ResolveTakenEmail"/>).</item>
/// <item>A user matched to a customer keeps what it has; Shopify only fills its blanks (<see cref="FilledOnLink"/>).</item>
/// </list>
/// Where each rule is used: <see cref="FindUserAsync"/> and <see cref="ResolveTakenEmail"/> by the inbound rules,
/// <see cref="FindCustomerForPushAsync"/> and <see cref="WhyNotPushed"/> by the outbound job.
/// </summary>
internal static class CustomerMatching
{
    /// <summary>The user's email may be used to link it to a customer, or to push it.</summary>
    public static bool EmailVerified(SyncUser user, ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(options);
        return !options.RequireVerifiedIdentity || user.EmailConfirmed;
    }

    /// <summary>The user's phone may be used to link it to a customer.</summary>
    public static bool PhoneVerified(SyncUser user, ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(options);
        return !options.RequireVerifiedIdentity || user.PhoneConfirmed;
    }

    /// <summary>
    /// The user has proved an identity a link could have been made by (a confirmed email, or a confirmed phone when
    /// phones are matched), so it may change its linked customer in Shopify (its addresses). Links made before the
    /// email was confirmed, or carried over from elsewhere, act only once the user confirms it.
    /// </summary>
    public static bool MayChangeLinkedCustomer(SyncUser user, ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(options);
        return !options.RequireVerifiedIdentity
            || (user.Email is not null && EmailVerified(user, options))
            || (MatchesPhones(options) && user.Phone is not null && PhoneVerified(user, options));
    }

    /// <summary>Whether phones are matched at all (<see cref="UserMatchStrategy.EmailOrPhone"/>).</summary>
    public static bool MatchesPhones(ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.MatchStrategy == UserMatchStrategy.EmailOrPhone;
    }

    /// <summary>A user created from a customer has a confirmed email exactly when Shopify says it verified the address.</summary>
    public static bool EmailConfirmedOnCreate(bool? verifiedEmail) => verifiedEmail == true;

    /// <summary>The roles of <see cref="ShopifySyncOptions.ExcludedRoles"/>, trimmed.</summary>
    public static IReadOnlyList<string> ExcludedRoles(ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (options.ExcludedRoles ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>The first of the user's roles that is excluded from pushes, or null.</summary>
    public static string? ExcludedRoleOf(SyncUser user, ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(user);
        var excluded = ExcludedRoles(options);
        return user.Roles.FirstOrDefault(role => excluded.Contains(role, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Null when the user may be pushed to Shopify; otherwise why not, in words for an administrator.</summary>
    public static PushRefusal? WhyNotPushed(SyncUser user, ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(options);
        if (ExcludedRoleOf(user, options) is { } role)
        {
            return new PushRefusal(PushRefusal.ExcludedRole, $"User {user.Id} has the role '{role}', which is never sent to Shopify (Shopify:ExcludedRoles).");
        }

        if (!EmailVerified(user, options))
        {
            return new PushRefusal(PushRefusal.UnverifiedEmail, $"User {user.Id} has not confirmed the email address; it is sent to Shopify once it is confirmed (Shopify:RequireVerifiedIdentity).");
        }

        return null;
    }

    /// <summary>
    /// The user an unlinked customer is matched to under <paramref name="options"/>: by email, then (with
    /// <see cref="UserMatchStrategy.EmailOrPhone"/>) by phone, each only when the user verified it.
    /// </summary>
    public static async Task<CustomerMatch> FindUserAsync(IUserDirectory users, CustomerProfile incoming, ShopifySyncOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MatchStrategy == UserMatchStrategy.LinkOnly)
        {
            return CustomerMatch.None;
        }

        if (!string.IsNullOrWhiteSpace(incoming.Email))
        {
            var byEmail = await users.FindByEmailAsync(incoming.Email.Trim(), cancellationToken);
            if (byEmail is not null)
            {
                return EmailVerified(byEmail, options)
                    ? new CustomerMatch(byEmail, null)
                    : new CustomerMatch(null, UnverifiedEmailHolder(byEmail));
            }
        }

        if (MatchesPhones(options) && incoming.Phone is not null)
        {
            var byPhone = await users.FindByPhoneAsync(incoming.Phone, cancellationToken);
            if (byPhone is not null && !PhoneVerified(byPhone, options))
            {
                // Not a match: the customer is treated as new to the site (a user may still be created for its email).
                return new CustomerMatch(null, null, $"The phone belongs to user {byPhone.Id}, who has not confirmed it; not linked by phone.");
            }

            return new CustomerMatch(byPhone, null);
        }

        return CustomerMatch.None;
    }

    /// <summary>
    /// The customer's email turned out taken when a user was to be created for it (another delivery, store or node
    /// created the user first): link to <paramref name="holder"/> when the strategy matches by email and the holder
    /// confirmed it; otherwise the refusal, with its <see cref="CustomerMatch.RefusedReason"/>.
    /// </summary>
    public static CustomerMatch ResolveTakenEmail(SyncUser holder, ShopifySyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MatchStrategy == UserMatchStrategy.LinkOnly)
        {
            return new CustomerMatch(null, $"The email belongs to user {holder.Id}, and the LinkOnly strategy does not match by email.") { RefusedReason = InboundSkipReasons.EmailTakenLinkOnly };
        }

        return EmailVerified(holder, options)
            ? new CustomerMatch(holder, null)
            : new CustomerMatch(null, UnverifiedEmailHolder(holder));
    }

    /// <summary>The fields a user matched to a customer takes from it: only those the user has not got and the customer has.</summary>
    public static ProfileFields FilledOnLink(CustomerProfile user, CustomerProfile incoming)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(incoming);
        var blanks = ProfileFields.None;
        blanks |= user.FirstName is null && incoming.FirstName is not null ? ProfileFields.FirstName : ProfileFields.None;
        blanks |= user.LastName is null && incoming.LastName is not null ? ProfileFields.LastName : ProfileFields.None;
        blanks |= user.Phone is null && incoming.Phone is not null ? ProfileFields.Phone : ProfileFields.None;
        return blanks;
    }

    /// <summary>
    /// The existing customer an unlinked user is matched to before a push creates one: the customer of the store with
    /// the user's exact email, looked up only when the user confirmed that email (<see cref="EmailVerified"/>).
    /// </summary>
    public static async Task<ShopifyCustomer?> FindCustomerForPushAsync(IShopifyCustomerApi shopify, ShopifyStore store, SyncUser user, CustomerProfile profile, ShopifySyncOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shopify);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(options);
        return EmailVerified(user, options) && !string.IsNullOrWhiteSpace(profile.Email)
            ? await shopify.FindCustomerByEmailAsync(store, profile.Email, cancellationToken)
            : null;
    }

    /// <summary>Why a customer whose email belongs to <paramref name="holder"/> is not linked to it.</summary>
    public static string UnverifiedEmailHolder(SyncUser holder)
    {
        ArgumentNullException.ThrowIfNull(holder);
        return $"The email belongs to user {holder.Id}, who has not confirmed it; not linked (Shopify:RequireVerifiedIdentity).";
    }
}

/// <summary>The outcome of <see cref="CustomerMatching.FindUserAsync"/>.</summary>
/// <param name="User">The matched user, or null.</param>
/// <param name="Refused">
/// Set when a user holds the customer's email but has not confirmed it: nothing may be linked or created for the customer.
/// </param>
/// <param name="Note">What was passed over (a phone its holder has not confirmed), for the sync log.</param>
internal sealed record CustomerMatch(SyncUser? User, string? Refused, string? Note = null)
{
    public static readonly CustomerMatch None = new(null, null);

    /// <summary>With <see cref="Refused"/>: its stable code from <see cref="InboundSkipReasons"/>.</summary>
    public string RefusedReason { get; init; } = InboundSkipReasons.UnverifiedIdentity;
}

/// <summary>Why a user is not pushed; <see cref="Code"/> is stable for API clients.</summary>
internal sealed record PushRefusal(string Code, string Message)
{
    public const string ExcludedRole = "excluded_role";

    public const string UnverifiedEmail = "unverified_email";
}
