using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// Pushes one user to one store (<c>update_shopify_user_job</c>). Replace it to send more fields:
/// configure <c>Shopify:UpdateShopifyUserJob</c> with a type name, or call <c>UseUserUpdateJob&lt;T&gt;()</c>.
/// </summary>
public interface IShopifyUserUpdateJob
{
    Task<OutboundResult> RunAsync(OutboundPush push, CancellationToken cancellationToken);
}

public enum OutboundOutcome
{
    /// <summary>An existing customer was updated with the changed fields.</summary>
    Updated,

    /// <summary>An unlinked user matched an existing customer by email, which is now linked (and updated if needed).</summary>
    Linked,

    /// <summary>A new customer was created and linked.</summary>
    Created,

    /// <summary>Nothing differed from what Shopify already has.</summary>
    Unchanged,

    /// <summary>The user's data cannot be sent (invalid email or phone); nothing was sent.</summary>
    ValidationFailed,

    /// <summary>Nothing to do: sync off, user gone, store unknown.</summary>
    Skipped,

    /// <summary>Shopify refused the data (e.g. email or phone taken by another customer).</summary>
    Rejected,
}

public sealed record OutboundResult(OutboundOutcome Outcome, long? CustomerId = null, string? Detail = null)
{
    /// <summary>For <see cref="OutboundOutcome.Updated"/>, <see cref="OutboundOutcome.Linked"/> and <see cref="OutboundOutcome.Created"/>: the customer's fields sent.</summary>
    public ProfileFields Changed { get; init; }
}
