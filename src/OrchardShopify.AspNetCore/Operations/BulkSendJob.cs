using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Reconciliation;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Operations;

/// <summary>
/// Sends the users a filter takes to one store: reads the site's users a page at a time (never all at once), skips
/// those <see cref="CustomerMatching.WhyNotPushed"/> refuses, queues a deliberate push
/// (<see cref="DurableOutboundQueue.SendTopic"/>) for each of the others, and follows the queued pushes until each
/// has its outcome. At most <c>window</c> pushes are outstanding at a time, so the queue is fed as fast as the
/// outbound workers drain it. Memory: one page of users and the outstanding pushes' ids.
/// </summary>
internal sealed class BulkSendJob(
    ShopifyStore store,
    ShopifySyncOptions options,
    BulkSendFilter filter,
    SyncDatabase database,
    IUserDirectory users,
    ISiteUserCatalog catalog,
    IOutboundSyncQueue outbound,
    TimeProvider time,
    int window,
    int noteLimit) : ISyncJob
{
    public const string Kind = "send";

    internal const int PageSize = 200;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly ConcurrentQueue<BulkSendUserNote> _notes = new();
    private readonly ConcurrentDictionary<string, long> _skippedByReason = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string> _outstanding = [];
    private volatile string _stage = "starting";
    private long _scanned;
    private long _matched;
    private long _queued;
    private long _done;
    private long _failed;
    private long _skipped;
    private long _noted;

    public object Snapshot() => Progress();

    public async Task<object> RunAsync(CancellationToken cancellationToken)
    {
        _stage = "queuing";
        var search = string.IsNullOrWhiteSpace(filter.Search) ? null : filter.Search.Trim();
        string? after = null;
        while (true)
        {
            var page = await catalog.ListUserIdPageAsync(after, PageSize, cancellationToken);
            if (page.Count == 0)
            {
                break;
            }

            after = page[^1];
            var linked = await LinkedInStoreAsync(page, cancellationToken);
            foreach (var userId in page)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Interlocked.Increment(ref _scanned);
                if (await users.FindByIdAsync(userId, cancellationToken) is not { } user || !Matches(user, search, linked.Contains(userId)))
                {
                    continue;
                }

                Interlocked.Increment(ref _matched);
                if (CustomerMatching.WhyNotPushed(user, options) is { } refusal)
                {
                    // Same rule as every automatic push: an identity the site has not verified is never sent.
                    Interlocked.Increment(ref _skipped);
                    _skippedByReason.AddOrUpdate(refusal.Code, 1, (_, n) => n + 1);
                    Note(new BulkSendUserNote(user.Id, refusal.Code, refusal.Message));
                    continue;
                }

                await outbound.EnqueueAsync(new OutboundPush(user.Id, store.Handle, time.GetUtcNow(), Deliberate: true), cancellationToken);
                _outstanding[await QueuedItemAsync(user.Id, cancellationToken)] = user.Id;
                Interlocked.Increment(ref _queued);
                while (_outstanding.Count >= window)
                {
                    await Task.Delay(PollInterval, time, cancellationToken);
                    await CollectOutcomesAsync(cancellationToken);
                }
            }

            await CollectOutcomesAsync(cancellationToken);
        }

        _stage = "waiting";
        while (_outstanding.Count > 0)
        {
            await Task.Delay(PollInterval, time, cancellationToken);
            await CollectOutcomesAsync(cancellationToken);
        }

        _stage = "finished";
        return Progress();
    }

    internal static bool Matches(SyncUser user, string? search, bool linked, BulkSendFilter filter)
    {
        if (filter.Confirmed is { } confirmed && user.EmailConfirmed != confirmed)
        {
            return false;
        }

        if (filter.Linked is { } wantLinked && linked != wantLinked)
        {
            return false;
        }

        return search is null
            || new[] { user.Email, user.FirstName, user.LastName, user.DisplayName, $"{user.FirstName} {user.LastName}" }
                .Any(value => value?.Contains(search, StringComparison.OrdinalIgnoreCase) == true);
    }

    private bool Matches(SyncUser user, string? search, bool linked) => Matches(user, search, linked, filter);

    private async Task<HashSet<string>> LinkedInStoreAsync(IReadOnlyList<string> page, CancellationToken cancellationToken)
    {
        var ids = page.ToList();
        await using var db = await database.OpenAsync(cancellationToken);
        var linked = await db.Links.AsNoTracking()
            .Where(l => l.StoreHandle == store.Handle && ids.Contains(l.UserId))
            .Select(l => l.UserId)
            .ToListAsync(cancellationToken);
        return linked.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// The work item that carries the push just queued: the newest push of the user to the store (a push still waiting
    /// was reused for it, and one queued after it sends the same user's latest state).
    /// </summary>
    private async Task<long> QueuedItemAsync(string userId, CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        return await db.WorkItems.AsNoTracking()
            .Where(w => w.Kind == WorkKind.OutboundPush && w.StoreHandle == store.Handle && w.UserId == userId)
            .OrderByDescending(w => w.Id)
            .Select(w => w.Id)
            .FirstAsync(cancellationToken);
    }

    private async Task CollectOutcomesAsync(CancellationToken cancellationToken)
    {
        if (_outstanding.Count == 0)
        {
            return;
        }

        var ids = _outstanding.Keys.ToList();
        List<(long Id, WorkStatus Status, string? Outcome, string? LastError)> finished;
        await using (var db = await database.OpenAsync(cancellationToken))
        {
            finished = (await db.WorkItems.AsNoTracking()
                    .Where(w => ids.Contains(w.Id) && (w.Status == WorkStatus.Succeeded || w.Status == WorkStatus.DeadLetter))
                    .Select(w => new { w.Id, w.Status, w.Outcome, w.LastError })
                    .ToListAsync(cancellationToken))
                .Select(w => (w.Id, w.Status, w.Outcome, w.LastError))
                .ToList();
        }

        foreach (var item in finished)
        {
            var userId = _outstanding[item.Id];
            _outstanding.Remove(item.Id);
            if (item.Status == WorkStatus.DeadLetter)
            {
                Interlocked.Increment(ref _failed);
                Note(new BulkSendUserNote(userId, "deadletter", item.LastError ?? "The push failed; see the dead letters."));
            }
            else if (item.Outcome is "rejected" or "validationfailed" or "skipped")
            {
                Interlocked.Increment(ref _failed);
                Note(new BulkSendUserNote(userId, item.Outcome, $"The push ended as '{item.Outcome}'; the sync log of user {userId} says why."));
            }
            else
            {
                Interlocked.Increment(ref _done);
            }
        }
    }

    private void Note(BulkSendUserNote note)
    {
        if (Interlocked.Increment(ref _noted) <= noteLimit)
        {
            _notes.Enqueue(note);
        }
    }

    private BulkSendProgress Progress() => new(
        _stage,
        Interlocked.Read(ref _scanned),
        Interlocked.Read(ref _matched),
        Interlocked.Read(ref _queued),
        Interlocked.Read(ref _done),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _skipped),
        new Dictionary<string, long>(_skippedByReason, StringComparer.Ordinal),
        [.. _notes]);
}
