using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.Backfill;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Reconciliation;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Operations;

/// <summary>
/// Bulk "Send to Shopify": a background job that queues a deliberate push of every user a <see cref="BulkSendFilter"/>
/// takes to one store, under the rules of every push (users whose email is not confirmed, and staff, are skipped and
/// counted with the reason), and follows the pushes to their outcomes. Like the import and the reconciliation it is one
/// job of the store at a time, with progress, and can be cancelled (pushes already queued still run).
/// </summary>
public sealed class BulkSendService : SyncJobService<BulkSendStatus>
{
    /// <summary>Most pushes of one bulk send queued and not yet finished at a time.</summary>
    public const int Window = 200;

    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<ShopifyBackfillOptions> _options;

    internal BulkSendService(StoreRegistry stores, SyncJobHost jobs, IServiceProvider services, IOptionsMonitor<ShopifyBackfillOptions> options)
        : base(BulkSendJob.Kind, stores, jobs)
    {
        _services = services;
        _options = options;
    }

    /// <summary>Starts sending the users the filter takes to the store and returns the job's status.</summary>
    /// <exception cref="AdminRequestException">Unknown store, no access token, or a site whose users cannot be listed (<c>users_not_listable</c>).</exception>
    /// <exception cref="AdminConflictException"><c>push_off</c> (sending is switched off) or <c>job_running</c> (a job of the store already runs).</exception>
    public async Task<BulkSendStatus> StartAsync(string? storeHandle, BulkSendFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var store = WithAccessToken(Stores.Resolve(storeHandle), "send users to it");
        var options = Stores.Options;
        if (!options.Enabled || !options.UpdateUsersInShopify)
        {
            throw new AdminConflictException("push_off", "Sending users to Shopify is off (Shopify:Enabled and Shopify:UpdateUsersInShopify must both be on).");
        }

        var catalog = _services.GetRequiredService<ISiteUserCatalog>();
        if (!catalog.CanList)
        {
            throw new AdminRequestException("users_not_listable", "The site's users cannot be listed: register the user store with UseIdentityUsers<TUser>() to send users in bulk.");
        }

        var normalized = filter with { Search = string.IsNullOrWhiteSpace(filter.Search) ? null : filter.Search.Trim() };
        var job = new BulkSendJob(
            store,
            options,
            normalized,
            _services.GetRequiredService<SyncDatabase>(),
            _services.GetRequiredService<IUserDirectory>(),
            catalog,
            _services.GetRequiredService<IOutboundSyncQueue>(),
            _services.GetRequiredService<TimeProvider>(),
            Window,
            Math.Clamp(_options.CurrentValue.ReportLimit, 1, 10_000));
        return await StartAsync(store, normalized, job, cancellationToken);
    }

    private protected override BulkSendStatus ToStatus(SyncJobInfo info)
    {
        var progress = info.LiveState as BulkSendProgress
            ?? (info.StateJson is null ? null : JsonSerializer.Deserialize<BulkSendProgress>(info.StateJson, SyncJobHost.Json))
            ?? new BulkSendProgress("starting", 0, 0, 0, 0, 0, 0, new Dictionary<string, long>(), []);
        var filter = (info.Parameters is null ? null : JsonSerializer.Deserialize<BulkSendFilter>(info.Parameters, SyncJobHost.Json)) ?? new BulkSendFilter();
        return new BulkSendStatus(info.Id, info.StoreHandle, info.Status, info.StartedAt, info.FinishedAt, info.HeartbeatAt, info.Error, filter, progress);
    }
}
