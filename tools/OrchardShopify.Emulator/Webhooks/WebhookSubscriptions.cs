using System.Collections.Concurrent;

namespace OrchardShopify.Emulator.Webhooks;

public sealed class WebhookSubscription
{
    private int _consecutiveFailures;

    public required long Id { get; init; }

    public required string ShopDomain { get; init; }

    /// <summary>The GraphQL enum name, e.g. CUSTOMERS_CREATE.</summary>
    public required string Topic { get; init; }

    public required Uri CallbackUrl { get; init; }

    public string Format { get; init; } = "JSON";

    public IReadOnlyList<string> IncludeFields { get; init; } = [];

    public required string ApiVersion { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    internal int RecordFailure() => Interlocked.Increment(ref _consecutiveFailures);

    internal void RecordSuccess() => Interlocked.Exchange(ref _consecutiveFailures, 0);
}

/// <summary>Webhook topics as the Admin API enum, mapped to the header form (CUSTOMERS_CREATE → customers/create).</summary>
public static class WebhookTopics
{
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "CUSTOMERS_CREATE", "CUSTOMERS_UPDATE", "CUSTOMERS_DELETE", "CUSTOMERS_ENABLE", "CUSTOMERS_DISABLE",
        "CUSTOMERS_MERGE", "CUSTOMERS_EMAIL_MARKETING_CONSENT_UPDATE", "CUSTOMERS_MARKETING_CONSENT_UPDATE",
        "CUSTOMERS_PURCHASING_SUMMARY", "CUSTOMER_TAGS_ADDED", "CUSTOMER_TAGS_REMOVED", "BULK_OPERATIONS_FINISH",
        "ORDERS_CREATE", "ORDERS_UPDATED", "APP_UNINSTALLED", "SHOP_UPDATE",
    };

    public static string ToHeader(string topic) => topic switch
    {
        "CUSTOMER_TAGS_ADDED" => "customer.tags_added",
        "CUSTOMER_TAGS_REMOVED" => "customer.tags_removed",
        _ => ReplaceLastUnderscore(topic.ToLowerInvariant()),
    };

    public static string FromHeader(string header) => header.Replace('/', '_').Replace('.', '_').ToUpperInvariant();

    private static string ReplaceLastUnderscore(string value)
    {
        var index = value.LastIndexOf('_');
        return index < 0 ? value : string.Concat(value.AsSpan(0, index), "/", value.AsSpan(index + 1));
    }
}

public sealed class WebhookSubscriptionStore
{
    private readonly ConcurrentDictionary<long, WebhookSubscription> _subscriptions = new();
    private long _nextId = 1_300_000_000;

    public WebhookSubscription? Find(string shop, long id) =>
        _subscriptions.TryGetValue(id, out var subscription) && subscription.ShopDomain == shop ? subscription : null;

    public IReadOnlyList<WebhookSubscription> ForShop(string shop) =>
        [.. _subscriptions.Values.Where(s => s.ShopDomain == shop).OrderBy(s => s.Id)];

    public IReadOnlyList<WebhookSubscription> ForTopic(string shop, string topic) =>
        [.. _subscriptions.Values.Where(s => s.ShopDomain == shop && s.Topic == topic).OrderBy(s => s.Id)];

    public (WebhookSubscription? Subscription, string? Error) Add(string shop, string topic, Uri callbackUrl, string format, IReadOnlyList<string> includeFields, string apiVersion, DateTimeOffset now)
    {
        lock (_subscriptions)
        {
            if (_subscriptions.Values.Any(s => s.ShopDomain == shop && s.Topic == topic && s.CallbackUrl == callbackUrl))
            {
                return (null, "Address for this topic has already been taken");
            }

            var subscription = new WebhookSubscription
            {
                Id = Interlocked.Increment(ref _nextId),
                ShopDomain = shop,
                Topic = topic,
                CallbackUrl = callbackUrl,
                Format = format,
                IncludeFields = includeFields,
                ApiVersion = apiVersion,
                CreatedAt = now,
            };
            _subscriptions[subscription.Id] = subscription;
            return (subscription, null);
        }
    }

    public bool Remove(string shop, long id) =>
        Find(shop, id) is not null && _subscriptions.TryRemove(id, out _);

    public void Clear() => _subscriptions.Clear();
}
