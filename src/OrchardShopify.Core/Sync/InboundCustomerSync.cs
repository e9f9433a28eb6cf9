using Microsoft.Extensions.Logging;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// Applies verified deliveries to users: link or create on create/update, unlink on delete, erase on redact.
/// Idempotent: re-applying a delivery changes nothing, and older data never overwrites newer.
/// </summary>
/// <remarks>
/// A dispatcher over focused parts: <see cref="InboundCustomerApplier"/> applies one customer's state (link, match,
/// create, refresh), <see cref="InboundNewCustomerBatch"/> creates a run's new customers together with the same result,
/// <see cref="InboundPrivacy"/> handles deletion, redaction and data requests, and <see cref="InboundRecorder"/> writes
/// the sync log and raises events. The rules they follow live in <see cref="EchoRules"/> and <see cref="CustomerMatching"/>.
/// </remarks>
public sealed class InboundCustomerSync
{
    private readonly StoreRegistry _stores;
    private readonly InboundCustomerApplier _applier;
    private readonly InboundNewCustomerBatch _batch;
    private readonly InboundPrivacy _privacy;
    private readonly InboundRecorder _recorder;

    /// <summary>An engine whose per-customer lock covers this process only (one node).</summary>
    public InboundCustomerSync(
        StoreRegistry stores,
        IUserDirectory users,
        ICustomerLinkStore links,
        ISyncLog log,
        TimeProvider time,
        ILogger<InboundCustomerSync> logger)
        : this(stores, users, links, log, time, logger, new InProcessSyncLock())
    {
    }

    /// <param name="customerLocks">Held for every change of one customer; must span every node that shares the storage.</param>
    public InboundCustomerSync(
        StoreRegistry stores,
        IUserDirectory users,
        ICustomerLinkStore links,
        ISyncLog log,
        TimeProvider time,
        ILogger<InboundCustomerSync> logger,
        ISyncLock customerLocks)
        : this(stores, users, links, log, time, logger, customerLocks, null)
    {
    }

    /// <param name="customerLocks">Held for every change of one customer; must span every node that shares the storage.</param>
    /// <param name="events">Raises what each delivery applied to the site's <see cref="IShopifySyncEventHandler"/>s; null raises nothing.</param>
    public InboundCustomerSync(
        StoreRegistry stores,
        IUserDirectory users,
        ICustomerLinkStore links,
        ISyncLog log,
        TimeProvider time,
        ILogger<InboundCustomerSync> logger,
        ISyncLock customerLocks,
        ShopifySyncEventDispatcher? events)
        : this(stores, users, links, log, time, logger, customerLocks, events, null)
    {
    }

    /// <param name="customerLocks">Held for every change of one customer; must span every node that shares the storage.</param>
    /// <param name="events">Raises what each delivery applied to the site's <see cref="IShopifySyncEventHandler"/>s; null raises nothing.</param>
    /// <param name="roles">Grants and revokes the roles of <see cref="ShopifySyncOptions.TagRoles"/>; null changes no roles.</param>
    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public InboundCustomerSync(
        StoreRegistry stores,
        IUserDirectory users,
        ICustomerLinkStore links,
        ISyncLog log,
        TimeProvider time,
        ILogger<InboundCustomerSync> logger,
        ISyncLock customerLocks,
        ShopifySyncEventDispatcher? events,
        IUserRoleSync? roles = null)
    {
        ArgumentNullException.ThrowIfNull(customerLocks);
        _stores = stores;
        _recorder = new InboundRecorder(log, time, logger, events);
        var tagRoles = new TagRoleSync(users, links, roles, logger);
        _applier = new InboundCustomerApplier(stores, users, links, time, logger, customerLocks, tagRoles);
        _batch = new InboundNewCustomerBatch(stores, users, links, time, customerLocks, _applier, _recorder);
        _privacy = new InboundPrivacy(stores, users, links, log, time, customerLocks, tagRoles);
    }

    /// <summary>
    /// Applies one verified delivery by its topic, records it in the sync log and raises what it applied to the site's
    /// handlers (see <see cref="IShopifySyncEventHandler"/>).
    /// </summary>
    /// <exception cref="CustomerPayloadException">The payload cannot be applied (a permanent failure).</exception>
    public async Task<InboundResult> ApplyAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var options = _stores.Options;
        var result = delivery.Topic switch
        {
            ShopifyTopics.CustomersCreate or ShopifyTopics.CustomersUpdate or ShopifyTopics.CustomersEnable or ShopifyTopics.CustomersDisable
                => options.Enabled && options.InboundEnabled
                    ? await _applier.ApplyAsync(InboundCustomerState.FromDelivery(delivery, CustomerPayloadParser.ParseCustomer(delivery.Body)), CustomerApplyMode.NewerOnly, options, cancellationToken)
                    : InboundOff(null),
            ShopifyTopics.CustomersDelete => await _privacy.UnlinkAsync(delivery.Store, CustomerPayloadParser.ParseDelete(delivery.Body).Id, cancellationToken),
            ShopifyTopics.CustomersRedact => await _privacy.RedactAsync(delivery.Store, CustomerPayloadParser.ParsePrivacyRequest(delivery.Body).CustomerId, cancellationToken),
            ShopifyTopics.CustomersDataRequest => await _privacy.DescribeHeldDataAsync(delivery.Store, CustomerPayloadParser.ParsePrivacyRequest(delivery.Body).CustomerId, cancellationToken),
            ShopifyTopics.ShopRedact => await _privacy.RedactShopAsync(delivery.Store, CustomerPayloadParser.ParseShopRedact(delivery.Body), cancellationToken),
            _ => new InboundResult(InboundOutcome.Ignored, Detail: $"Topic '{delivery.Topic}' is not a customer sync topic."),
        };

