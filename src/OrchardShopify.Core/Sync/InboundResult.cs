using OrchardShopify.Core.Customers;

namespace OrchardShopify.Core.Sync;

public enum InboundOutcome
{
    /// <summary>A new user was created and linked.</summary>
    Created,

    /// <summary>An existing user matched (email or phone) and is now linked.</summary>
    Linked,

    /// <summary>The linked user's Shopify-owned fields were refreshed.</summary>
    Updated,

    /// <summary>Newer than what was applied, but nothing differs.</summary>
    Unchanged,

    /// <summary>Older than (or equal to) what was already applied: late or out-of-order delivery.</summary>
    Stale,

    /// <summary>Shopify's notification of a change this site pushed itself.</summary>
    Echo,

    /// <summary>Not applied, for the recorded reason (no email, creation off, link conflict…).</summary>
    Skipped,

    /// <summary>The store's link was removed; the user remains.</summary>
    Unlinked,

    /// <summary>The link and the stored Shopify data of the customer were erased.</summary>
    Redacted,

    /// <summary>A topic this sync does not act on.</summary>
    Ignored,
}

public sealed record InboundResult(InboundOutcome Outcome, string? UserId = null, long? CustomerId = null, string? Detail = null)
{
    /// <summary>For <see cref="InboundOutcome.Skipped"/>: a stable code from <see cref="InboundSkipReasons"/>, for grouping and reports.</summary>
    public string? Reason { get; init; }

    /// <summary>For <see cref="InboundOutcome.Created"/>, <see cref="InboundOutcome.Linked"/> and <see cref="InboundOutcome.Updated"/>: the user's profile fields written.</summary>
    public ProfileFields Changed { get; init; }

    public static string OutcomeName(InboundOutcome outcome) => outcome.ToString().ToLowerInvariant();
}

/// <summary>Stable codes of <see cref="InboundResult.Reason"/>; the detail text says the same in words and names ids.</summary>
public static class InboundSkipReasons
{
    public const string InboundOff = "inbound_off";
    public const string NoEmail = "no_email";
    public const string CreationOff = "creation_off";
    public const string EmailTakenLinkOnly = "email_taken_link_only";
    public const string UserLinkedToOtherCustomer = "user_linked_to_other_customer";
    public const string NotLinked = "not_linked";
    public const string CustomerDeleted = "customer_deleted";
    public const string UnverifiedIdentity = "unverified_identity";

    /// <summary>What each code means, for people.</summary>
    public static string Describe(string? reason) => reason switch
    {
        InboundOff => "Inbound sync is turned off.",
        NoEmail => "The customer has no email and matches no user.",
        CreationOff => "No user matches and CreateUsersFromShopify is off.",
        EmailTakenLinkOnly => "The email belongs to a user, and the LinkOnly strategy does not match by email.",
        UserLinkedToOtherCustomer => "The matching user is already linked to another customer of the store.",
        NotLinked => "No user is linked to this customer.",
        CustomerDeleted => "Shopify deleted this customer before the delivery arrived; it links no user.",
        UnverifiedIdentity => "The customer's email belongs to a user who has not confirmed it; not linked.",
        _ => "Not applied.",
    };
}
