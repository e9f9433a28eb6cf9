using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;
using OrchardShopify.Core.Webhooks;
using OrchardShopify.Testing;

namespace OrchardShopify.Core.Tests.Sync;

/// <summary>
/// <see cref="InboundNewCustomerBatch"/> (through <see cref="InboundCustomerSync.ApplyNewCustomersAsync"/> and
/// <see cref="InboundCustomerSync.ApplyNewCustomerStatesAsync"/>): the new customers of a run applied at once, the rest
/// left to the one-by-one path. The equivalence tests apply the same run both ways on two sites and compare outcomes,
/// users and links. End to end through the host's worker: <c>OrchardShopify.AspNetCore.Tests/Queue/BatchApplyTests.cs</c>.
/// </summary>
public sealed class InboundNewCustomerBatchTests
{
    private static readonly byte[] Steve = SyncHarness.Payload("customers-create-steve-lastnameson.json");

    [Fact]
    public async Task New_customers_of_a_run_are_created_linked_and_logged_at_once()
    {
        using var harness = SyncHarness.SingleStore();
        var (engine, users) = BulkEngine(harness);
        var run = Enumerable.Range(0, 5).Select(n => Delivery(harness, "customers/create", Customer(n), $"wh-{n}")).ToList();

        var results = await engine.ApplyNewCustomersAsync(run, CancellationToken.None);

        Assert.All(results, r => Assert.Equal(InboundOutcome.Created, r!.Outcome));
        Assert.Equal(1, users.BulkCreates);
        Assert.Equal(5, harness.Users.All.Count);
        for (var n = 0; n < 5; n++)
        {
            var user = Assert.Single(harness.Users.All, u => u.Email == Email(n));
            Assert.Equal((Id(n), Phone(n), "Steve"), (user.ShopifyId, user.Phone, user.FirstName));
            Assert.Equal(user.Id, results[n]!.UserId);
            var link = Assert.Single(harness.Links.All, l => l.CustomerId == Id(n));
            Assert.Equal(user.Id, link.UserId);
            Assert.Equal(DateTimeOffset.Parse("2025-07-01T14:37:24-04:00", CultureInfo.InvariantCulture), link.AppliedUpdatedAt);
            Assert.Equal(Email(n), link.SyncedProfile!.Email);
            Assert.Single(harness.Log.Entries, e => e.WebhookId == $"wh-{n}" && e.Outcome == "created" && e.UserId == user.Id && e.CustomerId == Id(n));
        }
    }

    [Fact]
    public async Task Customers_named_twice_or_already_known_are_left_to_one_by_one_and_the_run_ends_as_applied_in_order()
    {
        using var bulkSite = SyncHarness.SingleStore();
        using var orderedSite = SyncHarness.SingleStore();
        foreach (var site in new[] { bulkSite, orderedSite })
        {
            await site.Users.AddByHostAsync("taken@example.com");
            await site.Users.AddByHostAsync("someone@example.com", phone: Phone(8));
        }

        var (engine, users) = BulkEngine(bulkSite);
        users.Refused.Add(Email(7));
        Func<SyncHarness, List<WebhookDelivery>> runOf = site =>
        [
            Delivery(site, "customers/create", Customer(0), "wh-0"),
            Delivery(site, "customers/create", Customer(1), "wh-1"),
            Delivery(site, "customers/update", Customer(1, c => c["first_name"] = "Stephen", "2025-07-02T10:00:00Z"), "wh-1-update"),
            Delivery(site, "customers/create", Customer(3, c => c["email"] = "taken@example.com"), "wh-3"),
            Delivery(site, "customers/create", Customer(4), "wh-4"),
            Delivery(site, "customers/create", Customer(5, c => c["email"] = Email(4).ToUpperInvariant()), "wh-5"),
            Delivery(site, "customers/create", Encoding.UTF8.GetBytes("""{"id":"not-a-number","email":"x@example.com"}"""), "wh-6"),
            Delivery(site, "customers/create", Customer(7), "wh-7"),
            Delivery(site, "customers/create", Customer(8), "wh-8"),
            Delivery(site, "customers/create", Customer(9), "wh-9"),
        ];

        var run = runOf(bulkSite);
        var bulk = await engine.ApplyNewCustomersAsync(run, CancellationToken.None);

        // Applied at once: 0 and 9. Left: 1 (named twice), 3 (email taken), 4 and 5 (one email; 5 finds 4's user linked), 6 (malformed), 7 (refused by the directory), 8 (phone taken).
        Assert.Equal([0, 9], Enumerable.Range(0, run.Count).Where(i => bulk[i] is not null));
        var outcomes = new string?[run.Count];
        for (var i = 0; i < run.Count; i++)
        {
            outcomes[i] = bulk[i] is { } result ? InboundResult.OutcomeName(result.Outcome) : await OutcomeAsync(engine, run[i]);
        }

        var inOrder = new List<string?>();
        foreach (var delivery in runOf(orderedSite))
        {
            inOrder.Add(await OutcomeAsync(orderedSite.Inbound, delivery));
        }

        Assert.Equal(string.Join(" ", inOrder), string.Join(" ", outcomes));
        Assert.Equal("created created updated linked created skipped (malformed) created linked created", string.Join(" ", outcomes.Select(o => o ?? "(malformed)")));
        Assert.Equal(State(orderedSite), State(bulkSite));
    }

