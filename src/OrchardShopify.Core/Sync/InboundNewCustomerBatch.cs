using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Phones;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Webhooks;

namespace OrchardShopify.Core.Sync;

/// <summary>
/// The fast path for customers new to the site: those a run (of deliveries or of customers read from Shopify) brings
/// that are not linked, match no user and get one created are created, linked and have their Shopify id stored at once,
/// when the ports can work in bulk (<see cref="IBulkUserDirectory"/>, <see cref="IBulkCustomerLinkStore"/>). It gives
/// exactly what <see cref="InboundCustomerApplier"/> would give one by one: only customers that no other item of the run
/// names (by id, email or phone) are taken, and whatever could go another way (linked, deleted, email or phone taken,
/// refused by the directory) is left to the one-by-one path. Its tests apply the same run both ways and compare.
/// </summary>
internal sealed class InboundNewCustomerBatch(
    StoreRegistry stores,
    IUserDirectory users,
    ICustomerLinkStore links,
    TimeProvider time,
    ISyncLock customerLocks,
    InboundCustomerApplier applier,
    InboundRecorder recorder)
{
    /// <summary>False when nothing can be applied together: the ports do not work in bulk, or the rules would not create users.</summary>
    public bool CanApply
        => users is IBulkUserDirectory && links is IBulkCustomerLinkStore
            && stores.Options is { Enabled: true, InboundEnabled: true, CreateUsersFromShopify: true };

    /// <summary>Applies the run's deliveries of new customers, recorded in the sync log as one by one; null for each delivery left to one by one.</summary>
    public async Task<IReadOnlyList<InboundResult?>> ApplyDeliveriesAsync(IReadOnlyList<WebhookDelivery> deliveries, CancellationToken cancellationToken)
    {
        var results = new InboundResult?[deliveries.Count];
        if (CanApply)
        {
            await ApplyAsync(Candidates(deliveries, stores.Options), results, cancellationToken);
        }

        return results;
    }

    /// <summary>Applies the new customers of a list read from Shopify, not recorded in the sync log; null for each customer left to one by one.</summary>
    public async Task<IReadOnlyList<InboundResult?>> ApplyStatesAsync(ShopifyStore store, IReadOnlyList<ShopifyCustomer> customers, CustomerStateSource source, CancellationToken cancellationToken)
    {
        var results = new InboundResult?[customers.Count];
        if (!CanApply)
        {
            return results;
        }

        var options = stores.Options;
        var candidates = new List<Candidate>(customers.Count);
        for (var i = 0; i < customers.Count; i++)
        {
            var state = InboundCustomerState.FromShopify(store, customers[i], source);
            var incoming = applier.Incoming(state, options);
            candidates.Add(new Candidate(i, state, null, incoming, incoming.Email?.Trim() ?? ""));
        }

        await ApplyAsync(Unshared(candidates), results, cancellationToken);
        return results;
    }

    /// <summary>Creates, links and (for deliveries) records the candidates that are still new once their locks are held; fills their results.</summary>
    private async Task ApplyAsync(List<Candidate> candidates, InboundResult?[] results, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0 || users is not IBulkUserDirectory bulkUsers || links is not IBulkCustomerLinkStore bulkLinks)
        {
            return;
        }

        // The same locks the one-by-one path takes, in one order so two bulk runs cannot wait on each other; checked after
        // taking them. Inside a host's batch they are held already (taken before its transaction) and not asked for again.
        var keys = candidates.Select(c => SyncLockKeys.Customer(c.State.Store.Handle, c.State.CustomerId)).Order(StringComparer.Ordinal).ToList();
        await using var held = await customerLocks.AcquireAllUnlessHeldAsync(keys, cancellationToken);

        // Linked or remembered as deleted: left to the one-by-one rules.
        var known = new HashSet<(string, long)>();
        foreach (var store in candidates.GroupBy(c => c.State.Store.Handle, StringComparer.Ordinal))
        {
            foreach (var id in await bulkLinks.FindLinkedAsync(store.Key, store.Select(c => c.State.CustomerId).ToList(), cancellationToken))
            {
                known.Add((store.Key, id));
            }
        }

        candidates.RemoveAll(c => known.Contains((c.State.Store.Handle, c.State.CustomerId)));
        var matchPhones = CustomerMatching.MatchesPhones(stores.Options);
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
                candidates.Select(c => new NewLinkedUser(c.Incoming, stores.MultiStore ? c.State.Store.Handle : null, c.State.CustomerId, CustomerMatching.EmailConfirmedOnCreate(c.State.VerifiedEmail))).ToList(),
                cancellationToken);
        }

        if (created is null || created.Count != candidates.Count)
        {
            return;
        }

        var now = time.GetUtcNow();
        var newLinks = new List<CustomerLink>(candidates.Count);
        var applied = new List<(Candidate Candidate, InboundResult Result)>(candidates.Count);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (created[i] is not { } user)
            {
                continue;
            }

            var (index, state, _, incoming, _) = candidates[i];
            newLinks.Add(new CustomerLink(state.Store.Handle, state.CustomerId, user.Id, now, state.UpdatedAt, state.TriggeredAt, incoming) { Signals = state.Signals });
            var result = new InboundResult(InboundOutcome.Created, user.Id, state.CustomerId) { Changed = InboundCustomerApplier.FilledFields(incoming) };
            results[index] = result;
            applied.Add((candidates[i], result));
        }

        if (newLinks.Count == 0)
        {
            return;
        }

        await bulkLinks.AddNewAsync(newLinks, cancellationToken);
        foreach (var link in newLinks)
        {
            await applier.ApplyRolesAsync(link.UserId, stores.Options, cancellationToken);
        }

        var delivered = applied.Where(a => a.Candidate.Delivery is not null).Select(a => (a.Candidate.Delivery!, a.Result)).ToList();
        if (delivered.Count > 0)
        {
            await recorder.RecordAllAsync(delivered, now, cancellationToken);
        }

        foreach (var (candidate, result) in applied.Where(a => a.Candidate.Delivery is null))
        {
            recorder.StateApplied(candidate.State, result);
        }
    }

    /// <summary>
    /// The run's customer deliveries that could bring a new customer: parseable, with an email, and naming a customer,
    /// email and phone that no other delivery of the run names. Deliveries that fail to parse are left to the one-by-one
    /// path, which reports why; a <c>shop/redact</c> keeps its store's deliveries out.
    /// </summary>
    private static List<Candidate> Candidates(IReadOnlyList<WebhookDelivery> deliveries, ShopifySyncOptions options)
    {
        var parsed = new List<Candidate>();
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
                        var state = InboundCustomerState.FromDelivery(delivery, CustomerPayloadParser.ParseCustomer(delivery.Body));
                        var incoming = state.Profile with { Phone = PhoneNormalizer.NormalizeOrNull(state.Profile.Phone, PhoneNormalizer.DefaultRegionOf(options)) };
                        var email = incoming.Email?.Trim();
                        Count(customers, (store, state.CustomerId));
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
                            parsed.Add(new Candidate(i, state, delivery, incoming, email));
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

        return Unshared(parsed, customers, emails, phones).Where(c => !redactedStores.Contains(c.State.Store.Handle)).ToList();
    }

    /// <summary>The candidates with an email whose customer, email and phone no other candidate names.</summary>
    private static List<Candidate> Unshared(List<Candidate> candidates)
    {
        var customers = new Dictionary<(string, long), int>();
        var emails = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var phones = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in candidates)
        {
            Count(customers, (c.State.Store.Handle, c.State.CustomerId));
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
    private static List<Candidate> Unshared(List<Candidate> candidates, Dictionary<(string, long), int> customers, Dictionary<string, int> emails, Dictionary<string, int> phones)
        => candidates
            .Where(c => c.Email.Length > 0
                && customers[(c.State.Store.Handle, c.State.CustomerId)] == 1
                && emails[c.Email] == 1
                && (c.Incoming.Phone is null || phones[c.Incoming.Phone] == 1))
            .ToList();

    private static void Count<TKey>(Dictionary<TKey, int> counts, TKey key)
        where TKey : notnull
        => counts[key] = counts.GetValueOrDefault(key) + 1;

    /// <param name="Index">The item's place in the run (its result's index).</param>
    /// <param name="Delivery">The delivery that brought the state, recorded in the sync log; null for a customer read from Shopify.</param>
    /// <param name="Incoming">The profile as it is written to the user (phone normalised).</param>
    private sealed record Candidate(int Index, InboundCustomerState State, WebhookDelivery? Delivery, CustomerProfile Incoming, string Email);
}
