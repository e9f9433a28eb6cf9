using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
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
    string? Error)
{
    /// <summary>Topics this look found missing and subscribed again (<c>Shopify:AutoRegisterWebhooks</c>).</summary>
    public IReadOnlyList<string> Registered { get; init; } = [];

    /// <summary>Why subscribing the missing topics again failed; null when it was not tried or succeeded.</summary>
    public string? RegistrationError { get; init; }
}

/// <summary>
/// Compares each store's customer webhook subscriptions with this site's webhook URL (<c>{Shopify:PublicUrls}/!/shopify/webhook</c>)
/// and keeps the answer for <c>Shopify:HealthWebhookCheckInterval</c>, so a health probe does not call Shopify each time.
/// Registering webhooks from the admin forgets the store's answer, so the next look is fresh. With
/// <c>Shopify:AutoRegisterWebhooks</c> on, a look that finds topics missing subscribes them again to the first public
/// URL (as Register webhooks does), logs it and writes it to the sync log (<see cref="RegisterTopic"/>): at most once per
/// look, so at most once per interval per store. Subscriptions pointing elsewhere are reported, never removed.
/// </summary>
public sealed partial class WebhookSubscriptionMonitor : IDisposable
{
    /// <summary>Sync log topic of an automatic re-registration (outcome <c>registered</c> or <c>failed</c>).</summary>
    public const string RegisterTopic = "webhooks/register";

    private readonly StoreRegistry _stores;
    private readonly WebhookSubscriptionClient _webhooks;
    private readonly SyncDatabase _database;
    private readonly IOptionsMonitor<ShopifyHostOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookSubscriptionMonitor> _logger;
    private readonly ConcurrentDictionary<string, WebhookSubscriptionStatus> _checked = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ISyncLock _locks;

    internal WebhookSubscriptionMonitor(
        StoreRegistry stores,
        WebhookSubscriptionClient webhooks,
        SyncDatabase database,
        IOptionsMonitor<ShopifyHostOptions> options,
        TimeProvider time,
        ILogger<WebhookSubscriptionMonitor> logger,
        ISyncLock locks)
    {
        _locks = locks;
        _stores = stores;
        _webhooks = webhooks;
        _database = database;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>This site's webhook URLs: one per <c>Shopify:PublicUrls</c> entry. Empty: the site does not know its public address.</summary>
    public IReadOnlyList<Uri> CallbackUrls => [.. _options.CurrentValue.PublicUrls.Select(CallbackFor)];

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
            var now = _time.GetUtcNow();
            foreach (var store in _stores.Stores.Where(s => s.CanCallAdminApi))
            {
                if (!_checked.TryGetValue(store.Handle, out var status) || now - status.CheckedAt >= _options.CurrentValue.HealthWebhookCheckInterval)
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
            subscriptions = await _webhooks.ListAsync(store, CustomerWebhookTopics.All, cancellationToken);
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
        var status = new WebhookSubscriptionStatus(store.Handle, now, missing, elsewhere, null);
        return missing.Count > 0 && _options.CurrentValue.AutoRegisterWebhooks
            ? await RegisterAsync(store, callbacks[0], status, cancellationToken)
            : status;
    }

    /// <summary>Subscribes the missing topics again, as Register webhooks does; a failure is the status's, never thrown.</summary>
    private async Task<WebhookSubscriptionStatus> RegisterAsync(ShopifyStore store, Uri callback, WebhookSubscriptionStatus status, CancellationToken cancellationToken)
    {
        string? error;
        try
        {
            // Nodes sharing the storage take turns: the registration lists the store's subscriptions again under the
            // lock, so a node that finds them missing at the same time as another subscribes nothing twice (Shopify
            // would refuse the second: "Address for this topic has already been taken").
            var registration = await RegisterCustomerWebhooksAsync(store, callback, cancellationToken);

            var registered = registration.Created.Select(s => s.Topic).ToList();
            var subscribed = registered.Concat(registration.AlreadyRegistered.Select(s => s.Topic)).ToHashSet(StringComparer.Ordinal);
            var stillMissing = status.Missing.Where(topic => !subscribed.Contains(topic)).ToList();
            if (registered.Count == 0)
            {
                // Another node subscribed them meanwhile; it logged it.
                return status with { Missing = stillMissing };
            }

            var topics = string.Join(", ", registered);
            Log.Registered(_logger, store.Handle, topics, callback);
            await WriteLogAsync(store.Handle, "registered", $"The webhook check found {string.Join(", ", status.Missing)} missing; subscribed {topics} to {callback} again.");
            return status with { Missing = stillMissing, Registered = registered };
        }
        catch (ShopifyApiException failed)
        {
            error = ProtectedCustomerData.IsRefusal(failed) ? ProtectedCustomerData.Explain(store.Handle, failed.ShopifyMessage) : failed.ShopifyMessage;
        }
#pragma warning disable CA1031 // A failed registration is a health problem until the next look, not an exception for the probe.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
#pragma warning restore CA1031
        {
            error = ex.GetType().Name;
        }

        Log.RegistrationFailed(_logger, store.Handle, callback, error);
        await WriteLogAsync(store.Handle, "failed", $"The webhook check found {string.Join(", ", status.Missing)} missing; subscribing {callback} again failed: {error}");
        return status with { RegistrationError = error };
    }

    /// <summary>
    /// Subscribes the store's customer topics to <paramref name="callback"/> (<see cref="WebhookSubscriptionClient.RegisterCustomerWebhooksAsync"/>)
    /// under the store's registration lock, which every node's check and every Register webhooks take: the
    /// subscriptions are listed and the missing ones created by one of them at a time, so none is created twice.
    /// </summary>
    public async Task<WebhookRegistration> RegisterCustomerWebhooksAsync(ShopifyStore store, Uri callback, CancellationToken cancellationToken)
    {
        await using (await _locks.AcquireAsync(RegistrationLockKey(store.Handle), cancellationToken))
        {
            return await _webhooks.RegisterCustomerWebhooksAsync(store, callback, cancellationToken);
        }
    }

    internal static string RegistrationLockKey(string storeHandle) => $"webhooks\n{storeHandle}";

    private async Task WriteLogAsync(string store, string outcome, string detail)
    {
        try
        {
            await using var unit = await _database.OpenToWriteAsync(CancellationToken.None);
            var db = unit.Db;
            db.SyncLog.Add(new SyncLogRow
            {
                At = UnixTime.From(_time.GetUtcNow()),
                Direction = "outbound",
                StoreHandle = store,
                Topic = RegisterTopic,
                Outcome = outcome,
                Detail = detail.Length > 2000 ? detail[..2000] : detail,
            });
            await db.SaveChangesAsync(CancellationToken.None);
        }
#pragma warning disable CA1031 // The log line above already says what happened; the sync log is a second record.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.NotLogged(_logger, ex, store);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify store {Store}: customer webhook subscriptions were missing; subscribed {Topics} to {Callback} again")]
        public static partial void Registered(ILogger logger, string store, string topics, Uri callback);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify store {Store}: customer webhook subscriptions are missing and subscribing {Callback} again failed: {Error}")]
        public static partial void RegistrationFailed(ILogger logger, string store, Uri callback, string? error);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify store {Store}: the webhook re-registration could not be written to the sync log")]
        public static partial void NotLogged(ILogger logger, Exception exception, string store);
    }
}
