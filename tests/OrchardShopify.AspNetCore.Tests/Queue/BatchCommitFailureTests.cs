using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Workers;

namespace OrchardShopify.AspNetCore.Tests.Queue;

/// <summary>
/// A batch whose sync transaction cannot commit, after the users' transaction has (the two SQLite files commit one
/// after the other): its items are failed once the batch has ended (or failed to end), and retried. The worker is driven
/// by hand.
/// </summary>
#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class BatchCommitFailureTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private const long Customer = 6_200_000_001;
    private const string Email = "commit-failure@example.com";
    private const string NormalizedEmail = "COMMIT-FAILURE@EXAMPLE.COM";
    private const string WebhookId = "wh-commit-failure";
    private readonly FailingCommits _commits = new();
    private readonly FakeLogCollector _logs = new();
    private TestSite _site = null!;

    public async Task InitializeAsync() => _site = await TestSite.StartAsync(
        s => s["Shopify:Queue:WorkersEnabled"] = "false",
        configureServices: services =>
        {
            services.ConfigureDbContext<ShopifySyncDbContext>(o => o.AddInterceptors(_commits));
            services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(_logs)).AddFilter<FakeLoggerProvider>(typeof(InboundBatchProcessor).Namespace, LogLevel.Warning));
        });

    public async Task DisposeAsync() => await _site.DisposeAsync();

    [Fact]
    public async Task A_delivery_whose_sync_commit_fails_after_its_user_was_stored_is_failed_then_retried_and_links_that_user()
    {
        await PostDeliveryAsync();

        // The next commit of the sync database fails: the batch's, once the users' transaction has committed its user.
        _commits.FailNext(1);
        Assert.Equal(1, await RunWorkerOnceAsync());

        // The failure is recorded on the item and in the log: the batch had ended (rolled back, its lock and turn given
        // up) before its items were failed, so those writes did not wait for the batch's own transaction.
        await AssertFailedOnceAsync();

        // The retry finds the user the failed attempt stored, and links it: no second user.
        await AssertRetryLinksStoredUserAsync();
    }

    [Fact]
    public async Task A_batch_that_cannot_be_ended_after_its_commit_failed_still_fails_its_item_gives_up_its_turn_and_says_so()
    {
        await PostDeliveryAsync();

        // The batch's commit fails, and so does its rollback, as with a connection lost in between: ending the batch
        // throws. (Disposing the transaction still ends it in SQLite.)
        _commits.FailNext(1);
        _commits.FailNextRollback();
        Assert.Equal(1, await RunWorkerOnceAsync());

        // Its item is failed all the same, with the commit's error, and logged; nothing links.
        await AssertFailedOnceAsync();

        // Said as a warning, with the rollback's error.
        var notEnded = Assert.Single(_logs.GetSnapshot(), r => r.Message.Contains("could not be ended cleanly", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, notEnded.Level);
        Assert.Equal(FailingCommits.RollbackMessage, notEnded.Exception?.Message);

        // Its turn at the write lock was given up: the next writer gets it at once.
        var turn = _site.Services.GetRequiredService<SyncDatabase>().TakeWriteTurnAsync(CancellationToken.None).AsTask();
        (await turn.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();

        // And its customer's lock: the retry finds the user the failed attempt stored, and links it.
        await AssertRetryLinksStoredUserAsync();

        // The sync's only error: the transaction's failure (its item is retried).
        var error = Assert.Single(_logs.GetSnapshot(), r => r.Level >= LogLevel.Error && r.Category?.StartsWith("OrchardShopify", StringComparison.Ordinal) == true);
        Assert.Contains("none of them was stored", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A signed customers/create of a new customer, acknowledged.</summary>
    private async Task PostDeliveryAsync()
    {
        var body = Encoding.UTF8.GetString(TestSite.Payload("customers-create-steve-lastnameson.json"))
            .Replace("1073339470", Customer.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("steve.lastnameson@example.com", Email, StringComparison.Ordinal);
        using var response = await _site.PostWebhookAsync("/!/shopify/webhook/customer/create", "customers/create", Encoding.UTF8.GetBytes(body), WebhookId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>The delivery's item failed once with the commit's error, to be retried, its failure logged, and nothing linked.</summary>
    private async Task AssertFailedOnceAsync()
    {
        var failed = Assert.Single(await _site.ItemsWithWebhookIdAsync(WebhookId));
        Assert.Equal((WorkStatus.Pending, 1), (failed.Status, failed.Attempts));
        Assert.Contains(FailingCommits.Message, failed.LastError, StringComparison.Ordinal);
        await using var db = await _site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None);
        Assert.Single(await db.SyncLog.Where(l => l.WebhookId == WebhookId && l.Outcome == "failed").ToListAsync());
        Assert.Equal(0, await db.Links.CountAsync());
    }

    /// <summary>The user the failed attempt stored is there; the retry finds and links it: no second user, its shopify_id stored.</summary>
    private async Task AssertRetryLinksStoredUserAsync()
    {
        var stored = await _site.WithUsersAsync(users => users.FindByEmailAsync(Email));
        Assert.NotNull(stored);
        var userId = stored.Id;
        await TestSite.EventuallyAsync(async () => await RunWorkerOnceAsync() == 1, "the retry is due");
        var retried = Assert.Single(await _site.ItemsWithWebhookIdAsync(WebhookId));
        Assert.Equal((WorkStatus.Succeeded, 2), (retried.Status, retried.Attempts));
        Assert.Equal(1, await _site.WithUsersAsync(users => users.Users.CountAsync(u => u.NormalizedEmail == NormalizedEmail)));
        await using (var db = await _site.Services.GetRequiredService<SyncDatabase>().OpenAsync(CancellationToken.None))
        {
            var link = Assert.Single(await db.Links.AsNoTracking().ToListAsync());
            Assert.Equal((Customer, userId), (link.CustomerId, link.UserId));
        }

        var claims = await _site.WithUsersAsync(async users => await users.GetClaimsAsync((await users.FindByIdAsync(userId))!));
        Assert.Equal(Customer.ToString(CultureInfo.InvariantCulture), Assert.Single(claims, c => c.Type == "shopify_id").Value);
    }

    private async Task<int> RunWorkerOnceAsync()
    {
        var worker = ActivatorUtilities.CreateInstance<SyncWorker>(_site.Services, _site.Services.GetRequiredService<InboundDeliveryHandler>());
        return await worker.RunOnceAsync(CancellationToken.None);
    }

    /// <summary>Fails the sync database's next commits, as a full disk would, and its next rollback, as a lost connection would.</summary>
    private sealed class FailingCommits : DbTransactionInterceptor
    {
        public const string Message = "The sync database could not commit (disk full).";
        private int _remaining;

        public const string RollbackMessage = "The sync database's connection was lost.";
        private int _rollbacks;

        public void FailNext(int count) => Volatile.Write(ref _remaining, count);

        public void FailNextRollback() => Volatile.Write(ref _rollbacks, 1);

        public override ValueTask<InterceptionResult> TransactionRollingBackAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
            => Interlocked.Exchange(ref _rollbacks, 0) == 1
                ? throw new InvalidOperationException(RollbackMessage)
                : base.TransactionRollingBackAsync(transaction, eventData, result, cancellationToken);

        public override ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
            => Interlocked.Decrement(ref _remaining) >= 0
                ? throw new InvalidOperationException(Message)
                : base.TransactionCommittingAsync(transaction, eventData, result, cancellationToken);
    }
}
