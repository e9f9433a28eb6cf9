using Microsoft.Extensions.Logging;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Phones;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// Applies verified deliveries to users: link or create on create/update, unlink on delete, erase on redact.
/// Idempotent: re-applying a delivery changes nothing, and older data never overwrites newer.
/// </summary>
public sealed partial class InboundCustomerSync
{
    private readonly StoreRegistry _stores;
    private readonly IUserDirectory _users;
    private readonly ICustomerLinkStore _links;
    private readonly ISyncLog _log;
    private readonly TimeProvider _time;
    private readonly ILogger<InboundCustomerSync> _logger;
    private readonly ISyncLock _customerLocks;
    private readonly ShopifySyncEventDispatcher? _events;

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
    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public InboundCustomerSync(
        StoreRegistry stores,
        IUserDirectory users,
        ICustomerLinkStore links,
        ISyncLog log,
        TimeProvider time,
        ILogger<InboundCustomerSync> logger,
        ISyncLock customerLocks,
        ShopifySyncEventDispatcher? events)
    {
        _events = events;
        _stores = stores;
        _users = users;
        _links = links;
        _log = log;
        _time = time;
        _logger = logger;
        _customerLocks = customerLocks ?? throw new ArgumentNullException(nameof(customerLocks));
    }

    /// <exception cref="CustomerPayloadException">The payload cannot be applied (a permanent failure).</exception>
    public async Task<InboundResult> ApplyAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var options = _stores.Options;
        var result = delivery.Topic switch
        {
            ShopifyTopics.CustomersCreate or ShopifyTopics.CustomersUpdate or ShopifyTopics.CustomersEnable or ShopifyTopics.CustomersDisable
                => options.Enabled && options.InboundEnabled
                    ? await ApplyCustomerAsync(delivery, CustomerPayloadParser.ParseCustomer(delivery.Body), options, cancellationToken)
                    : new InboundResult(InboundOutcome.Skipped, Detail: "Inbound sync is turned off.") { Reason = InboundSkipReasons.InboundOff },
            ShopifyTopics.CustomersDelete => await UnlinkAsync(delivery.Store, CustomerPayloadParser.ParseDelete(delivery.Body).Id, cancellationToken),
            ShopifyTopics.CustomersRedact => await RedactAsync(delivery.Store, CustomerPayloadParser.ParsePrivacyRequest(delivery.Body).CustomerId, cancellationToken),
            ShopifyTopics.CustomersDataRequest => await DescribeHeldDataAsync(delivery.Store, CustomerPayloadParser.ParsePrivacyRequest(delivery.Body).CustomerId, cancellationToken),
            ShopifyTopics.ShopRedact => await RedactShopAsync(delivery.Store, CustomerPayloadParser.ParseShopRedact(delivery.Body), cancellationToken),
            _ => new InboundResult(InboundOutcome.Ignored, Detail: $"Topic '{delivery.Topic}' is not a customer sync topic."),
        };

