using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.Health;

/// <summary>What the last look at a store's customer webhook subscriptions found.</summary>
/// <param name="Missing">Customer topics with no subscription to this site's webhook URL.</param>
/// <param name="Elsewhere">Callback URLs of customer-topic subscriptions that are not this site's webhook URL.</param>
/// <param name="Error">Why the subscriptions could not be listed (then <paramref name="Missing"/> is empty).</param>
public sealed record WebhookSubscriptionStatus(
    string Store,
    DateTimeOffset CheckedAt,
    IReadOnlyList<string> Missing,
    IReadOnlyList<Uri> Elsewhere,
    string? Error);

/// <summary>
/// Compares each store's customer webhook subscriptions with this site's webhook URL (<c>{Shopify:PublicUrls}/!/shopify/webhook</c>)
/// and keeps the answer for <c>Shopify:HealthWebhookCheckInterval</c>, so a health probe does not call Shopify each time.
/// Registering webhooks from the admin forgets the store's answer, so the next look is fresh.
/// </summary>
public sealed class WebhookSubscriptionMonitor(
    StoreRegistry stores,
    WebhookSubscriptionClient webhooks,
    IOptionsMonitor<ShopifyHostOptions> options,
    TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<string, WebhookSubscriptionStatus> _checked = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>This site's webhook URLs: one per <c>Shopify:PublicUrls</c> entry. Empty: the site does not know its public address.</summary>
    public IReadOnlyList<Uri> CallbackUrls => [.. options.CurrentValue.PublicUrls.Select(CallbackFor)];

    /// <summary>The webhook URL Register webhooks subscribes for a site at <paramref name="callbackBase"/>.</summary>
    public static Uri CallbackFor(Uri callbackBase)
    {
        ArgumentNullException.ThrowIfNull(callbackBase);
        return new Uri(callbackBase.GetLeftPart(UriPartial.Authority) + callbackBase.AbsolutePath.TrimEnd('/') + ShopifyEndpointRouteBuilderExtensions.Prefix + "/webhook");
    }

    /// <summary>
    /// Each store with an access token, looked at again when its last look is older than the interval. Nothing when the
    /// site's public address is not configured: a subscription of this site then cannot be told from another's.
    /// </summary>
    public async Task<IReadOnlyList<WebhookSubscriptionStatus>> GetAsync(CancellationToken cancellationToken)
    {
        var callbacks = CallbackUrls;
        if (callbacks.Count == 0)
        {
            return [];
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var list = new List<WebhookSubscriptionStatus>();
            var now = time.GetUtcNow();
            foreach (var store in stores.Stores.Where(s => s.CanCallAdminApi))
            {
                if (!_checked.TryGetValue(store.Handle, out var status) || now - status.CheckedAt >= options.CurrentValue.HealthWebhookCheckInterval)
                {
                    status = await CheckAsync(store, callbacks, now, cancellationToken);
                    _checked[store.Handle] = status;
                }

                list.Add(status);
            }

            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets the store's last look (after its webhooks were registered).</summary>
    public void Forget(string storeHandle) => _checked.TryRemove(storeHandle, out _);

    public void Dispose() => _gate.Dispose();

    private async Task<WebhookSubscriptionStatus> CheckAsync(ShopifyStore store, IReadOnlyList<Uri> callbacks, DateTimeOffset now, CancellationToken cancellationToken)
    {
        IReadOnlyList<ShopifyWebhookSubscription> subscriptions;
        try
        {
            subscriptions = await webhooks.ListAsync(store, CustomerWebhookTopics.All, cancellationToken);
        }
        catch (ShopifyApiException failed)
        {
            return new WebhookSubscriptionStatus(store.Handle, now, [], [], failed.ShopifyMessage);
        }
#pragma warning disable CA1031 // A store that cannot be asked is reported as not checked, not as a broken database.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            return new WebhookSubscriptionStatus(store.Handle, now, [], [], ex.GetType().Name);
        }

        var missing = CustomerWebhookTopics.All
            .Where(topic => !subscriptions.Any(s => string.Equals(s.Topic, topic, StringComparison.Ordinal) && callbacks.Contains(s.CallbackUri)))
            .ToList();
        var elsewhere = subscriptions.Select(s => s.CallbackUri).Where(uri => !callbacks.Contains(uri)).Distinct().ToList();
        return new WebhookSubscriptionStatus(store.Handle, now, missing, elsewhere, null);
    }
}
