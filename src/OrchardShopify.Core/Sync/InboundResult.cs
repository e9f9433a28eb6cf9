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
    public static string OutcomeName(InboundOutcome outcome) => outcome.ToString().ToLowerInvariant();
}
