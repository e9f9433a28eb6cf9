using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Reconciliation;

public enum DifferenceKind
{
    /// <summary>A linked customer and user disagree on first name, last name, email or phone.</summary>
    FieldsDiffer,

    /// <summary>A Shopify customer no user is linked to.</summary>
    CustomerWithoutUser,

    /// <summary>A link whose Shopify customer no longer exists.</summary>
    LinkToMissingCustomer,

    /// <summary>A link whose site user no longer exists.</summary>
    LinkToMissingUser,

    /// <summary>A site user linked to no customer of the store.</summary>
    UserWithoutCustomer,
}

/// <param name="Field"><c>firstName</c>, <c>lastName</c>, <c>email</c> or <c>phone</c>.</param>
public sealed record FieldDifferenceView(string Field, string? Shopify, string? Site, ChangedSide ChangedOn);

/// <summary>One difference, with the fix the rules suggest (<see cref="Suggested"/>) and why.</summary>
public sealed record ReconciliationDifference(
    DifferenceKind Kind,
    long? CustomerId,
    string? UserId,
    string? Email,
    IReadOnlyList<FieldDifferenceView> Fields,
    ReconcileDirection Suggested,
    string Reason);

/// <summary>Counts over every customer, link and user of the store (the list of differences is bounded, these are not).</summary>
/// <param name="SiteUsers">Null when the user store cannot be listed (no <c>UseIdentityUsers</c>); so are the user counts.</param>
/// <param name="FieldCounts">Linked pairs that differ, per field (<c>firstName</c>, <c>lastName</c>, <c>email</c>, <c>phone</c>).</param>
public sealed record ReconciliationCounts(
    long ShopifyCustomers,
    long LinkedCustomers,
    long CustomersWithoutUser,
    long LinksToMissingCustomers,
    long LinksToMissingUsers,
    long? SiteUsers,
    long? LinkedUsers,
    long? UnlinkedUsers,
    long PairsWithDifferences,
    IReadOnlyDictionary<string, long> FieldCounts);

/// <param name="Stage"><c>starting</c>, <c>exporting</c>, <c>customers</c>, <c>links</c>, <c>users</c>, <c>finished</c>.</param>
/// <param name="Truncated">More differences exist than <c>Backfill:ReportLimit</c> lists.</param>
public sealed record ReconciliationReport(
    string Stage,
    long Processed,
    long? Total,
    ReconciliationCounts Counts,
    IReadOnlyList<ReconciliationDifference> Differences,
    bool Truncated);

public sealed record ReconciliationStatus(
    string Id,
    string Store,
    SyncJobStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset LastProgressAt,
    string? Error,
    ReconciliationReport Report);

/// <summary>A difference to fix; <see cref="Direction"/> overrides the suggested one.</summary>
public sealed record ReconciliationFixItem(DifferenceKind Kind, long? CustomerId = null, string? UserId = null, ReconcileDirection? Direction = null);

/// <param name="Outcome"><c>fixed</c>, <c>queued</c> (a push, done by the outbound worker), <c>nothing_to_do</c> (already in step), <c>refused</c> or <c>failed</c>.</param>
public sealed record ReconciliationFixResult(ReconciliationFixItem Item, string Outcome, ReconcileDirection Direction, string Detail);
