using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.AspNetCore.Reconciliation;

/// <summary>What a store's last completed reconciliation found, as the health check and the schedule overview read it.</summary>
/// <param name="Mismatches">The differences that count as drift (<see cref="ReconciliationDrift.Count"/>).</param>
/// <param name="Limit">The threshold exceeded, in words (<c>more than 10</c>); null when within the thresholds.</param>
public sealed record ReconciliationDriftStatus(
    string Store,
    string JobId,
    DateTimeOffset FinishedAt,
    long Mismatches,
    long ShopifyCustomers,
    ReconciliationCounts Counts,
    string? Limit);

/// <summary>
/// Drift: the mismatches of a reconciliation report that mean the site and Shopify went out of step – linked pairs whose
/// fields differ, links to a deleted customer or user, and (when <c>CreateUsersFromShopify</c> is on, so each customer
/// should have a user) customers without a user. Users without a customer are not drift: a site may have users who never
/// became customers. Compared with <c>Shopify:HealthMaxReconciliationDrift</c> (a count) and
/// <c>Shopify:HealthMaxReconciliationDriftShare</c> (a share of the store's Shopify customers).
/// </summary>
internal static class ReconciliationDrift
{
    private static readonly ConcurrentDictionary<string, ReconciliationCounts?> Read = new(StringComparer.Ordinal);

    public static long Count(ReconciliationCounts counts, ShopifySyncOptions sync)
        => counts.PairsWithDifferences + counts.LinksToMissingCustomers + counts.LinksToMissingUsers + (sync.CreateUsersFromShopify ? counts.CustomersWithoutUser : 0);

    /// <summary>The threshold the mismatches exceed, in words; null when they exceed none.</summary>
    public static string? Exceeded(long mismatches, long customers, ShopifyHostOptions options)
    {
        if (options.HealthMaxReconciliationDrift is { } max && mismatches > max)
        {
            return string.Create(CultureInfo.InvariantCulture, $"more than {max}");
        }

        if (options.HealthMaxReconciliationDriftShare is { } share && customers > 0 && (double)mismatches / customers > share)
        {
            return string.Create(CultureInfo.InvariantCulture, $"more than {share:0.##%} of {customers} Shopify customers");
        }

        return null;
    }

    /// <summary>How the counts read in a sentence: each kind of mismatch that counts.</summary>
    public static string Describe(ReconciliationCounts counts, ShopifySyncOptions sync)
    {
        var parts = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{counts.PairsWithDifferences} linked with different fields"),
            string.Create(CultureInfo.InvariantCulture, $"{counts.LinksToMissingCustomers} linked to a deleted customer"),
            string.Create(CultureInfo.InvariantCulture, $"{counts.LinksToMissingUsers} linked to a deleted user"),
        };
        if (sync.CreateUsersFromShopify)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{counts.CustomersWithoutUser} customers without a user"));
        }

        return string.Join(", ", parts);
    }

    /// <summary>Each store's newest reconciliation that finished (succeeded), manual or scheduled; stores without one are left out.</summary>
    public static async Task<IReadOnlyList<ReconciliationDriftStatus>> LatestAsync(
        ShopifySyncDbContext db,
        IReadOnlyList<string> handles,
        ShopifySyncOptions sync,
        ShopifyHostOptions options,
        CancellationToken cancellationToken)
    {
        var list = new List<ReconciliationDriftStatus>();
        foreach (var handle in handles)
        {
            var job = await db.Jobs.AsNoTracking()
                .Where(j => j.StoreHandle == handle && j.Kind == ReconciliationJob.Kind && j.Status == SyncJobStatus.Succeeded)
                .OrderByDescending(j => j.FinishedAt)
                .Select(j => new { j.Id, j.FinishedAt })
                .FirstOrDefaultAsync(cancellationToken);
            if (job is null)
            {
                continue;
            }

            // A finished report never changes: its counts are read once, not at every health probe.
            if (!Read.TryGetValue(job.Id, out var counts))
            {
                var state = await db.Jobs.AsNoTracking().Where(j => j.Id == job.Id).Select(j => j.State).FirstOrDefaultAsync(cancellationToken);
                counts = state is null ? null : ReadCounts(state);
                if (Read.Count > 1000)
                {
                    Read.Clear();
                }

                Read[job.Id] = counts;
            }

            if (counts is null)
            {
                continue;
            }

            var mismatches = Count(counts, sync);
            list.Add(new ReconciliationDriftStatus(
                handle,
                job.Id,
                UnixTime.To(job.FinishedAt ?? 0),
                mismatches,
                counts.ShopifyCustomers,
                counts,
                Exceeded(mismatches, counts.ShopifyCustomers, options)));
        }

        return list;
    }

    private static ReconciliationCounts? ReadCounts(string state)
    {
        try
        {
            using var document = JsonDocument.Parse(state);
            return document.RootElement.TryGetProperty("counts", out var counts)
                ? counts.Deserialize<ReconciliationCounts>(SyncJobHost.Json)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