    [Fact]
    public async Task Ports_without_bulk_support_leave_every_delivery_to_one_by_one()
    {
        using var harness = SyncHarness.SingleStore();

        var results = await harness.Inbound.ApplyNewCustomersAsync([Delivery(harness, "customers/create", Customer(0), "wh-0")], CancellationToken.None);

        Assert.Null(Assert.Single(results));
        Assert.Empty(harness.Users.All);
        Assert.Empty(harness.Log.Entries);
    }

    [Fact]
    public async Task With_user_creation_off_nothing_is_applied_at_once()
    {
        using var harness = SyncHarness.SingleStore(o => o.CreateUsersFromShopify = false);
        var (engine, users) = BulkEngine(harness);

        var results = await engine.ApplyNewCustomersAsync([Delivery(harness, "customers/create", Customer(0), "wh-0")], CancellationToken.None);

        Assert.Null(Assert.Single(results));
        Assert.Equal(0, users.BulkCreates);
        Assert.Empty(harness.Users.All);
    }

    [Fact]
    public async Task A_shop_redact_in_the_run_keeps_its_stores_customers_out()
    {
        using var harness = SyncHarness.SingleStore();
        var (engine, _) = BulkEngine(harness);
        var redact = Encoding.UTF8.GetBytes($$"""{"shop_id":954889,"shop_domain":"{{SyncHarness.UkDomain}}"}""");

        var results = await engine.ApplyNewCustomersAsync(
            [Delivery(harness, "customers/create", Customer(0), "wh-0"), Delivery(harness, "shop/redact", redact, "wh-redact")],
            CancellationToken.None);

        Assert.All(results, Assert.Null);
        Assert.Empty(harness.Users.All);
    }