        await _recorder.RecordAsync(delivery, result, cancellationToken);
        return result;
    }

    /// <summary>
    /// Applies a customer as the Admin API reports it now (bulk import, reconciliation, catch-up), with the rules of
    /// <c>customers/update</c>: link or match or create, and refresh a linked user only with newer data. Shopify has the
    /// customer now, so a deletion remembered for its id does not hold it back. Not recorded in the sync log and raises no
    /// event; the caller records what it did.
    /// </summary>
    /// <param name="source">Who read the customer: <see cref="CustomerStateSource.Import"/> or <see cref="CustomerStateSource.Reconciliation"/>.</param>
    /// <param name="mode">
    /// <see cref="CustomerApplyMode.TakeShopifyData"/> applies a linked customer even when it is not newer than what was
    /// applied last: an administrator's explicit "take Shopify's data". Otherwise <see cref="CustomerApplyMode.NewerOnly"/>.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="source"/> is <see cref="CustomerStateSource.WebhookDelivery"/> (deliveries go through <see cref="ApplyAsync"/>).</exception>
    public async Task<InboundResult> ApplyCustomerStateAsync(ShopifyStore store, ShopifyCustomer customer, CustomerStateSource source, CustomerApplyMode mode, CancellationToken cancellationToken)
    {
        var state = InboundCustomerState.FromShopify(store, customer, source);
        var options = _stores.Options;
        if (!options.Enabled || !options.InboundEnabled)
        {
            return InboundOff(customer.Id);
        }

        return await _applier.ApplyAsync(state, mode, options, cancellationToken);
    }

    /// <summary>
    /// Applies at once the deliveries of a run that bring customers new to the site: customer topics whose customer is
    /// not linked, matches no user and gets one created (what <see cref="ApplyAsync"/> reports as <c>created</c>), when the
    /// ports can work in bulk (<see cref="IBulkUserDirectory"/>, <see cref="IBulkCustomerLinkStore"/>). Each applied one is
    /// linked, has its Shopify id stored and is recorded in the sync log exactly as <see cref="ApplyAsync"/> would do it.
    /// Only customers that no other delivery of the run names (by id, email or phone) are taken, so applying the rest
    /// afterwards, one by one in their order, gives what applying the whole run in order would.
    /// </summary>
    /// <returns>Per delivery, its result, or null when it was not applied here: apply those with <see cref="ApplyAsync"/>.</returns>
    public Task<IReadOnlyList<InboundResult?>> ApplyNewCustomersAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        return _batch.ApplyDeliveriesAsync(deliveries, cancellationToken);
    }

    /// <summary>
    /// <see cref="ApplyNewCustomersAsync"/> for customers read from Shopify by an import: the customers of the list that
    /// <see cref="ApplyCustomerStateAsync"/> would create a user for are created, linked and have their Shopify id stored
    /// at once; nothing is written to the sync log (the caller records outcomes, as it does for
    /// <see cref="ApplyCustomerStateAsync"/>). Only customers that no other customer of the list names by id, email or
    /// phone are taken.
    /// </summary>
    /// <returns>Per customer, its result, or null when it was not applied here: apply those with <see cref="ApplyCustomerStateAsync"/>.</returns>
    public Task<IReadOnlyList<InboundResult?>> ApplyNewCustomerStatesAsync(ShopifyStore store, IReadOnlyList<ShopifyCustomer> customers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(customers);
        return _batch.ApplyStatesAsync(store, customers, CustomerStateSource.Import, cancellationToken);
    }

    /// <summary>
    /// Grants and revokes the user's roles of <see cref="ShopifySyncOptions.TagRoles"/> from the links it has now: after
    /// a change of its links made outside a delivery (an administrator's unlink).
    /// </summary>
    internal Task<UserRoleChange> ApplyRolesAsync(string userId, CancellationToken cancellationToken)
        => _applier.ApplyRolesAsync(userId, _stores.Options, cancellationToken);

    /// <summary>customers/delete: forget this store's link and remember the deletion; the user stays, and other stores' links stay.</summary>
    public Task<InboundResult> UnlinkAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return _privacy.UnlinkAsync(store, customerId, cancellationToken);
    }

    /// <summary>customers/redact: unlink, and erase what the sync stored about the customer (link memory, log entries).</summary>
    public Task<InboundResult> RedactAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return _privacy.RedactAsync(store, customerId, cancellationToken);
    }

    /// <summary>shop/redact (48 hours after uninstall): every link of the store and its log go; the users stay.</summary>
    public Task<InboundResult> RedactShopAsync(ShopifyStore store, ShopRedactPayload payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(payload);
        return _privacy.RedactShopAsync(store, payload, cancellationToken);
    }

    private static InboundResult InboundOff(long? customerId)
        => new(InboundOutcome.Skipped, CustomerId: customerId, Detail: "Inbound sync is turned off.") { Reason = InboundSkipReasons.InboundOff };
}
