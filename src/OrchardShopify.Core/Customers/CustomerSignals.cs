using System.Globalization;

namespace OrchardShopify.Core.Customers;

/// <summary>
/// Commerce signals: what Shopify alone knows about a customer in one store (orders, spend, tags, email marketing
/// consent, account state, verified email). Stored on the customer's link, refreshed by every inbound state that is
/// not older than the stored one (webhooks, catch-up, import, reconciliation), and never sent to Shopify.
/// </summary>
/// <remarks>
/// Values are read from the REST webhook payload (<c>orders_count</c>, <c>total_spent</c> with the customer's
/// <c>currency</c>, <c>tags</c>, <c>email_marketing_consent.state</c>, <c>state</c>, <c>verified_email</c>) or from the
/// GraphQL Admin API (<c>numberOfOrders</c>, <c>amountSpent</c>, <c>tags</c>, <c>defaultEmailAddress.marketingState</c>,
/// <c>state</c>, <c>verifiedEmail</c>). Enumerations are kept in the REST spelling (lower case: <c>enabled</c>,
/// <c>subscribed</c>, <c>not_subscribed</c>), so both sources compare equal.
/// </remarks>
public sealed record CustomerSignals
{
    /// <summary>Orders the customer placed in the store; null when Shopify did not say.</summary>
    public long? NumberOfOrders { get; init; }

    /// <summary>Total the customer spent in the store, in <see cref="Currency"/>; null when Shopify did not say.</summary>
    public decimal? AmountSpent { get; init; }

    /// <summary>ISO 4217 code of <see cref="AmountSpent"/>.</summary>
    public string? Currency { get; init; }

    /// <summary>The customer's tags in the store, trimmed, without empties or case-insensitive repeats, in Shopify's order.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Email marketing consent: <c>subscribed</c>, <c>not_subscribed</c>, <c>pending</c>, <c>unsubscribed</c>, <c>redacted</c> or <c>invalid</c>.</summary>
    public string? EmailMarketingState { get; init; }

    /// <summary>Customer account state: <c>enabled</c>, <c>disabled</c>, <c>invited</c> or <c>declined</c>.</summary>
    public string? State { get; init; }

    /// <summary>The customer verified the email address with Shopify.</summary>
    public bool? VerifiedEmail { get; init; }

    /// <summary>Shopify's <c>updated_at</c> of the state these signals were read from: an older state never replaces them.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Whether the customer has <paramref name="tag"/> (compared as Shopify does, ignoring case and surrounding spaces).</summary>
    public bool HasTag(string tag)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var wanted = tag.Trim();
        return Tags.Any(t => string.Equals(t.Trim(), wanted, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The same signals, compared field by field (tags in order, ignoring case).</summary>
    internal bool SameAs(CustomerSignals? other) =>
        other is not null
        && NumberOfOrders == other.NumberOfOrders
        && AmountSpent == other.AmountSpent
        && string.Equals(Currency, other.Currency, StringComparison.OrdinalIgnoreCase)
        && Tags.SequenceEqual(other.Tags, StringComparer.OrdinalIgnoreCase)
        && string.Equals(EmailMarketingState, other.EmailMarketingState, StringComparison.Ordinal)
        && string.Equals(State, other.State, StringComparison.Ordinal)
        && VerifiedEmail == other.VerifiedEmail
        && UpdatedAt == other.UpdatedAt;

    /// <summary>Tags as Shopify's REST payloads carry them (<c>"wholesale, VIP"</c>) or as a list (GraphQL).</summary>
    internal static IReadOnlyList<string> NormalizeTags(IEnumerable<string?> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<string>();
        foreach (var tag in tags)
        {
            var trimmed = tag?.Trim();
            if (!string.IsNullOrEmpty(trimmed) && seen.Add(trimmed))
            {
                result.Add(trimmed);
            }
        }

        return result;
    }

    /// <summary>Splits a REST <c>tags</c> string on commas.</summary>
    internal static IReadOnlyList<string> ParseTags(string? tags) => NormalizeTags((tags ?? "").Split(','));

    /// <summary>An enumeration value in the REST spelling: GraphQL's <c>NOT_SUBSCRIBED</c> becomes <c>not_subscribed</c>.</summary>
    internal static string? NormalizeEnum(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLower(CultureInfo.InvariantCulture);

    /// <summary>A decimal amount as Shopify writes it (<c>"199.65"</c>); null when it is not a number.</summary>
    internal static decimal? ParseAmount(string? value) =>
        decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) ? amount : null;
}
