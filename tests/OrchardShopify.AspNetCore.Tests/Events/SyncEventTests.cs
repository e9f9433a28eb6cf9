using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Users;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Sync;
using OrchardShopify.Testing.Hosting.Logging;

namespace OrchardShopify.AspNetCore.Tests.Events;

/// <summary>Every handler's calls, in order.</summary>
internal sealed class EventRecorder
{
    private readonly ConcurrentQueue<ShopifySyncEvent> _events = new();

    public IReadOnlyList<ShopifySyncEvent> Events => [.. _events];

    public void Add(ShopifySyncEvent syncEvent) => _events.Enqueue(syncEvent);
}

/// <summary>Site code that fails on every event (registered first, so the others run after it).</summary>
internal sealed class ThrowingHandler(EventRecorder calls) : IShopifySyncEventHandler
{
    public Task HandleAsync(ShopifySyncEvent syncEvent, CancellationToken cancellationToken)
    {
        calls.Add(syncEvent);
        throw new InvalidOperationException("The CRM is down.");
    }
}

/// <summary>Site code that records what it hears; reads the user, as a welcome mail would, to see it is stored.</summary>
internal sealed class RecordingHandler(EventRecorder recorder, UserManager<IdentityUser> users, UserSeen seen) : IShopifySyncEventHandler
{
    public async Task HandleAsync(ShopifySyncEvent syncEvent, CancellationToken cancellationToken)
    {
        if (syncEvent.UserId is { } id && await users.FindByIdAsync(id) is { } user)
        {
            seen.Emails[syncEvent] = user.Email;
        }

        recorder.Add(syncEvent);
    }
}

/// <summary>The user's email as the handler read it when it was called.</summary>
internal sealed class UserSeen
{
    public ConcurrentDictionary<ShopifySyncEvent, string?> Emails { get; } = new();
}

/// <summary>A site with a throwing handler and a recording one, registered as a host does (plain DI and the builder's way).</summary>
internal sealed class EventSite : IAsyncDisposable
{
    private EventSite(TestSite site, EventRecorder recorded, EventRecorder thrown, UserSeen seen, FakeLogCollector logs)
    {
        Site = site;
        Recorded = recorded;
        Thrown = thrown;
        Seen = seen;
        Logs = logs;
    }

    public TestSite Site { get; }

    public EventRecorder Recorded { get; }

    public EventRecorder Thrown { get; }

    public UserSeen Seen { get; }

    public FakeLogCollector Logs { get; }

    public static async Task<EventSite> StartAsync(Action<Dictionary<string, string?>>? configure = null)
    {
        var recorded = new EventRecorder();
        var thrown = new EventRecorder();
        var seen = new UserSeen();
        var logs = new FakeLogCollector();
        var site = await TestSite.StartAsync(configure, configureServices: services =>
        {
            services.AddSingleton<ILoggerProvider>(new FakeLoggerProvider(logs));
            services.AddScoped<IShopifySyncEventHandler>(_ => new ThrowingHandler(thrown));
            services.AddSingleton(recorded);
            services.AddSingleton(seen);
            services.AddScoped<IShopifySyncEventHandler, RecordingHandler>();
        });
        return new EventSite(site, recorded, thrown, seen, logs);
    }

    /// <summary>The events of one customer, as the recording handler heard them.</summary>
    public IReadOnlyList<ShopifySyncEvent> Of(long customerId) => [.. Recorded.Events.Where(e => e.CustomerId == customerId)];

