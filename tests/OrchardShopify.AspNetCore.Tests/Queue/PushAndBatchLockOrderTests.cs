using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;

namespace OrchardShopify.AspNetCore.Tests.Queue;

/// <summary>
/// A push holds the customer's lock from before it sends the change until the link remembers Shopify's answer; an
/// inbound batch (SQLite) about the same customer, claimed meanwhile, takes that lock before it opens its write
/// transaction. Both finish at once – neither waits for the other's lock while holding its own – the user's edit made
/// while the push was in flight is kept, and Shopify's webhook about the push is its echo. The same for an
/// administrator's link, which holds the customer's lock while it reads the customer from Shopify and then stores the
/// link. The workers are driven by hand: the site's own are off.
/// </summary>
#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class PushAndBatchLockOrderTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private const string PushedPhone = "+15145550199";
    private const string EditedMeanwhile = "+15145550123";
    private const long NewCustomer = 6_200_000_001;
    private static readonly string SteveJson = Encoding.UTF8.GetString(SteveLastnameson.CreatePayload);

    /// <summary>Well within SQLite's 30-second busy timeout, which a push waiting for a batch's write lock runs into.</summary>
    private static readonly TimeSpan BothFinishWithin = TimeSpan.FromSeconds(10);

    private TestSite _site = null!;

    private AnswerHeldShopify Shopify => _site.Services.GetRequiredService<AnswerHeldShopify>();

    private WaitWatchingLock Locks => (WaitWatchingLock)_site.Services.GetRequiredService<ISyncLock>();

    public async Task InitializeAsync() => _site = await TestSite.StartAsync(
        s =>
        {
            s["Shopify:Queue:WorkersEnabled"] = "false";
            s["Shopify:UpdateUsersInShopify"] = "true";
        },
        configureServices: services =>
        {
            services.AddSingleton(sp => new AnswerHeldShopify(sp.GetRequiredService<FakeShopify>()));
            services.AddSingleton<IShopifyCustomerApi>(sp => sp.GetRequiredService<AnswerHeldShopify>());
            services.AddSingleton<ISyncLock>(new WaitWatchingLock());
        });

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_push_holding_the_customers_lock_and_a_batch_about_the_customer_both_finish_and_the_echo_keeps_the_users_edit(bool withNewCustomerInTheRun)
    {
        // Steve arrives from Shopify and is linked; then he changes his phone on the site.
        _site.Shopify.Seed(SteveLastnameson.CustomerId, new CustomerProfile("Steve", "Lastnameson", SteveLastnameson.Email, "+15142546011"), DateTimeOffset.Parse("2025-07-01T14:37:24-04:00", CultureInfo.InvariantCulture));
        await PostAsync("customers/create", SteveJson, "wh-lock-order-create");
        Assert.Equal(1, await RunAsync<InboundDeliveryHandler>());
        var steveId = (await _site.WithUsersAsync(users => users.FindByEmailAsync(SteveLastnameson.Email)))!.Id;
        await SetPhoneAsync(steveId, PushedPhone);

        // The push sends the phone; Shopify has answered, and the push has not remembered the answer yet.
        Shopify.HoldNextAnswer();
        var push = RunAsync<OutboundPushHandler>();
        var answered = await Shopify.Answered.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(PushedPhone, answered.Profile.Phone);

        // Meanwhile Steve edits his phone again, and Shopify's customers/update about the push (its echo) arrives, with a
        // new customer's delivery in the same run when asked.
        await SetPhoneAsync(steveId, EditedMeanwhile);
        var echo = SteveJson
            .Replace("\"updated_at\": \"2025-07-01T14:37:24-04:00\"", $"\"updated_at\": \"{answered.UpdatedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)}\"", StringComparison.Ordinal)
            .Replace("+15142546011", PushedPhone, StringComparison.Ordinal);
        await PostAsync("customers/update", echo, "wh-lock-order-echo");
        if (withNewCustomerInTheRun)
        {
            await PostAsync("customers/create", SteveJson
                .Replace("1073339470", NewCustomer.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace(SteveLastnameson.Email, "ada.new@example.com", StringComparison.Ordinal)
                .Replace("+15142546011", "+15145550177", StringComparison.Ordinal), "wh-lock-order-new");
        }

        // The batch is claimed and waits for Steve's lock, which the push holds; then Shopify's answer reaches the push.
        var waiting = Locks.NextRequest(SyncLockKeys.Customer("uk", SteveLastnameson.CustomerId));
        var batch = RunAsync<InboundDeliveryHandler>();
        await waiting.WaitAsync(TimeSpan.FromSeconds(15));
        await Task.Delay(200);
        var released = Stopwatch.StartNew();
        Shopify.ReleaseAnswer();

        var finished = await Task.WhenAll(push, batch).WaitAsync(BothFinishWithin);
        released.Stop();

        Assert.Equal(1, finished[0]);
        Assert.Equal(withNewCustomerInTheRun ? 2 : 1, finished[1]);
        Assert.True(released.Elapsed < BothFinishWithin, $"Both finished {released.Elapsed} after Shopify answered.");
        var pushed = Assert.Single(await _site.WorkItemsAsync(q => q.Where(w => w.Kind == WorkKind.OutboundPush && w.Status == WorkStatus.Succeeded)));
        Assert.Equal(("updated", 1), (pushed.Outcome, pushed.Attempts));
        var delivered = Assert.Single(await _site.ItemsWithWebhookIdAsync("wh-lock-order-echo"));
        Assert.Equal((WorkStatus.Succeeded, "echo", 1), (delivered.Status, delivered.Outcome, delivered.Attempts));
        Assert.Equal(EditedMeanwhile, await PhoneAsync(steveId));
        if (withNewCustomerInTheRun)
        {
            Assert.Equal((WorkStatus.Succeeded, "created"), Assert.Single(await _site.ItemsWithWebhookIdAsync("wh-lock-order-new")) is var created ? (created.Status, created.Outcome) : default);
            Assert.NotNull(await _site.WithUsersAsync(users => users.FindByEmailAsync("ada.new@example.com")));
        }

        // The edit made meanwhile is Steve's to send next.
        Assert.Equal(1, await RunAsync<OutboundPushHandler>());
        Assert.Equal(EditedMeanwhile, _site.Shopify.Customers.Single(c => c.Id == SteveLastnameson.CustomerId).Profile.Phone);
        Assert.Equal(EditedMeanwhile, await PhoneAsync(steveId));
    }

    [Fact]
    public async Task An_administrators_link_holding_the_customers_lock_and_a_batch_about_the_customer_both_finish()
    {
        const long customerId = 6_200_000_002;
        var ada = new Microsoft.AspNetCore.Identity.IdentityUser { UserName = "ada.link@example.com", Email = "ada.link@example.com", EmailConfirmed = true };
        Assert.True((await _site.WithUsersAsync(users => users.CreateAsync(ada))).Succeeded);
        _site.Shopify.Seed(customerId, new CustomerProfile("Ada", "Lovelace", ada.Email, "+15145550144"), DateTimeOffset.Parse("2025-07-01T14:37:24-04:00", CultureInfo.InvariantCulture));

        // The administrator links Ada to the customer: the link reads the customer from Shopify under the customer's lock.
        Shopify.HoldNextRead();
        var link = LinkAsync(ada.Id, customerId);
        await Shopify.Answered.WaitAsync(TimeSpan.FromSeconds(15));

        // Meanwhile the customer changes their phone in Shopify; the batch is claimed and waits for the customer's lock.
        await PostAsync("customers/update", SteveJson
            .Replace("1073339470", customerId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace(SteveLastnameson.Email, ada.Email, StringComparison.Ordinal)
            .Replace("\"first_name\": \"Steve\"", "\"first_name\": \"Ada\"", StringComparison.Ordinal)
            .Replace("\"last_name\": \"Lastnameson\"", "\"last_name\": \"Lovelace\"", StringComparison.Ordinal)
            .Replace("\"updated_at\": \"2025-07-01T14:37:24-04:00\"", "\"updated_at\": \"2025-07-05T08:00:00-04:00\"", StringComparison.Ordinal)
            .Replace("+15142546011", "+15145550166", StringComparison.Ordinal), "wh-lock-order-admin-update");
        var waiting = Locks.NextRequest(SyncLockKeys.Customer("uk", customerId));
        var batch = RunAsync<InboundDeliveryHandler>();
        await waiting.WaitAsync(TimeSpan.FromSeconds(15));
        await Task.Delay(200);
        Shopify.ReleaseAnswer();

        await Task.WhenAll(link, batch).WaitAsync(BothFinishWithin);

        Assert.Equal((HttpStatusCode.OK, "linked"), await link);
        var delivered = Assert.Single(await _site.ItemsWithWebhookIdAsync("wh-lock-order-admin-update"));
        Assert.Equal((WorkStatus.Succeeded, "updated", 1), (delivered.Status, delivered.Outcome, delivered.Attempts));
        Assert.Equal("+15145550166", await PhoneAsync(ada.Id));
        Assert.Equal(ada.Id, delivered.UserId);
        await using var db = await _site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        Assert.Equal(ada.Id, (await db.Links.SingleAsync(l => l.StoreHandle == "uk" && l.CustomerId == customerId)).UserId);
    }

    private async Task<(HttpStatusCode Status, string? Outcome)> LinkAsync(string userId, long customerId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/!/shopify/admin/api/links?store=uk") { Content = System.Net.Http.Json.JsonContent.Create(new { userId, customerId }) };
        request.Headers.Add("X-Api-Key", TestSite.AdminKey);
        using var response = await _site.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return (response.StatusCode, json.RootElement.TryGetProperty("outcome", out var outcome) ? outcome.GetString() : body);
    }

    private async Task<int> RunAsync<THandler>()
        where THandler : IWorkItemHandler
    {
        var worker = ActivatorUtilities.CreateInstance<SyncWorker>(_site.Services, _site.Services.GetRequiredService<THandler>());
        return await worker.RunOnceAsync(CancellationToken.None);
    }

    private async Task PostAsync(string topic, string body, string webhookId)
    {
        var path = topic == "customers/create" ? "/!/shopify/webhook/customer/create" : "/!/shopify/webhook/customer/update";
        using var response = await _site.PostWebhookAsync(path, topic, Encoding.UTF8.GetBytes(body), webhookId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private Task SetPhoneAsync(string userId, string phone) => _site.WithUsersAsync(async users =>
    {
        var result = await users.SetPhoneNumberAsync((await users.FindByIdAsync(userId))!, phone);
        Assert.True(result.Succeeded);
        return result;
    });

    private Task<string?> PhoneAsync(string userId) => _site.WithUsersAsync(async users => (await users.FindByIdAsync(userId))!.PhoneNumber);

    /// <summary>
    /// Shopify's Admin API (the site's <see cref="FakeShopify"/>) with timestamps of second precision, as Shopify's; the next
    /// update can be held after Shopify has applied it and before the push gets the answer.
    /// </summary>
    private sealed class AnswerHeldShopify(FakeShopify inner) : IShopifyCustomerApi
    {
        private readonly TaskCompletionSource<ShopifyCustomer> _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _hold;
        private int _holdRead;

        public Task<ShopifyCustomer> Answered => _answered.Task;

        public void HoldNextAnswer() => Volatile.Write(ref _hold, 1);

        /// <summary>Holds the next customer read (an administrator's link reads the customer under its lock) until <see cref="ReleaseAnswer"/>.</summary>
        public void HoldNextRead() => Volatile.Write(ref _holdRead, 1);

        public void ReleaseAnswer() => _release.TrySetResult();

        public async Task<ShopifyCustomer?> GetCustomerAsync(ShopifyStore store, long customerId, CancellationToken cancellationToken)
        {
            var customer = await inner.GetCustomerAsync(store, customerId, cancellationToken);
            if (customer is not null && Interlocked.Exchange(ref _holdRead, 0) == 1)
            {
                _answered.TrySetResult(customer);
                await _release.Task;
            }

            return customer;
        }

        public Task<ShopifyCustomer?> FindCustomerByEmailAsync(ShopifyStore store, string email, CancellationToken cancellationToken) => inner.FindCustomerByEmailAsync(store, email, cancellationToken);

        public Task<ShopifyCustomer?> FindCustomerByPhoneAsync(ShopifyStore store, string e164Phone, CancellationToken cancellationToken) => inner.FindCustomerByPhoneAsync(store, e164Phone, cancellationToken);

        public Task<ShopifyCustomer> CreateCustomerAsync(ShopifyStore store, CustomerProfile profile, CancellationToken cancellationToken) => inner.CreateCustomerAsync(store, profile, cancellationToken);

        public async Task<ShopifyCustomer> UpdateCustomerAsync(ShopifyStore store, long customerId, CustomerProfile profile, ProfileFields fields, CancellationToken cancellationToken)
        {
            var updated = await inner.UpdateCustomerAsync(store, customerId, profile, fields, cancellationToken);
            var answer = updated with { UpdatedAt = DateTimeOffset.FromUnixTimeSeconds(updated.UpdatedAt.ToUnixTimeSeconds()) };
            inner.Seed(answer.Id, answer.Profile, answer.UpdatedAt);
            if (Interlocked.Exchange(ref _hold, 0) == 1)
            {
                _answered.TrySetResult(answer);
                await _release.Task;
            }

            return answer;
        }
    }

    /// <summary>The in-process lock, telling when someone next asks for a watched key.</summary>
    private sealed class WaitWatchingLock : ISyncLock
    {
        private readonly InProcessSyncLock _inner = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _watched = new(StringComparer.Ordinal);

        /// <summary>Completes when <paramref name="key"/> is next asked for (before the lock is given).</summary>
        public Task NextRequest(string key)
        {
            var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _watched[key] = next;
            return next.Task;
        }

        public ValueTask<IAsyncDisposable> AcquireAsync(string key, CancellationToken cancellationToken)
        {
            if (_watched.TryRemove(key, out var next))
            {
                next.TrySetResult();
            }

            return _inner.AcquireAsync(key, cancellationToken);
        }
    }
}