        await _log.RecordAsync(
            new SyncLogEntry(_time.GetUtcNow(), SyncDirection.Inbound, delivery.Store.Handle, delivery.Topic, result.CustomerId, result.UserId, InboundResult.OutcomeName(result.Outcome), result.Detail, delivery.WebhookId),
            cancellationToken);
        Log.Applied(_logger, delivery.Topic, delivery.Store.Handle, result.CustomerId, result.Outcome);
        await RaiseAsync(delivery, result, cancellationToken);
        return result;
    }

    /// <summary>
    /// Raises the applied outcome of a delivery (created, linked, updated, unlinked, redacted) to the site's handlers, once
    /// its writes are stored (the host may hold it until its transaction commits). Echoes, stale, unchanged, skipped and
    /// ignored deliveries raise nothing, so a duplicate delivery or Shopify's report of our own push raises no event.
    /// Imports and reconciliation (<see cref="ApplyCustomerStateAsync"/>) raise nothing either: they are an administrator's
    /// bulk operations, not a customer's action.
    /// </summary>
    private Task RaiseAsync(WebhookDelivery delivery, InboundResult result, CancellationToken cancellationToken)
    {
        ShopifySyncEventKind? kind = result.Outcome switch
        {
            InboundOutcome.Created => ShopifySyncEventKind.Created,
            InboundOutcome.Linked => ShopifySyncEventKind.Linked,
            InboundOutcome.Updated => ShopifySyncEventKind.Updated,
            InboundOutcome.Unlinked => ShopifySyncEventKind.Unlinked,
            InboundOutcome.Redacted => ShopifySyncEventKind.Redacted,
            _ => null,
        };
        if (_events is null || kind is not { } raised)
        {
            return Task.CompletedTask;
        }

        return _events.RaiseAsync(
            new ShopifySyncEvent(raised, delivery.Store.Handle, result.CustomerId, result.UserId, result.Changed, delivery.WebhookId, _time.GetUtcNow()),
            cancellationToken);
    }

    /// <summary>The fields a created user got from the customer: those the customer has.</summary>
    private static ProfileFields FilledFields(CustomerProfile incoming) => ProfileFields.All & ~DefaultShopifyUserUpdateJob.EmptyFields(incoming);

    /// <summary>
    /// Applies a customer as the Admin API reports it now (bulk import, reconciliation), with the rules of
    /// <c>customers/update</c>: link or match or create, and refresh a linked user only with newer data. Not recorded
    /// in the sync log; the caller records what it did. With <paramref name="force"/> a linked customer is applied
    /// even when it is not newer than what was applied last: an administrator's explicit "take Shopify's data".
    /// </summary>
    public async Task<InboundResult> ApplyCustomerStateAsync(ShopifyStore store, ShopifyCustomer customer, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(customer);
        var options = _stores.Options;
        if (!options.Enabled || !options.InboundEnabled)
        {
            return new InboundResult(InboundOutcome.Skipped, CustomerId: customer.Id, Detail: "Inbound sync is turned off.") { Reason = InboundSkipReasons.InboundOff };
        }

        // Shopify has the customer now: a deletion remembered for its id does not hold this back.
        var (state, payload) = StateOf(store, customer);
        return await ApplyCustomerAsync(state, payload, options, cancellationToken, force, fromShopifyNow: true);
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
    public async Task<IReadOnlyList<InboundResult?>> ApplyNewCustomersAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        var results = new InboundResult?[deliveries.Count];
        if (!CanApplyInBulk)
        {
            return results;
        }

        await ApplyNewAsync(NewCustomerCandidates(deliveries, _stores.Options), results, record: true, cancellationToken);
        return results;
    }

    /// <summary>
    /// <see cref="ApplyNewCustomersAsync"/> for customers read from Shopify (an import): the customers of the list that
    /// <see cref="ApplyCustomerStateAsync"/> would create a user for are created, linked and have their Shopify id stored
    /// at once; nothing is written to the sync log (the caller records outcomes, as it does for
    /// <see cref="ApplyCustomerStateAsync"/>). Only customers that no other customer of the list names by id, email or
    /// phone are taken.
    /// </summary>
    /// <returns>Per customer, its result, or null when it was not applied here: apply those with <see cref="ApplyCustomerStateAsync"/>.</returns>
    public async Task<IReadOnlyList<InboundResult?>> ApplyNewCustomerStatesAsync(ShopifyStore store, IReadOnlyList<ShopifyCustomer> customers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(customers);
        var results = new InboundResult?[customers.Count];
        if (!CanApplyInBulk)
        {
            return results;
        }

        var options = _stores.Options;
        var candidates = new List<NewCustomerCandidate>(customers.Count);
        for (var i = 0; i < customers.Count; i++)
        {
            var state = StateOf(store, customers[i]);
            var incoming = IncomingProfile(state.Payload, store.Handle, options);
            candidates.Add(new NewCustomerCandidate(i, state.Delivery, state.Payload, incoming, incoming.Email?.Trim() ?? ""));
        }

        await ApplyNewAsync(Unshared(candidates), results, record: false, cancellationToken);
        return results;
    }

    private bool CanApplyInBulk
        => _users is IBulkUserDirectory && _links is IBulkCustomerLinkStore
            && _stores.Options is { Enabled: true, InboundEnabled: true, CreateUsersFromShopify: true };

    /// <summary>The delivery and payload through which a customer read from Shopify is applied.</summary>
    private static (WebhookDelivery Delivery, CustomerPayload Payload) StateOf(ShopifyStore store, ShopifyCustomer customer)
    {
        var profile = customer.Profile;
        var payload = new CustomerPayload(
            customer.Id, ShopifyGid.Customer(customer.Id), profile.Email, profile.FirstName, profile.LastName, profile.Phone,
            null, null, customer.VerifiedEmail, null, null, null, customer.UpdatedAt, [], null);

        // No Triggered-At: ties on updated_at are decided by whether the state differs from the synced one.
        return (new WebhookDelivery(ShopifyTopics.CustomersUpdate, store, $"state-{customer.Id}", null, null, null, ReadOnlyMemory<byte>.Empty), payload);
    }

    /// <summary>Creates, links and (when <paramref name="record"/>) logs the candidates that are still new once their locks are held; fills their results.</summary>
    private async Task ApplyNewAsync(List<NewCustomerCandidate> candidates, InboundResult?[] results, bool record, CancellationToken cancellationToken)
    {
        var options = _stores.Options;
        if (candidates.Count == 0 || _users is not IBulkUserDirectory bulkUsers || _links is not IBulkCustomerLinkStore bulkLinks)
        {
            return;
        }

        // The same locks ApplyAsync takes, in one order so two bulk runs cannot wait on each other; checked after taking them.
        var held = new List<IAsyncDisposable>(candidates.Count);
        try
        {
            foreach (var key in candidates.Select(c => SyncLockKeys.Customer(c.Delivery.Store.Handle, c.Customer.Id)).Order(StringComparer.Ordinal))
            {
                held.Add(await _customerLocks.AcquireAsync(key, cancellationToken));
            }

            var linked = new HashSet<(string, long)>();
            foreach (var store in candidates.GroupBy(c => c.Delivery.Store.Handle, StringComparer.Ordinal))
            {
                foreach (var id in await bulkLinks.FindLinkedAsync(store.Key, store.Select(c => c.Customer.Id).ToList(), cancellationToken))
                {
                    linked.Add((store.Key, id));
                }
            }

            candidates.RemoveAll(c => linked.Contains((c.Delivery.Store.Handle, c.Customer.Id)));
            var matchPhones = CustomerMatching.MatchesPhones(options);
            var taken = candidates.Count == 0 ? null : await bulkUsers.FindTakenAsync(
                candidates.Select(c => c.Email).ToList(),
                matchPhones ? candidates.Where(c => c.Incoming.Phone is not null).Select(c => c.Incoming.Phone!).ToList() : [],
                cancellationToken);
            if (taken is null)
            {
                return;
            }

            // A taken email is linked or skipped by the one-by-one rules (they depend on the strategy); a taken phone is matched.
            candidates.RemoveAll(c => taken.Emails.Contains(c.Email) || (matchPhones && c.Incoming.Phone is { } phone && taken.Phones.Contains(phone)));
            if (candidates.Count == 0)
            {
                return;
            }

            IReadOnlyList<SyncUser?>? created;
            using (EchoRules.SyncWrite())
            {
                created = await bulkUsers.CreateLinkedAsync(
                    candidates.Select(c => new NewLinkedUser(c.Incoming, _stores.MultiStore ? c.Delivery.Store.Handle : null, c.Customer.Id, CustomerMatching.EmailConfirmedOnCreate(c.Customer.VerifiedEmail))).ToList(),
                    cancellationToken);
            }

            if (created is null || created.Count != candidates.Count)
            {
                return;
            }

            var now = _time.GetUtcNow();
            var links = new List<CustomerLink>(candidates.Count);
            var entries = new List<SyncLogEntry>(candidates.Count);
            for (var i = 0; i < candidates.Count; i++)
            {
                if (created[i] is not { } user)
                {
                    continue;
                }

                var (index, delivery, customer, incoming, _) = candidates[i];
                links.Add(new CustomerLink(delivery.Store.Handle, customer.Id, user.Id, now, customer.UpdatedAt, delivery.TriggeredAt, incoming));
                results[index] = new InboundResult(InboundOutcome.Created, user.Id, customer.Id) { Changed = FilledFields(incoming) };
                entries.Add(new SyncLogEntry(now, SyncDirection.Inbound, delivery.Store.Handle, delivery.Topic, customer.Id, user.Id, InboundResult.OutcomeName(InboundOutcome.Created), null, delivery.WebhookId));
            }

            if (links.Count > 0)
            {
                await bulkLinks.AddNewAsync(links, cancellationToken);
                if (record)
                {
                    await RecordAllAsync(entries, cancellationToken);
                }
            }

            foreach (var entry in entries)
            {
                Log.Applied(_logger, entry.Topic, entry.StoreHandle, entry.CustomerId, InboundOutcome.Created);
            }

            if (record)
            {
                for (var i = 0; i < candidates.Count; i++)
                {
                    if (results[candidates[i].Index] is { } result)
                    {
                        await RaiseAsync(candidates[i].Delivery, result, cancellationToken);
                    }
                }
            }

            return;
        }
        finally
        {
            foreach (var lockHeld in held)
            {
                await lockHeld.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// The run's customer deliveries that could bring a new customer: parseable, with an email, and naming a customer,
    /// email and phone that no other delivery of the run names. Deliveries that fail to parse are left to
    /// <see cref="ApplyAsync"/>, which reports why; a <c>shop/redact</c> keeps its store's deliveries out.
    /// </summary>
    private static List<NewCustomerCandidate> NewCustomerCandidates(IReadOnlyList<WebhookDelivery> deliveries, ShopifySyncOptions options)
    {
        var parsed = new List<NewCustomerCandidate>();
        var customers = new Dictionary<(string, long), int>();
        var emails = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var phones = new Dictionary<string, int>(StringComparer.Ordinal);
        var redactedStores = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < deliveries.Count; i++)
        {
            var delivery = deliveries[i];
            var store = delivery.Store.Handle;
            try
            {
                switch (delivery.Topic)
                {
                    case ShopifyTopics.CustomersCreate or ShopifyTopics.CustomersUpdate or ShopifyTopics.CustomersEnable or ShopifyTopics.CustomersDisable:
                        var customer = CustomerPayloadParser.ParseCustomer(delivery.Body);
                        var incoming = customer.Profile with { Phone = PhoneNormalizer.NormalizeOrNull(customer.Phone, PhoneNormalizer.DefaultRegionOf(options)) };
                        var email = incoming.Email?.Trim();
                        Count(customers, (store, customer.Id));
                        if (!string.IsNullOrEmpty(email))
                        {
                            Count(emails, email);
                        }

                        if (incoming.Phone is not null)
                        {
                            Count(phones, incoming.Phone);
                        }

                        if (!string.IsNullOrEmpty(email))
                        {
                            parsed.Add(new NewCustomerCandidate(i, delivery, customer, incoming, email));
                        }

                        break;
                    case ShopifyTopics.CustomersDelete:
                        Count(customers, (store, CustomerPayloadParser.ParseDelete(delivery.Body).Id));
                        break;
                    case ShopifyTopics.CustomersRedact or ShopifyTopics.CustomersDataRequest:
                        Count(customers, (store, CustomerPayloadParser.ParsePrivacyRequest(delivery.Body).CustomerId));
                        break;
                    case ShopifyTopics.ShopRedact:
                        redactedStores.Add(store);
                        break;
                }
            }
            catch (CustomerPayloadException)
            {
                // Applied one by one, which records the precise error.
            }
        }

        return Unshared(parsed, customers, emails, phones).Where(c => !redactedStores.Contains(c.Delivery.Store.Handle)).ToList();
    }

    /// <summary>The candidates with an email whose customer, email and phone no other candidate names.</summary>
    private static List<NewCustomerCandidate> Unshared(List<NewCustomerCandidate> candidates)
    {
        var customers = new Dictionary<(string, long), int>();
        var emails = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var phones = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in candidates)
        {
            Count(customers, (c.Delivery.Store.Handle, c.Customer.Id));
            if (c.Email.Length > 0)
            {
                Count(emails, c.Email);
            }

            if (c.Incoming.Phone is not null)
            {
                Count(phones, c.Incoming.Phone);
            }
        }

        return Unshared(candidates, customers, emails, phones);
    }

    /// <summary>
    /// The candidates with an email whose customer, email and phone are named once in the counts (of everything the
    /// run holds): applying them first cannot change what the others' rules see.
    /// </summary>
    private static List<NewCustomerCandidate> Unshared(List<NewCustomerCandidate> candidates, Dictionary<(string, long), int> customers, Dictionary<string, int> emails, Dictionary<string, int> phones)
        => candidates
            .Where(c => c.Email.Length > 0
                && customers[(c.Delivery.Store.Handle, c.Customer.Id)] == 1
                && emails[c.Email] == 1
                && (c.Incoming.Phone is null || phones[c.Incoming.Phone] == 1))
            .ToList();

    private static void Count<TKey>(Dictionary<TKey, int> counts, TKey key)
        where TKey : notnull
        => counts[key] = counts.GetValueOrDefault(key) + 1;

    private async Task RecordAllAsync(IReadOnlyList<SyncLogEntry> entries, CancellationToken cancellationToken)
    {
        if (_log is IBulkSyncLog bulk)
        {
            await bulk.RecordManyAsync(entries, cancellationToken);
            return;
        }

        foreach (var entry in entries)
        {
            await _log.RecordAsync(entry, cancellationToken);
        }
    }

    private sealed record NewCustomerCandidate(int Index, WebhookDelivery Delivery, CustomerPayload Customer, CustomerProfile Incoming, string Email);

    private async Task<InboundResult> ApplyCustomerAsync(WebhookDelivery delivery, CustomerPayload customer, ShopifySyncOptions options, CancellationToken cancellationToken, bool force = false, bool fromShopifyNow = false)
    {
        var store = delivery.Store;
        await using var held = await _customerLocks.AcquireAsync(SyncLockKeys.Customer(store.Handle, customer.Id), cancellationToken);
        var incoming = IncomingProfile(customer, store.Handle, options);

        var link = await _links.FindByCustomerAsync(store.Handle, customer.Id, cancellationToken);
        if (link is not null)
        {
            var linkedUser = await _users.FindByIdAsync(link.UserId, cancellationToken);
            if (linkedUser is not null)
            {
                return await RefreshLinkedAsync(delivery, customer, incoming, link, linkedUser, options, force, cancellationToken);
            }

            // The user was deleted on the site: the link is stale, so match again as for a new customer.
            await _links.RemoveAsync(store.Handle, customer.Id, cancellationToken);
        }
        else if (!fromShopifyNow && await _links.FindDeletedAsync(store.Handle, customer.Id, cancellationToken) is { } deletedAt)
        {
            // A create or update overtaken by the customer's deletion (Shopify's retries keep no order).
            return new InboundResult(InboundOutcome.Skipped, CustomerId: customer.Id, Detail: $"Shopify deleted customer {customer.Id} (recorded {deletedAt:O}) before this delivery arrived; no user was linked.") { Reason = InboundSkipReasons.CustomerDeleted };
        }

        var match = await CustomerMatching.FindUserAsync(_users, incoming, options, cancellationToken);
        if (match.User is not null)
        {
            return await LinkAsync(delivery, customer, incoming, match.User, InboundOutcome.Linked, cancellationToken);
        }

        if (match.Refused is not null)
        {
            return new InboundResult(InboundOutcome.Skipped, CustomerId: customer.Id, Detail: match.Refused) { Reason = match.RefusedReason };
        }

        if (string.IsNullOrWhiteSpace(incoming.Email))
        {
            return new InboundResult(InboundOutcome.Skipped, CustomerId: customer.Id, Detail: "The customer has no email and matches no user; no user was created.") { Reason = InboundSkipReasons.NoEmail };
        }

        if (!options.CreateUsersFromShopify)
        {
            return new InboundResult(InboundOutcome.Skipped, CustomerId: customer.Id, Detail: "No user matches and CreateUsersFromShopify is off.") { Reason = InboundSkipReasons.CreationOff };
        }

        UserCreateResult created;
        using (EchoRules.SyncWrite())
        {
            created = await _users.CreateAsync(incoming, CustomerMatching.EmailConfirmedOnCreate(customer.VerifiedEmail), cancellationToken);
        }

        if (created.User is not null)
        {
            var result = await LinkAsync(delivery, customer, incoming, created.User, InboundOutcome.Created, cancellationToken);
            return match.Note is null || result.Detail is not null ? result : result with { Detail = match.Note };
        }

        // Another delivery (another store, another node) created the user first: link to it as the match rules allow.
        if (created.EmailTaken && await _users.FindByEmailAsync(incoming.Email, cancellationToken) is { } holder)
        {
            var taken = CustomerMatching.ResolveTakenEmail(holder, options);
            return taken.User is not null
                ? await LinkAsync(delivery, customer, incoming, taken.User, InboundOutcome.Linked, cancellationToken)
                : new InboundResult(InboundOutcome.Skipped, holder.Id, customer.Id, taken.Refused) { Reason = taken.RefusedReason };
        }

        throw new InvalidOperationException($"Creating a user for Shopify customer {customer.Id} failed: {created.Error ?? "the email is taken but no user has it"}.");
    }

    private async Task<InboundResult> LinkAsync(WebhookDelivery delivery, CustomerPayload customer, CustomerProfile incoming, SyncUser user, InboundOutcome outcome, CancellationToken cancellationToken)
    {
        var store = delivery.Store;
        var attempt = await _links.TryAddAsync(
            new CustomerLink(store.Handle, customer.Id, user.Id, _time.GetUtcNow(), customer.UpdatedAt, delivery.TriggeredAt, incoming),
            cancellationToken);
        if (!attempt.Added)
        {
            if (attempt.Link.CustomerId != customer.Id)
            {
                return new InboundResult(InboundOutcome.Skipped, user.Id, customer.Id, $"User {user.Id} is already linked to Shopify customer {attempt.Link.CustomerId} in store '{store.Handle}'; not relinked.") { Reason = InboundSkipReasons.UserLinkedToOtherCustomer };
            }

            // Same customer linked meanwhile: nothing more to do for this delivery.
            return new InboundResult(InboundOutcome.Unchanged, attempt.Link.UserId, customer.Id);
        }

        var filled = outcome == InboundOutcome.Created ? FilledFields(incoming) : ProfileFields.None;
        using (EchoRules.SyncWrite())
        {
            await _users.SetShopifyIdAsync(user.Id, _stores.MultiStore ? store.Handle : null, customer.Id, cancellationToken);

            if (outcome == InboundOutcome.Linked)
            {
                // A matched user keeps what it has; Shopify only fills the blanks.
                var blanks = CustomerMatching.FilledOnLink(ProfileOf(user), incoming);
                if (blanks != ProfileFields.None)
                {
                    await _users.UpdateProfileAsync(user.Id, incoming, blanks, cancellationToken);
                    filled = blanks;
                }
            }
        }

        return new InboundResult(outcome, user.Id, customer.Id) { Changed = filled };
    }

    private async Task<InboundResult> RefreshLinkedAsync(WebhookDelivery delivery, CustomerPayload customer, CustomerProfile incoming, CustomerLink link, SyncUser user, ShopifySyncOptions options, bool force, CancellationToken cancellationToken)
    {
        // The link is stored before the user's id is written: a process that died in between left the id missing.
        var shopifyKey = _stores.MultiStore ? delivery.Store.Handle : null;
        var storedId = shopifyKey is null ? user.ShopifyId : user.ShopifyIds.GetValueOrDefault(shopifyKey);
        if (storedId != customer.Id)
        {
            using (EchoRules.SyncWrite())
            {
                await _users.SetShopifyIdAsync(user.Id, shopifyKey, customer.Id, cancellationToken);
            }
        }

        if (!force && EchoRules.Classify(customer.UpdatedAt, delivery.TriggeredAt, incoming, link) is var state && state != IncomingState.Newer)
        {
            var echo = state == IncomingState.Echo;
            return new InboundResult(echo ? InboundOutcome.Echo : InboundOutcome.Stale, user.Id, customer.Id,
                echo ? "Shopify reported a state this site already has." : $"updated_at {customer.UpdatedAt:O} is not newer than the applied {link.AppliedUpdatedAt:O}.");
        }

        var outcome = InboundOutcome.Unchanged;
        var written = ProfileFields.None;
        string? detail = null;
        using (EchoRules.SyncWrite())
        {
            if (options.RefreshLinkedUserProfile)
            {
                var owned = ProfileFields.FirstName | ProfileFields.LastName | ProfileFields.Phone;
                if (options.RefreshEmailFromShopify && !string.IsNullOrWhiteSpace(incoming.Email))
                {
                    var holder = await _users.FindByEmailAsync(incoming.Email, cancellationToken);
                    if (holder is null || holder.Id == user.Id)
                    {
                        owned |= ProfileFields.Email;
                    }
                    else
                    {
                        detail = $"Email not refreshed: it belongs to user {holder.Id}.";
                    }
                }

                if (incoming.Phone is null && !string.IsNullOrWhiteSpace(customer.Phone))
                {
                    // Shopify holds a phone libphonenumber rejects: that says nothing about the user's own phone.
                    owned &= ~ProfileFields.Phone;
                }

                var changed = incoming.DifferencesFrom(ProfileOf(user)) & owned;
                if (changed != ProfileFields.None)
                {
                    await _users.UpdateProfileAsync(user.Id, incoming, changed, cancellationToken);
                    outcome = InboundOutcome.Updated;
                    written = changed;
                }
            }
        }

        await _links.UpdateAsync(EchoRules.AfterApply(link, customer.UpdatedAt, delivery.TriggeredAt, incoming), cancellationToken);
        return new InboundResult(outcome, user.Id, customer.Id, detail) { Changed = written };
    }

    /// <summary>customers/delete: forget this store's link and remember the deletion; the user stays, and other stores' links stay.</summary>
    public async Task<InboundResult> UnlinkAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var held = await _customerLocks.AcquireAsync(SyncLockKeys.Customer(store.Handle, customerId), cancellationToken);

        // Remembered even when nothing is linked yet: the customer's create may still be on its way. With the linked user,
        // so that an ordinary save of the user does not create or match a customer again (the outbound job checks it).
        var link = await _links.FindByCustomerAsync(store.Handle, customerId, cancellationToken);
        await _links.MarkDeletedAsync(store.Handle, customerId, link?.UserId, _time.GetUtcNow(), cancellationToken);
        if (link is null)
        {
            return new InboundResult(InboundOutcome.Skipped, CustomerId: customerId, Detail: "No user is linked to this customer.") { Reason = InboundSkipReasons.NotLinked };
        }

        await _links.RemoveAsync(store.Handle, customerId, cancellationToken);
        using (EchoRules.SyncWrite())
        {
            if (await _users.FindByIdAsync(link.UserId, cancellationToken) is not null)
            {
                await _users.SetShopifyIdAsync(link.UserId, _stores.MultiStore ? store.Handle : null, null, cancellationToken);
            }
        }

        return new InboundResult(InboundOutcome.Unlinked, link.UserId, customerId);
    }

    /// <summary>customers/redact: unlink, and erase what the sync stored about the customer (link memory, log entries).</summary>
    public async Task<InboundResult> RedactAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var unlinked = await UnlinkAsync(store, customerId, cancellationToken);
        await _log.EraseCustomerAsync(store.Handle, customerId, cancellationToken);
        return new InboundResult(InboundOutcome.Redacted, unlinked.UserId, customerId, "Link and sync records erased; the site user remains.");
    }

    /// <summary>shop/redact (48 hours after uninstall): every link of the store and its log go; the users stay.</summary>
    public async Task<InboundResult> RedactShopAsync(ShopifyStore store, ShopRedactPayload payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(payload);
        if (payload.ShopDomain is not null && !string.Equals(payload.ShopDomain.Trim(), store.ShopDomain, StringComparison.OrdinalIgnoreCase))
        {
            throw new CustomerPayloadException("shop_domain", $"is '{payload.ShopDomain}' but the delivery came from '{store.ShopDomain}'.");
        }

        var removed = await _links.RemoveStoreAsync(store.Handle, cancellationToken);
        using (EchoRules.SyncWrite())
        {
            foreach (var link in removed)
            {
                if (await _users.FindByIdAsync(link.UserId, cancellationToken) is not null)
                {
                    await _users.SetShopifyIdAsync(link.UserId, _stores.MultiStore ? store.Handle : null, null, cancellationToken);
                }
            }
        }

        await _log.EraseStoreAsync(store.Handle, cancellationToken);
        return new InboundResult(InboundOutcome.Redacted, Detail: $"Shop data erased: {removed.Count} links removed; the site users remain.");
    }

    private async Task<InboundResult> DescribeHeldDataAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
    {
        var link = await _links.FindByCustomerAsync(store.Handle, customerId, cancellationToken);
        return new InboundResult(InboundOutcome.Ignored, link?.UserId, customerId,
            link is null ? "Data request: the sync holds no data for this customer." : $"Data request: linked to user {link.UserId} since {link.LinkedAt:O}; the sync holds the link and its sync log.");
    }

    internal static CustomerProfile ProfileOf(SyncUser user) => new(
        string.IsNullOrWhiteSpace(user.FirstName) ? null : user.FirstName,
        string.IsNullOrWhiteSpace(user.LastName) ? null : user.LastName,
        string.IsNullOrWhiteSpace(user.Email) ? null : user.Email,
        string.IsNullOrWhiteSpace(user.Phone) ? null : user.Phone);

    /// <summary>
    /// The customer as it is written to a user: the phone in E.164, or none when libphonenumber rejects it (a rejected
    /// number is never written to a user; the warning names the customer, not the number).
    /// </summary>
    private CustomerProfile IncomingProfile(CustomerPayload customer, string store, ShopifySyncOptions options)
    {
        var region = PhoneNormalizer.DefaultRegionOf(options);
        var phone = PhoneNormalizer.NormalizeOrNull(customer.Phone, region);
        if (phone is null && !string.IsNullOrWhiteSpace(customer.Phone))
        {
            Log.PhoneRejected(_logger, store, customer.Id, region);
        }

        return customer.Profile with { Phone = phone };
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify customer {CustomerId} in store {Store} has a phone that is not a valid number (libphonenumber, default region {Region}); it is read as no phone, never written to the user, and a linked user keeps its own")]
        public static partial void PhoneRejected(ILogger logger, string store, long customerId, string region);


        [LoggerMessage(Level = LogLevel.Information, Message = "Shopify {Topic} for store {Store}, customer {CustomerId}: {Outcome}")]
        public static partial void Applied(ILogger logger, string topic, string store, long? customerId, InboundOutcome outcome);
    }
}
