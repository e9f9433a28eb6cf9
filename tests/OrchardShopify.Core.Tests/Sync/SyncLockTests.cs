using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.Core.Tests.Sync;

/// <summary>
/// Two engines over one storage stand for two nodes. A directory that holds every user creation until both nodes are
/// creating (or a second has passed) makes the race of two deliveries of one new customer happen every time.
/// </summary>
public sealed class SyncLockTests
{
    private static readonly byte[] SteveCreate = SyncHarness.Payload("customers-create-steve-lastnameson.json");

    [Fact]
    public async Task Two_nodes_sharing_a_lock_apply_create_and_update_of_one_new_customer_as_one_user()
    {
        using var harness = SyncHarness.SingleStore();
        var shared = new InProcessSyncLock();

        var results = await ApplyOnTwoNodesAsync(harness, shared, shared);

        var user = Assert.Single(harness.Users.All);
        var link = Assert.Single(harness.Links.All);
        Assert.Equal((1073339470L, user.Id), (link.CustomerId, link.UserId));
        Assert.Equal(1073339470L, user.ShopifyId);
        Assert.Single(results, r => r.Outcome == InboundOutcome.Created);
    }

    [Fact]
    public async Task A_lock_of_one_process_does_not_keep_a_second_node_from_creating_a_second_user()
    {
        // What a host with several nodes gets if it keeps the single-process default: the reason it must not.
        using var harness = SyncHarness.SingleStore();

        await ApplyOnTwoNodesAsync(harness, new InProcessSyncLock(), new InProcessSyncLock());

        Assert.Equal(2, harness.Users.All.Count);
        Assert.Single(harness.Links.All);
    }

    [Fact]
    public async Task The_engine_holds_the_customers_key_while_it_reads_and_writes_users()
    {
        using var harness = SyncHarness.SingleStore();
        var locks = new RecordingLock();
        var users = new CheckingDirectory(harness.Users, locks, SyncLockKeys.Customer("uk", 1073339470));
        var engine = new InboundCustomerSync(harness.Stores, users, harness.Links, harness.Log, harness.Time, NullLogger<InboundCustomerSync>.Instance, locks);

        await engine.ApplyAsync(Delivery(harness, "customers/create", SteveCreate, "wh-1"), CancellationToken.None);
        await engine.ApplyAsync(Delivery(harness, "customers/delete", SyncHarness.Payload("customers-delete.json"), "wh-2"), CancellationToken.None);

        Assert.True(users.Calls >= 4, $"{users.Calls} directory calls");
        Assert.Equal([SyncLockKeys.Customer("uk", 1073339470), SyncLockKeys.Customer("uk", 1073339470)], locks.Acquired);
        Assert.Null(locks.Held);
        Assert.Null(Assert.Single(harness.Users.All).ShopifyId);
    }

    private static async Task<InboundResult[]> ApplyOnTwoNodesAsync(SyncHarness harness, ISyncLock firstNode, ISyncLock secondNode)
    {
        // The customer changed their email between the two versions: an email match cannot bring the nodes together.
        var update = Edit(SteveCreate, c =>
        {
            c["email"] = "steve.renamed@example.com";
            c["updated_at"] = "2026-11-02T10:00:00Z";
        });
        var users = new CreationBarrier(harness.Users, parties: 2);
        var first = new InboundCustomerSync(harness.Stores, users, harness.Links, harness.Log, harness.Time, NullLogger<InboundCustomerSync>.Instance, firstNode);
        var second = new InboundCustomerSync(harness.Stores, users, harness.Links, harness.Log, harness.Time, NullLogger<InboundCustomerSync>.Instance, secondNode);

        return await Task.WhenAll(
            Task.Run(() => first.ApplyAsync(Delivery(harness, "customers/create", SteveCreate, "wh-create"), CancellationToken.None)),
            Task.Run(() => second.ApplyAsync(Delivery(harness, "customers/update", update, "wh-update"), CancellationToken.None)));
    }

    private static OrchardShopify.Core.Webhooks.WebhookDelivery Delivery(SyncHarness harness, string topic, byte[] body, string webhookId)
        => harness.Verifier.Verify(SyncHarness.Headers(topic, SyncHarness.UkDomain, SyncHarness.UkSecret, body, webhookId), body);

    private static byte[] Edit(byte[] body, Action<JsonObject> edit)
    {
        var node = JsonNode.Parse(body)!.AsObject();
        edit(node);
        return Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    /// <summary>Holds each user creation until <c>parties</c> creations are waiting, or a second has passed.</summary>
    private sealed class CreationBarrier(IUserDirectory inner, int parties) : DelegatingDirectory(inner)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public override async Task<UserCreateResult> CreateAsync(CustomerProfile profile, bool emailConfirmed, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _arrived) >= parties)
            {
                _all.TrySetResult();
            }

            await Task.WhenAny(_all.Task, Task.Delay(TimeSpan.FromSeconds(1), cancellationToken));
            return await base.CreateAsync(profile, emailConfirmed, cancellationToken);
        }
    }

    private sealed class RecordingLock : ISyncLock
    {
        public List<string> Acquired { get; } = [];

        public string? Held { get; private set; }

        public ValueTask<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
        {
            Assert.Null(Held);
            Acquired.Add(key);
            Held = key;
            return ValueTask.FromResult<IAsyncDisposable>(new Release(this));
        }

        private sealed class Release(RecordingLock owner) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                owner.Held = null;
                return ValueTask.CompletedTask;
            }
        }
    }

    /// <summary>Fails any directory call made while the customer's key is not held.</summary>
    private sealed class CheckingDirectory(IUserDirectory inner, RecordingLock locks, string key) : DelegatingDirectory(inner)
    {
        public int Calls { get; private set; }

        protected override void Before()
        {
            Assert.Equal(key, locks.Held);
            Calls++;
        }
    }

    private abstract class DelegatingDirectory(IUserDirectory inner) : IUserDirectory
    {
        protected virtual void Before()
        {
        }

        public Task<SyncUser?> FindByIdAsync(string userId, CancellationToken cancellationToken)
        {
            Before();
            return inner.FindByIdAsync(userId, cancellationToken);
        }

        public Task<SyncUser?> FindByEmailAsync(string email, CancellationToken cancellationToken)
        {
            Before();
            return inner.FindByEmailAsync(email, cancellationToken);
        }

        public Task<SyncUser?> FindByPhoneAsync(string e164Phone, CancellationToken cancellationToken)
        {
            Before();
            return inner.FindByPhoneAsync(e164Phone, cancellationToken);
        }

        public virtual Task<UserCreateResult> CreateAsync(CustomerProfile profile, bool emailConfirmed, CancellationToken cancellationToken)
        {
            Before();
            return inner.CreateAsync(profile, emailConfirmed, cancellationToken);
        }

        public Task UpdateProfileAsync(string userId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken)
        {
            Before();
            return inner.UpdateProfileAsync(userId, profile, fields, cancellationToken);
        }

        public Task SetShopifyIdAsync(string userId, string? storeHandle, long? customerId, CancellationToken cancellationToken)
        {
            Before();
            return inner.SetShopifyIdAsync(userId, storeHandle, customerId, cancellationToken);
        }
    }
}
