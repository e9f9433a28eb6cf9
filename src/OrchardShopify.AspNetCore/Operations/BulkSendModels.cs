using OrchardShopify.AspNetCore.Jobs;

namespace OrchardShopify.AspNetCore.Operations;

/// <summary>Which users a bulk send takes; every criterion left null takes everyone.</summary>
/// <param name="Search">Part of the email, first name, last name or display name (case-insensitive).</param>
/// <param name="Linked">True: only users linked to a customer of the store; false: only users not linked there.</param>
/// <param name="Confirmed">True: only users who confirmed their email; false: only those who did not (they are all skipped).</param>
public sealed record BulkSendFilter(string? Search = null, bool? Linked = null, bool? Confirmed = null);

/// <summary>A user a bulk send did not push, or whose push failed, and why.</summary>
/// <param name="Reason">Stable code: <c>excluded_role</c>, <c>unverified_email</c> (skipped), or the push's outcome (<c>rejected</c>, <c>validationfailed</c>, <c>skipped</c>, <c>deadletter</c>).</param>
public sealed record BulkSendUserNote(string UserId, string Reason, string Message);

/// <summary>A bulk send's progress: users read, matched by the filter, skipped by the identity rules, and the pushes queued and finished.</summary>
/// <param name="Stage"><c>starting</c>, <c>queuing</c>, <c>waiting</c> (every push is queued; waiting for the last outcomes), <c>finished</c>.</param>
/// <param name="Scanned">Users read from the site.</param>
/// <param name="Matched">Users the filter took.</param>
/// <param name="Queued">Deliberate pushes queued (one per matched user that may be sent).</param>
/// <param name="Done">Queued pushes that reached Shopify (created, linked, updated or unchanged).</param>
/// <param name="Failed">Queued pushes Shopify refused, that the outbound job skipped, or that ended as dead letters.</param>
/// <param name="Skipped">Matched users never pushed: their identity is not verified or their role is excluded.</param>
/// <param name="SkippedByReason">Skipped users per reason code (<c>unverified_email</c>, <c>excluded_role</c>).</param>
/// <param name="Notes">The first skipped and failed users with the reason (bounded by <c>Backfill:ReportLimit</c>).</param>
public sealed record BulkSendProgress(
    string Stage,
    long Scanned,
    long Matched,
    long Queued,
    long Done,
    long Failed,
    long Skipped,
    IReadOnlyDictionary<string, long> SkippedByReason,
    IReadOnlyList<BulkSendUserNote> Notes);

/// <summary>A bulk send as the admin JSON and pages show it.</summary>
public sealed record BulkSendStatus(
    string Id,
    string Store,
    SyncJobStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset LastProgressAt,
    string? Error,
    BulkSendFilter Filter,
    BulkSendProgress Progress);