    [Fact]
    public async Task In_multi_store_mode_each_user_gets_the_id_of_the_store_that_sent_it()
    {
        using var harness = SyncHarness.MultiStore();
        var (engine, _) = BulkEngine(harness);
        var us = Customer(1);

        var results = await engine.ApplyNewCustomersAsync(
            [
                Delivery(harness, "customers/create", Customer(0), "wh-0"),
                harness.Verifier.Verify(SyncHarness.Headers("customers/create", SyncHarness.UsDomain, SyncHarness.UsSecret, us, "wh-1"), us),
            ],
            CancellationToken.None);

        Assert.All(results, r => Assert.Equal(InboundOutcome.Created, r!.Outcome));
        var ukUser = Assert.Single(harness.Users.All, u => u.Email == Email(0));
        var usUser = Assert.Single(harness.Users.All, u => u.Email == Email(1));
        Assert.Equal((null, Id(0)), (ukUser.ShopifyId, ukUser.ShopifyIds["uk"]));
        Assert.Equal((null, Id(1)), (usUser.ShopifyId, usUser.ShopifyIds["us"]));
        Assert.Equal(["uk", "us"], harness.Links.All.Select(l => l.StoreHandle).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Customers_read_from_Shopify_are_created_together_without_log_rows_and_end_as_applied_one_by_one()
    {
        using var bulkSite = SyncHarness.SingleStore();
        using var orderedSite = SyncHarness.SingleStore();
        foreach (var site in new[] { bulkSite, orderedSite })
        {
            await site.Users.AddByHostAsync("taken@example.com");
        }

        var updatedAt = DateTimeOffset.Parse("2025-07-01T14:37:24-04:00", CultureInfo.InvariantCulture);
        ShopifyCustomer Customer(int n, string? email = null, string? phone = "") => new(Id(n), new CustomerProfile("Steve", "Lastnameson", email ?? Email(n), phone == "" ? Phone(n) : phone), updatedAt);
        List<ShopifyCustomer> customers =
        [
            Customer(0),
            Customer(1, email: "taken@example.com"),
            Customer(2),
            Customer(3, email: Email(2).ToUpperInvariant()),
            Customer(4, phone: null),
            Customer(5, email: " "),
            Customer(6),
        ];

        var (engine, users) = BulkEngine(bulkSite);
        var store = bulkSite.Stores.FindByHandle("uk")!;
        var bulk = await engine.ApplyNewCustomerStatesAsync(store, customers, CancellationToken.None);

        // Created together: 0, 4 and 6. Left: 1 (email taken: linked), 2 and 3 (one email: 3 finds 2's user linked), 5 (no email).
        Assert.Equal([0, 4, 6], Enumerable.Range(0, customers.Count).Where(i => bulk[i] is not null));
        Assert.All(bulk.Where(r => r is not null), r => Assert.Equal(InboundOutcome.Created, r!.Outcome));
        Assert.Equal(1, users.BulkCreates);
        Assert.Empty(bulkSite.Log.Entries);
        var link = Assert.Single(bulkSite.Links.All, l => l.CustomerId == Id(0));
        Assert.Equal((updatedAt, (DateTimeOffset?)null), (link.AppliedUpdatedAt, link.AppliedTriggeredAt));
        Assert.Equal(Id(0), Assert.Single(bulkSite.Users.All, u => u.Email == Email(0)).ShopifyId);

        var outcomes = new List<string>();
        for (var i = 0; i < customers.Count; i++)
        {
            outcomes.Add(InboundResult.OutcomeName((bulk[i] ?? await StateOutcomeAsync(engine, store, customers[i])).Outcome));
        }

        var inOrder = new List<string>();
        foreach (var customer in customers)
        {
            inOrder.Add(InboundResult.OutcomeName((await StateOutcomeAsync(orderedSite.Inbound, orderedSite.Stores.FindByHandle("uk")!, customer)).Outcome));
        }

        Assert.Equal(string.Join(" ", inOrder), string.Join(" ", outcomes));
        Assert.Equal("created linked created skipped created skipped created", string.Join(" ", outcomes));
        Assert.Equal(State(orderedSite), State(bulkSite));
        Assert.Empty(orderedSite.Log.Entries);

        // Applied again, every customer is linked: nothing is created together.
        Assert.All(await engine.ApplyNewCustomerStatesAsync(store, customers, CancellationToken.None), Assert.Null);
        Assert.Equal(1, users.BulkCreates);
    }

    private static Task<InboundResult> StateOutcomeAsync(InboundCustomerSync engine, OrchardShopify.Core.Configuration.ShopifyStore store, ShopifyCustomer customer)
        => engine.ApplyCustomerStateAsync(store, customer, CustomerStateSource.Import, CustomerApplyMode.NewerOnly, CancellationToken.None);

    private static async Task<string?> OutcomeAsync(InboundCustomerSync engine, WebhookDelivery delivery)
    {
        try
        {
            return InboundResult.OutcomeName((await engine.ApplyAsync(delivery, CancellationToken.None)).Outcome);
        }
        catch (CustomerPayloadException)
        {
            return null;
        }
    }

    /// <summary>Users (email, names, phone, Shopify id) and links (customer → user email), without generated ids.</summary>
    private static string State(SyncHarness site)
    {
        var users = site.Users.All;
        var byId = users.ToDictionary(u => u.Id, u => u.Email);
        return string.Join("\n", users.Select(u => $"{u.Email}|{u.FirstName}|{u.LastName}|{u.Phone}|{u.ShopifyId}").Order(StringComparer.Ordinal))
            + "\n--\n" + string.Join("\n", site.Links.All.Select(l => $"{l.CustomerId}->{byId[l.UserId]}").Order(StringComparer.Ordinal));
    }

    private static (InboundCustomerSync Engine, BulkUsers Users) BulkEngine(SyncHarness harness)
    {
        var users = new BulkUsers(harness.Users);
        return (new InboundCustomerSync(harness.Stores, users, new BulkLinks(harness.Links), harness.Log, harness.Time, NullLogger<InboundCustomerSync>.Instance), users);
    }

    private static WebhookDelivery Delivery(SyncHarness harness, string topic, byte[] body, string webhookId)
        => harness.Verifier.Verify(SyncHarness.Headers(topic, SyncHarness.UkDomain, SyncHarness.UkSecret, body, webhookId), body);

    private static byte[] Customer(int n, Action<JsonObject>? edit = null, string? updatedAt = null)
    {
        var node = JsonNode.Parse(Steve)!.AsObject();
        node["id"] = Id(n);
        node["email"] = Email(n);
        node["phone"] = Phone(n);
        if (updatedAt is not null)
        {
            node["updated_at"] = updatedAt;
        }

        edit?.Invoke(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private static long Id(int n) => 7_200_000_000 + n;

    private static string Email(int n) => $"bulk-{n}@example.com";

    private static string Phone(int n) => "+1514555" + (2000 + n).ToString(CultureInfo.InvariantCulture);

    /// <summary>The in-memory directory with bulk calls made of its single ones; emails in <see cref="Refused"/> are not created in bulk.</summary>
    private sealed class BulkUsers(InMemoryUserDirectory inner) : IUserDirectory, IBulkUserDirectory
    {
        public HashSet<string> Refused { get; } = new(StringComparer.OrdinalIgnoreCase);

        public int BulkCreates { get; private set; }

        public Task<SyncUser?> FindByIdAsync(string userId, CancellationToken cancellationToken) => inner.FindByIdAsync(userId, cancellationToken);

        public Task<SyncUser?> FindByEmailAsync(string email, CancellationToken cancellationToken) => inner.FindByEmailAsync(email, cancellationToken);

        public Task<SyncUser?> FindByPhoneAsync(string e164Phone, CancellationToken cancellationToken) => inner.FindByPhoneAsync(e164Phone, cancellationToken);

        public Task<UserCreateResult> CreateAsync(CustomerProfile profile, bool emailConfirmed, CancellationToken cancellationToken) => inner.CreateAsync(profile, emailConfirmed, cancellationToken);

        public Task UpdateProfileAsync(string userId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken) => inner.UpdateProfileAsync(userId, profile, fields, cancellationToken);

        public Task SetShopifyIdAsync(string userId, string? storeHandle, long? customerId, CancellationToken cancellationToken) => inner.SetShopifyIdAsync(userId, storeHandle, customerId, cancellationToken);

        public async Task<TakenContacts?> FindTakenAsync(IReadOnlyCollection<string> emails, IReadOnlyCollection<string> phones, CancellationToken cancellationToken)
        {
            var takenEmails = new HashSet<string>(StringComparer.Ordinal);
            foreach (var email in emails)
            {
                if (await inner.FindByEmailAsync(email, cancellationToken) is not null)
                {
                    takenEmails.Add(email);
                }
            }

            var takenPhones = new HashSet<string>(StringComparer.Ordinal);
            foreach (var phone in phones)
            {
                if (await inner.FindByPhoneAsync(phone, cancellationToken) is not null)
                {
                    takenPhones.Add(phone);
                }
            }

            return new TakenContacts(takenEmails, takenPhones);
        }

        public async Task<IReadOnlyList<SyncUser?>?> CreateLinkedAsync(IReadOnlyList<NewLinkedUser> users, CancellationToken cancellationToken)
        {
            Assert.True(SyncWriteScope.IsActive, "bulk creations are the sync's own writes");
            BulkCreates++;
            var created = new List<SyncUser?>();
            foreach (var (profile, store, customerId, emailConfirmed) in users)
            {
                if (Refused.Contains(profile.Email!))
                {
                    created.Add(null);
                    continue;
                }

                var user = (await inner.CreateAsync(profile, emailConfirmed, cancellationToken)).User!;
                await inner.SetShopifyIdAsync(user.Id, store, customerId, cancellationToken);
                created.Add(inner.Get(user.Id));
            }

            return created;
        }
    }

    private sealed class BulkLinks(InMemoryCustomerLinkStore inner) : ICustomerLinkStore, IBulkCustomerLinkStore
    {
        public Task<CustomerLink?> FindByCustomerAsync(string storeHandle, long customerId, CancellationToken cancellationToken) => inner.FindByCustomerAsync(storeHandle, customerId, cancellationToken);

        public Task<IReadOnlyList<CustomerLink>> FindByUserAsync(string userId, CancellationToken cancellationToken) => inner.FindByUserAsync(userId, cancellationToken);

        public Task<LinkAttempt> TryAddAsync(CustomerLink link, CancellationToken cancellationToken) => inner.TryAddAsync(link, cancellationToken);

        public Task UpdateAsync(CustomerLink link, CancellationToken cancellationToken) => inner.UpdateAsync(link, cancellationToken);

        public Task<bool> RemoveAsync(string storeHandle, long customerId, CancellationToken cancellationToken) => inner.RemoveAsync(storeHandle, customerId, cancellationToken);

        public Task<IReadOnlyList<CustomerLink>> RemoveStoreAsync(string storeHandle, CancellationToken cancellationToken) => inner.RemoveStoreAsync(storeHandle, cancellationToken);

        public Task MarkDeletedAsync(string storeHandle, long customerId, string? userId, DateTimeOffset deletedAt, CancellationToken cancellationToken) => inner.MarkDeletedAsync(storeHandle, customerId, userId, deletedAt, cancellationToken);

        public Task<DeletedCustomer?> FindDeletedForUserAsync(string storeHandle, string userId, CancellationToken cancellationToken) => inner.FindDeletedForUserAsync(storeHandle, userId, cancellationToken);

        public Task ForgetDeletedForUserAsync(string storeHandle, string userId, CancellationToken cancellationToken) => inner.ForgetDeletedForUserAsync(storeHandle, userId, cancellationToken);

        public Task<DateTimeOffset?> FindDeletedAsync(string storeHandle, long customerId, CancellationToken cancellationToken) => inner.FindDeletedAsync(storeHandle, customerId, cancellationToken);

        public async Task<IReadOnlySet<long>> FindLinkedAsync(string storeHandle, IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken)
        {
            var linked = new HashSet<long>();
            foreach (var id in customerIds)
            {
                if (await inner.FindByCustomerAsync(storeHandle, id, cancellationToken) is not null || await inner.FindDeletedAsync(storeHandle, id, cancellationToken) is not null)
                {
                    linked.Add(id);
                }
            }

            return linked;
        }

        public async Task AddNewAsync(IReadOnlyList<CustomerLink> links, CancellationToken cancellationToken)
        {
            foreach (var link in links)
            {
                Assert.True((await inner.TryAddAsync(link, cancellationToken)).Added, $"link {link.CustomerId} was new");
            }
        }
    }
}
