using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.Backfill;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Reconciliation;

/// <summary>
/// Compares a store's Shopify customers with the site's users and links (a background job with a report), and fixes
/// chosen differences in the direction <see cref="ReconciliationRules"/> gives (or the one an administrator chose).
/// Every fix looks at both sides again first, so a report that is out of date never causes a wrong change.
/// </summary>
public sealed class ReconciliationService : SyncJobService<ReconciliationStatus>
{
    /// <summary>Sync log topic of the fixes.</summary>
    public const string FixTopic = "reconcile/fix";

    /// <summary>Most items one fix request may carry.</summary>
    public const int MaxFixItems = 500;

    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<ShopifyBackfillOptions> _options;

    internal ReconciliationService(StoreRegistry stores, SyncJobHost jobs, IServiceProvider services, IOptionsMonitor<ShopifyBackfillOptions> options)
        : base(ReconciliationJob.Kind, stores, jobs)
    {
        _services = services;
        _options = options;
    }

    /// <summary>Starts comparing the store and returns the job's status.</summary>
    /// <exception cref="AdminRequestException">Unknown store or no access token.</exception>
    /// <exception cref="AdminConflictException"><c>job_running</c>: a job of the store already runs.</exception>
    public async Task<ReconciliationStatus> StartAsync(string? storeHandle, CancellationToken cancellationToken)
    {
        var store = WithAccessToken(Stores.Resolve(storeHandle), "compare its customers");
        return await StartAsync(store, null, CreateJob(store), cancellationToken);
    }

    /// <summary>Starts the scheduled comparison of the store (the same job; its parameters say it was scheduled).</summary>
    /// <exception cref="AdminConflictException"><c>job_running</c>: a job of the store already runs.</exception>
    internal Task<ReconciliationStatus> StartScheduledAsync(ShopifyStore store, CancellationToken cancellationToken)
        => StartAsync(WithAccessToken(store, "compare its customers"), new { scheduled = true }, CreateJob(store), cancellationToken);

    /// <summary>Fixes the chosen differences, one after another; each result says what was done or why not.</summary>
    /// <exception cref="AdminRequestException">Unknown store, or more than <see cref="MaxFixItems"/> items.</exception>
    public async Task<IReadOnlyList<ReconciliationFixResult>> FixAsync(string? storeHandle, IReadOnlyList<ReconciliationFixItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var store = Stores.Resolve(storeHandle);
        if (items.Count > MaxFixItems)
        {
            throw new AdminRequestException("too_many_items", $"At most {MaxFixItems} differences can be fixed in one request (got {items.Count}).");
        }

        var fixer = new ReconciliationFixer(
            store,
            Stores.Options,
            _services.GetRequiredService<ICustomerLinkStore>(),
            _services.GetRequiredService<IUserDirectory>(),
            _services.GetRequiredService<IShopifyCustomerApi>(),
            _services.GetRequiredService<InboundCustomerSync>(),
            _services.GetRequiredService<IOutboundSyncQueue>(),
            _services.GetRequiredService<ISyncLog>(),
            _services.GetRequiredService<CustomerViewCache>(),
            _services.GetRequiredService<TimeProvider>());
        var results = new List<ReconciliationFixResult>(items.Count);
        foreach (var item in items)
        {
            results.Add(await fixer.FixAsync(item, cancellationToken));
        }

        return results;
    }

    private ReconciliationJob CreateJob(ShopifyStore store) => new(
        store,
        Stores.Options,
        _services.GetRequiredService<BulkCustomerExport>(),
        _services.GetRequiredService<SyncDatabase>(),
        _services.GetRequiredService<IUserDirectory>(),
        _services.GetRequiredService<ISiteUserCatalog>(),
        Math.Clamp(_options.CurrentValue.ReportLimit, 1, 10_000));

    private protected override ReconciliationStatus ToStatus(SyncJobInfo info)
    {
        var report = info.LiveState as ReconciliationReport
            ?? (info.StateJson is null ? null : JsonSerializer.Deserialize<ReconciliationReport>(info.StateJson, SyncJobHost.Json))
            ?? new ReconciliationReport("starting", 0, null, new ReconciliationCounts(0, 0, 0, 0, 0, null, null, null, 0, new Dictionary<string, long>()), [], false);
        return new ReconciliationStatus(info.Id, info.StoreHandle, info.Status, info.StartedAt, info.FinishedAt, info.HeartbeatAt, info.Error, report);
    }
}