    /// <summary>Posts a signed delivery and waits until it is applied and, when it <paramref name="raises"/> an event, until the handlers heard it.</summary>
    public async Task PostAsync(string topic, byte[] body, string webhookId, bool raises = true)
    {
        var path = topic switch
        {
            "customers/redact" => "/!/shopify/webhook/compliance",
            "customers/delete" => "/!/shopify/webhook/customer/delete",
            _ => "/!/shopify/webhook/customer/" + topic["customers/".Length..],
        };
        using var response = await Site.PostWebhookAsync(path, topic, body, webhookId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await TestSite.EventuallyAsync(async () => (await Site.ItemsWithWebhookIdAsync(webhookId)).All(i => i.Status == WorkStatus.Succeeded), $"{webhookId} is applied");
        if (raises)
        {
            await TestSite.EventuallyAsync(() => Task.FromResult(Recorded.Events.Any(e => e.DeliveryId == webhookId)), $"the handlers hear {webhookId}");
        }
    }

    /// <summary>
    /// A new customer's delivery, waited for until its Created event is heard: the inbound worker works deliveries in
    /// order, so every event of the deliveries before it has been raised by then.
    /// </summary>
    public async Task MarkerAsync(long customerId)
    {
        var body = Encoding.UTF8.GetString(SteveLastnameson.CreatePayload)
            .Replace("1073339470", customerId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace(SteveLastnameson.Email, $"marker-{customerId}@example.com", StringComparison.Ordinal)
            .Replace("+15142546011", "+1514555" + (customerId % 10000).ToString("0000", CultureInfo.InvariantCulture), StringComparison.Ordinal);
        await PostAsync("customers/create", Encoding.UTF8.GetBytes(body), $"wh-marker-{customerId}");
    }

    public ValueTask DisposeAsync() => Site.DisposeAsync();
}

/// <summary>Site code hears each applied inbound outcome once, after it is stored; a handler that throws changes nothing.</summary>
#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class InboundSyncEventTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private const long Steve = SteveLastnameson.CustomerId;
    private static readonly string SteveJson = Encoding.UTF8.GetString(SteveLastnameson.CreatePayload);
    private EventSite _events = null!;

    private TestSite Site => _events.Site;

    public async Task InitializeAsync() => _events = await EventSite.StartAsync();

    public async Task DisposeAsync() => await _events.DisposeAsync();

    [Fact]
    public async Task Create_update_delete_and_redact_each_raise_one_event_with_the_ids_and_changed_fields()
    {
        await _events.PostAsync("customers/create", SteveLastnameson.CreatePayload, "wh-ev-create");

        // The user exists and is linked whatever the throwing handler did; the recording handler read him already stored.
        var steve = await Site.WithUsersAsync(users => users.FindByEmailAsync(SteveLastnameson.Email));
        Assert.NotNull(steve);
        var claims = await Site.WithUsersAsync(users => users.GetClaimsAsync(steve));
        Assert.Contains(claims, c => c.Type == ShopifyUserClaims.ShopifyId && c.Value == Steve.ToString(CultureInfo.InvariantCulture));
        var created = Assert.Single(_events.Of(Steve));
        Assert.Equal((ShopifySyncEventKind.Created, "uk", Steve, steve.Id, "wh-ev-create"), (created.Kind, created.StoreHandle, created.CustomerId, created.UserId, created.DeliveryId));
        Assert.Equal(["FirstName", "LastName", "Email", "Phone"], created.ChangedFields);
        Assert.Equal(SteveLastnameson.Email, _events.Seen.Emails[created]);

        // The throwing handler was called too, and its failure is logged as an error naming it, without the customer's data.
        Assert.Contains(_events.Thrown.Events, e => e.Kind == ShopifySyncEventKind.Created && e.CustomerId == Steve);
        var failure = Assert.Single(_events.Logs.GetSnapshot(), e => e.Level == LogLevel.Error && e.Message.Contains(typeof(ThrowingHandler).FullName!, StringComparison.Ordinal) && e.Message.Contains("Created", StringComparison.Ordinal));
        Assert.Contains("The CRM is down.", failure.Exception?.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(SteveLastnameson.Email, failure.Message, StringComparison.Ordinal);

        // Shopify retrying the same delivery, and the same state under a new delivery id: nothing is applied, nothing raised.
        using (var again = await Site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", SteveLastnameson.CreatePayload, "wh-ev-create"))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        await _events.PostAsync("customers/update", SteveLastnameson.CreatePayload, "wh-ev-same-state", raises: false);
        Assert.Single(await Site.ItemsWithWebhookIdAsync("wh-ev-create"));

        // A newer first name: Updated, naming only that field.
        var renamed = SteveJson
            .Replace("\"first_name\": \"Steve\"", "\"first_name\": \"Stephen\"", StringComparison.Ordinal)
            .Replace("\"updated_at\": \"2025-07-01T14:37:24-04:00\"", "\"updated_at\": \"2025-07-03T10:00:00-04:00\"", StringComparison.Ordinal);
        await _events.PostAsync("customers/update", Encoding.UTF8.GetBytes(renamed), "wh-ev-update");
        Assert.Equal("Stephen", Assert.Single(await Site.WithUsersAsync(users => users.GetClaimsAsync(steve)), c => c.Type == ShopifyUserClaims.GivenName).Value);

        await _events.PostAsync("customers/delete", TestSite.Payload("customers-delete.json"), "wh-ev-delete");
        await _events.PostAsync("customers/redact", TestSite.Payload("customers-redact.json"), "wh-ev-redact");

        var heard = _events.Of(Steve);
        Assert.Equal(
            [
                (ShopifySyncEventKind.Created, steve.Id, "wh-ev-create", "FirstName,LastName,Email,Phone"),
                (ShopifySyncEventKind.Updated, steve.Id, "wh-ev-update", "FirstName"),
                (ShopifySyncEventKind.Unlinked, steve.Id, "wh-ev-delete", ""),
                (ShopifySyncEventKind.Redacted, null, "wh-ev-redact", ""),
            ],
            heard.Select(e => (e.Kind, e.UserId, e.DeliveryId, string.Join(',', e.ChangedFields))));

        // The throwing handler heard every one of them as well, and the sync applied them all.
        Assert.Equal(heard.Select(e => e.Kind), _events.Thrown.Events.Where(e => e.CustomerId == Steve).Select(e => e.Kind));
        Assert.Null(await Site.WithUsersAsync(async users => (await users.GetClaimsAsync(steve)).FirstOrDefault(c => c.Type == ShopifyUserClaims.ShopifyId)));
        Assert.NotNull(await Site.WithUsersAsync(users => users.FindByIdAsync(steve.Id)));
    }

    [Fact]
    public async Task A_customer_matched_to_a_verified_user_raises_linked_naming_the_blanks_shopify_filled()
    {
        const long Customer = 6_200_000_001;
        var ada = new IdentityUser { UserName = "ada.linked@example.com", Email = "ada.linked@example.com", EmailConfirmed = true };
        Assert.True((await Site.WithUsersAsync(users => users.CreateAsync(ada))).Succeeded);

        var body = SteveJson
            .Replace("1073339470", Customer.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace(SteveLastnameson.Email, ada.Email, StringComparison.Ordinal)
            .Replace("+15142546011", "+15145550142", StringComparison.Ordinal);
        await _events.PostAsync("customers/create", Encoding.UTF8.GetBytes(body), "wh-ev-link");

        var linked = Assert.Single(_events.Of(Customer));
        Assert.Equal((ShopifySyncEventKind.Linked, ada.Id, "wh-ev-link"), (linked.Kind, linked.UserId, linked.DeliveryId));
        Assert.Equal(["FirstName", "LastName", "Phone"], linked.ChangedFields);
        Assert.Equal("+15145550142", (await Site.WithUsersAsync(users => users.FindByIdAsync(ada.Id)))!.PhoneNumber);
    }
}

/// <summary>New customers claimed together are created in one transaction; each raises its Created event once that commits.</summary>
#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class BatchSyncEventTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private const long FirstCustomer = 6_300_000_000;
    private EventSite _events = null!;

    public async Task InitializeAsync() => _events = await EventSite.StartAsync(s => s["Shopify:Queue:WorkersEnabled"] = "false");

    public async Task DisposeAsync() => await _events.DisposeAsync();

    [Fact]
    public async Task Customers_created_together_each_raise_created_after_the_commit()
    {
        var json = Encoding.UTF8.GetString(SteveLastnameson.CreatePayload);
        for (var n = 0; n < 3; n++)
        {
            var body = json
                .Replace("1073339470", (FirstCustomer + n).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace(SteveLastnameson.Email, $"batch-event-{n}@example.com", StringComparison.Ordinal)
                .Replace("+15142546011", "+1514555200" + n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            using var response = await _events.Site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", Encoding.UTF8.GetBytes(body), $"wh-ev-batch-{n}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var worker = ActivatorUtilities.CreateInstance<SyncWorker>(_events.Site.Services, _events.Site.Services.GetRequiredService<InboundDeliveryHandler>());
        Assert.Equal(3, await worker.RunOnceAsync(CancellationToken.None));

        Assert.All(await _events.Site.WorkItemsAsync(), i => Assert.Equal((WorkStatus.Succeeded, "created"), (i.Status, i.Outcome)));
        for (var n = 0; n < 3; n++)
        {
            var user = await _events.Site.WithUsersAsync(users => users.FindByEmailAsync($"batch-event-{n}@example.com"));
            Assert.NotNull(user);
            var created = Assert.Single(_events.Of(FirstCustomer + n));
            Assert.Equal((ShopifySyncEventKind.Created, user.Id, $"wh-ev-batch-{n}"), (created.Kind, created.UserId, created.DeliveryId));
            Assert.Equal(user.Email, _events.Seen.Emails[created]);
        }

        Assert.Equal(3, _events.Thrown.Events.Count);
    }
}

/// <summary>Pushes raise Pushed (or PushFailed once retries run out); Shopify's echo of a push raises nothing.</summary>
#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class OutboundSyncEventTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private EventSite _events = null!;

    private TestSite Site => _events.Site;

    public async Task InitializeAsync() => _events = await EventSite.StartAsync(s => s["Shopify:UpdateUsersInShopify"] = "true");

    public async Task DisposeAsync() => await _events.DisposeAsync();

    [Fact]
    public async Task A_push_raises_pushed_its_echo_raises_nothing_and_a_push_that_runs_out_of_retries_raises_push_failed()
    {
        var ada = new IdentityUser { UserName = "ada.push@example.com", Email = "ada.push@example.com", EmailConfirmed = true, PhoneNumber = "+15145550177" };
        Assert.True((await Site.WithUsersAsync(users => users.CreateAsync(ada))).Succeeded);
        await TestSite.EventuallyAsync(async () => (await PushesAsync(ada.Id)).SingleOrDefault()?.Status == WorkStatus.Succeeded, "Ada's push finishes");

        var customer = Assert.Single(Site.Shopify.Customers, c => c.Profile.Email == ada.Email);

        // The push is stored as succeeded before its event is dispatched (events follow the commit).
        await TestSite.EventuallyAsync(() => Task.FromResult(_events.Recorded.Events.Any(e => e.UserId == ada.Id)), "Pushed is raised");
        var pushed = Assert.Single(_events.Recorded.Events, e => e.UserId == ada.Id);
        Assert.Equal((ShopifySyncEventKind.Pushed, "uk", (long?)customer.Id, (string?)null), (pushed.Kind, pushed.StoreHandle, pushed.CustomerId, pushed.DeliveryId));
        Assert.Equal(["Email", "Phone"], pushed.ChangedFields);

        // Shopify's customers/update about the customer the push created: an echo, no Updated event.
        var echo = $$"""
            {"id": {{customer.Id}}, "email": "{{ada.Email}}", "first_name": null, "last_name": null, "phone": "+15145550177",
             "updated_at": "{{customer.UpdatedAt.ToString("O", CultureInfo.InvariantCulture)}}", "created_at": "{{customer.UpdatedAt.ToString("O", CultureInfo.InvariantCulture)}}",
             "state": "disabled", "verified_email": true, "tags": "", "currency": "USD", "addresses": [], "tax_exemptions": [],
             "admin_graphql_api_id": "gid://shopify/Customer/{{customer.Id}}"}
            """;
        await _events.PostAsync("customers/update", Encoding.UTF8.GetBytes(echo), "wh-ev-echo", raises: false);
        await _events.MarkerAsync(6_400_000_001);
        var echoed = Assert.Single(await Site.ItemsWithWebhookIdAsync("wh-ev-echo"));
        Assert.Contains(echoed.Outcome, new[] { "echo", "stale", "unchanged" });
        Assert.Single(_events.Recorded.Events, e => e.UserId == ada.Id);

        // Shopify down through every attempt: the push is dead-lettered and PushFailed raised once, naming the user and customer.
        Site.Shopify.Failing = true;
        Assert.True((await Site.WithUsersAsync(async users => await users.SetPhoneNumberAsync((await users.FindByIdAsync(ada.Id))!, "+15145550178"))).Succeeded);
        await TestSite.EventuallyAsync(async () => (await PushesAsync(ada.Id)).Any(p => p.Status == WorkStatus.DeadLetter), "the second push is dead-lettered");
        await TestSite.EventuallyAsync(() => Task.FromResult(_events.Recorded.Events.Any(e => e.Kind == ShopifySyncEventKind.PushFailed)), "PushFailed is raised");
        var failed = Assert.Single(_events.Recorded.Events, e => e.Kind == ShopifySyncEventKind.PushFailed);
        Assert.Equal(("uk", ada.Id), (failed.StoreHandle, failed.UserId));
        Assert.Contains("dead-lettered", failed.Detail, StringComparison.Ordinal);
        Assert.Equal("+15145550177", Site.Shopify.Customers.Single(c => c.Id == customer.Id).Profile.Phone);
        Site.Shopify.Failing = false;
    }

    private Task<List<WorkItem>> PushesAsync(string userId) => Site.WorkItemsAsync(q => q.Where(w => w.Kind == WorkKind.OutboundPush && w.UserId == userId));
}
