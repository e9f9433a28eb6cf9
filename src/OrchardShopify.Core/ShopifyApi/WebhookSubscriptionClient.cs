using System.Text.Json;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>A webhook subscription of the app on a store.</summary>
public sealed record ShopifyWebhookSubscription(string Id, string Topic, Uri CallbackUri, string Format);

/// <summary>What <see cref="WebhookSubscriptionClient.RegisterCustomerWebhooksAsync"/> found and did.</summary>
public sealed record WebhookRegistration(IReadOnlyList<ShopifyWebhookSubscription> Created, IReadOnlyList<ShopifyWebhookSubscription> AlreadyRegistered);

/// <summary>
/// The customer topics the sync subscribes to through the API. The mandatory compliance topics
/// (customers/data_request, customers/redact, shop/redact) are declared in the app's configuration file, not here.
/// </summary>
public static class CustomerWebhookTopics
{
    public const string CustomersCreate = "CUSTOMERS_CREATE";
    public const string CustomersUpdate = "CUSTOMERS_UPDATE";
    public const string CustomersDelete = "CUSTOMERS_DELETE";

    public static IReadOnlyList<string> All { get; } = [CustomersCreate, CustomersUpdate, CustomersDelete];
}

/// <summary>Lists, creates and deletes the store's webhook subscriptions.</summary>
public sealed class WebhookSubscriptionClient
{
    private const int PageSize = 100;

    private readonly ShopifyAdminClient _client;

    public WebhookSubscriptionClient(ShopifyAdminClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <summary>All subscriptions, optionally of the given topics only.</summary>
    public async Task<IReadOnlyList<ShopifyWebhookSubscription>> ListAsync(ShopifyStore store, IReadOnlyCollection<string>? topics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var all = new List<ShopifyWebhookSubscription>();
        string? after = null;
        do
        {
            var request = new ShopifyRequest(
                ShopifyDocument.WebhookSubscriptions,
                ShopifyCustomerClient.Vars(("topics", topics is { Count: > 0 } ? topics : null), ("first", PageSize), ("after", after)),
                ShopifyQueryCost.WebhookConnection(PageSize));
            var (items, hasNext, cursor) = await _client.ExecuteAsync(
                store,
                request,
                data =>
                {
                    var connection = data.GetProperty("webhookSubscriptions");
                    var (next, end) = connection.PageInfo();
                    return Tuple.Create(connection.Nodes().Select(ReadSubscription).ToList(), next, end);
                },
                cancellationToken).ConfigureAwait(false);
            all.AddRange(items);
            after = hasNext ? cursor : null;
        }
        while (after is not null);

        return all;
    }

    public Task<ShopifyWebhookSubscription> CreateAsync(ShopifyStore store, string topic, Uri callbackUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(callbackUri);
        var request = new ShopifyRequest(
            ShopifyDocument.WebhookSubscriptionCreate,
            ShopifyCustomerClient.Vars(("topic", topic), ("uri", callbackUri.AbsoluteUri)),
            ShopifyQueryCost.Mutation);
        return _client.ExecuteAsync(
            store,
            request,
            data =>
            {
                var payload = PayloadOf(data, "webhookSubscriptionCreate", store, request);
                return payload.GetObjectOrNull("webhookSubscription") is { } created
                    ? ReadSubscription(created)
                    : throw new ShopifyApiException(store.Handle, request.Operation, "Shopify returned no subscription", isTransient: false);
            },
            cancellationToken);
    }

    /// <summary>Deletes a subscription; returns false when it no longer existed.</summary>
    public async Task<bool> DeleteAsync(ShopifyStore store, string subscriptionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var request = new ShopifyRequest(ShopifyDocument.WebhookSubscriptionDelete, ShopifyCustomerClient.Vars(("id", subscriptionId)), ShopifyQueryCost.Mutation);
        var deleted = await _client.ExecuteAsync(
            store,
            request,
            data =>
            {
                var payload = PayloadOf(data, "webhookSubscriptionDelete", store, request);
                return payload.GetStringOrNull("deletedWebhookSubscriptionId");
            },
            cancellationToken).ConfigureAwait(false);
        return deleted is not null;
    }

    /// <summary>
    /// Subscribes <paramref name="callbackUri"/> to the customer topics that it is not subscribed to yet. Running it
    /// again creates nothing.
    /// </summary>
    public async Task<WebhookRegistration> RegisterCustomerWebhooksAsync(ShopifyStore store, Uri callbackUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callbackUri);
        var existing = (await ListAsync(store, CustomerWebhookTopics.All, cancellationToken).ConfigureAwait(false))
            .Where(s => s.CallbackUri == callbackUri)
            .ToList();
        var created = new List<ShopifyWebhookSubscription>();
        foreach (var topic in CustomerWebhookTopics.All)
        {
            if (!existing.Any(s => string.Equals(s.Topic, topic, StringComparison.Ordinal)))
            {
                created.Add(await CreateAsync(store, topic, callbackUri, cancellationToken).ConfigureAwait(false));
            }
        }

        return new WebhookRegistration(created, existing);
    }

    /// <summary>Removes the customer-topic subscriptions that point at <paramref name="callbackUri"/>; returns how many.</summary>
    public async Task<int> UnregisterCustomerWebhooksAsync(ShopifyStore store, Uri callbackUri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(callbackUri);
        var removed = 0;
        foreach (var subscription in await ListAsync(store, CustomerWebhookTopics.All, cancellationToken).ConfigureAwait(false))
        {
            if (subscription.CallbackUri == callbackUri && await DeleteAsync(store, subscription.Id, cancellationToken).ConfigureAwait(false))
            {
                removed++;
            }
        }

        return removed;
    }

    private static JsonElement PayloadOf(JsonElement data, string field, ShopifyStore store, ShopifyRequest request)
    {
        var payload = data.GetObjectOrNull(field)
            ?? throw new ShopifyApiException(store.Handle, request.Operation, $"the response has no {field} payload", isTransient: false);
        ShopifyUserErrors.ThrowIfAny(payload, store.Handle, request.Operation);
        return payload;
    }

    private static ShopifyWebhookSubscription ReadSubscription(JsonElement s) => new(
        s.GetRequiredString("id"),
        s.GetRequiredString("topic"),
        new Uri(s.GetRequiredString("uri"), UriKind.RelativeOrAbsolute),
        s.GetStringOrNull("format") ?? "JSON");
}
