using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Reconciliation;

/// <summary>
/// Compares a store's Shopify customers with its links and the site's users: streams the bulk export, looks the
/// links up a batch at a time, then walks the store's links and the site's users. Memory: the set of customer ids
/// seen (8 bytes each) and the bounded list of differences.
/// </summary>
internal sealed class ReconciliationJob(
    ShopifyStore store,
    ShopifySyncOptions options,
    BulkCustomerExport export,
    SyncDatabase database,
    IUserDirectory users,
    ISiteUserCatalog catalog,
    int reportLimit) : ISyncJob
{
    public const string Kind = "reconcile";

    private const int BatchSize = 500;
    private static readonly string[] FieldNames = ["firstName", "lastName", "email", "phone"];

    private readonly ConcurrentQueue<ReconciliationDifference> _differences = new();
    private readonly ConcurrentDictionary<string, long> _fieldCounts = new(FieldNames.Select(f => KeyValuePair.Create(f, 0L)), StringComparer.Ordinal);
    private volatile string _stage = "starting";
    private long _processed;
    private long _total = -1;
    private long _customers;
    private long _linkedCustomers;
    private long _withoutUser;
    private long _missingCustomers;
    private long _missingUsers;
    private long _siteUsers;
    private long _linkedUsers;
    private long _pairsDiffering;
    private long _listed;
    private volatile bool _usersCounted;

    public object Snapshot() => Report();

    public async Task<object> RunAsync(CancellationToken cancellationToken)
    {
        var seen = new HashSet<long>();
        _stage = "exporting";
        var id = await export.StartAsync(store, BulkCustomerFields.Profiles, cancellationToken);
        var operation = await export.WaitForCompletionAsync(store, id, cancellationToken);
        Interlocked.Exchange(ref _total, operation.RootObjectCount);
        _stage = "customers";
        if (operation.Url is not null)
        {
            var batch = new List<ShopifyCustomer>(BatchSize);
            await foreach (var row in export.ReadAsync(store, operation.Url, cancellationToken))
            {
                if (row is BulkCustomerRow customer && seen.Add(customer.Customer.Id))
                {
                    batch.Add(customer.Customer);
                    if (batch.Count == BatchSize)
                    {
                        await CompareCustomersAsync(batch, cancellationToken);
                        batch.Clear();
                    }
                }
            }

            await CompareCustomersAsync(batch, cancellationToken);
        }

        _stage = "links";
        await FindLinksToMissingCustomersAsync(seen, cancellationToken);

        if (catalog.CanList)
        {
            _stage = "users";
            await CountUsersAsync(cancellationToken);
            _usersCounted = true;
        }

        _stage = "finished";
        return Report();
    }

    private async Task CompareCustomersAsync(List<ShopifyCustomer> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var ids = batch.Select(c => c.Id).ToList();
        Dictionary<long, CustomerLinkRow> links;
        await using (var db = await database.OpenAsync(cancellationToken))
        {
            links = await db.Links.AsNoTracking()
                .Where(l => l.StoreHandle == store.Handle && ids.Contains(l.CustomerId))
                .ToDictionaryAsync(l => l.CustomerId, cancellationToken);
        }

        foreach (var customer in batch)
        {
            Interlocked.Increment(ref _customers);
            var shopify = ReconciliationRules.ShopifyProfile(customer, options);
            if (!links.TryGetValue(customer.Id, out var link))
            {
                Interlocked.Increment(ref _withoutUser);
                var canImport = ReconciliationRules.CanApplyShopify(options);
                Add(new ReconciliationDifference(
                    DifferenceKind.CustomerWithoutUser, customer.Id, null, shopify.Email, [],
                    canImport ? ReconcileDirection.Import : ReconcileDirection.None,
                    canImport
                        ? (options.CreateUsersFromShopify ? "Apply with the inbound rules: link the matching user, or create one." : "Apply with the inbound rules: link the matching user (CreateUsersFromShopify is off, so none is created).")
                        : "Inbound sync is off."));
            }
            else if (await users.FindByIdAsync(link.UserId, cancellationToken) is not { } user)
            {
                Interlocked.Increment(ref _missingUsers);
                Add(new ReconciliationDifference(
                    DifferenceKind.LinkToMissingUser, customer.Id, link.UserId, shopify.Email, [], ReconcileDirection.RemoveLink,
                    $"User {link.UserId} no longer exists on the site; remove the link (or choose import to link or create a user again)."));
            }
            else
            {
                Interlocked.Increment(ref _linkedCustomers);
                var synced = link.HasSyncedProfile ? new CustomerProfile(link.SyncedFirstName, link.SyncedLastName, link.SyncedEmail, link.SyncedPhone) : null;
                var decision = ReconciliationRules.Compare(shopify, ReconciliationRules.SiteProfile(user, options), synced, options);
                if (decision.Fields.Count > 0)
                {
                    Interlocked.Increment(ref _pairsDiffering);
                    var fields = decision.Fields.Select(f => new FieldDifferenceView(FieldName(f.Field), f.Shopify, f.Site, f.ChangedOn)).ToList();
                    foreach (var field in fields)
                    {
                        _fieldCounts.AddOrUpdate(field.Field, 1, (_, n) => n + 1);
                    }

                    Add(new ReconciliationDifference(DifferenceKind.FieldsDiffer, customer.Id, user.Id, user.Email, fields, decision.Direction, decision.Reason));
                }
            }

            Interlocked.Increment(ref _processed);
        }
    }

    private async Task FindLinksToMissingCustomersAsync(HashSet<long> seen, CancellationToken cancellationToken)
    {
        var after = long.MinValue;
        while (true)
        {
            List<CustomerLinkRow> page;
            await using (var db = await database.OpenAsync(cancellationToken))
            {
                page = await db.Links.AsNoTracking()
                    .Where(l => l.StoreHandle == store.Handle && l.CustomerId > after)
                    .OrderBy(l => l.CustomerId)
                    .Take(1000)
                    .ToListAsync(cancellationToken);
            }

            foreach (var link in page.Where(l => !seen.Contains(l.CustomerId)))
            {
                Interlocked.Increment(ref _missingCustomers);
                Add(new ReconciliationDifference(
                    DifferenceKind.LinkToMissingCustomer, link.CustomerId, link.UserId, null, [], ReconcileDirection.RemoveLink,
                    $"Shopify has no customer {link.CustomerId} any more; remove the link and the user's Shopify id (the user stays)."));
            }

            if (page.Count < 1000)
            {
                return;
            }

            after = page[^1].CustomerId;
        }
    }

    private async Task CountUsersAsync(CancellationToken cancellationToken)
    {
        var batch = new List<string>(BatchSize);
        await foreach (var userId in catalog.ListUserIdsAsync(cancellationToken))
        {
            batch.Add(userId);
            if (batch.Count == BatchSize)
            {
                await CountUserBatchAsync(batch, cancellationToken);
                batch.Clear();
            }
        }

        await CountUserBatchAsync(batch, cancellationToken);
    }

    private async Task CountUserBatchAsync(List<string> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        HashSet<string> linked;
        await using (var db = await database.OpenAsync(cancellationToken))
        {
            linked = (await db.Links.AsNoTracking()
                .Where(l => l.StoreHandle == store.Handle && batch.Contains(l.UserId))
                .Select(l => l.UserId)
                .ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        }

        foreach (var userId in batch)
        {
            Interlocked.Increment(ref _siteUsers);
            if (linked.Contains(userId))
            {
                Interlocked.Increment(ref _linkedUsers);
                continue;
            }

            var canPush = ReconciliationRules.CanPushSite(options);
            if (Interlocked.Read(ref _listed) < reportLimit)
            {
                var user = await users.FindByIdAsync(userId, cancellationToken);
                Add(new ReconciliationDifference(
                    DifferenceKind.UserWithoutCustomer, null, userId, user?.Email, [],
                    canPush ? ReconcileDirection.PushSite : ReconcileDirection.None,
                    canPush ? "Push the user: the outbound job links the Shopify customer with this email, or creates one." : "Not linked; pushing to Shopify is off (UpdateUsersInShopify)."));
            }
            else
            {
                Interlocked.Increment(ref _listed);
            }
        }
    }

    private void Add(ReconciliationDifference difference)
    {
        if (Interlocked.Increment(ref _listed) <= reportLimit)
        {
            _differences.Enqueue(difference);
        }
    }

    private ReconciliationReport Report()
    {
        var total = Interlocked.Read(ref _total);
        var counted = _usersCounted;
        var siteUsers = Interlocked.Read(ref _siteUsers);
        var linkedUsers = Interlocked.Read(ref _linkedUsers);
        return new ReconciliationReport(
            _stage,
            Interlocked.Read(ref _processed),
            total < 0 ? null : total,
            new ReconciliationCounts(
                Interlocked.Read(ref _customers),
                Interlocked.Read(ref _linkedCustomers),
                Interlocked.Read(ref _withoutUser),
                Interlocked.Read(ref _missingCustomers),
                Interlocked.Read(ref _missingUsers),
                counted ? siteUsers : null,
                counted ? linkedUsers : null,
                counted ? siteUsers - linkedUsers : null,
                Interlocked.Read(ref _pairsDiffering),
                FieldNames.ToDictionary(f => f, f => _fieldCounts[f], StringComparer.Ordinal)),
            [.. _differences],
            Interlocked.Read(ref _listed) > reportLimit);
    }

    internal static string FieldName(ProfileFields field) => field switch
    {
        ProfileFields.FirstName => "firstName",
        ProfileFields.LastName => "lastName",
        ProfileFields.Email => "email",
        _ => "phone",
    };
}
