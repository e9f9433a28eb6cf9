using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.Ports;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Backfill;

/// <summary>
/// "Sync now": imports a store's Shopify customers in the background with the inbound rules of webhooks (so it is
/// safe to repeat), with live progress, a final summary and cancel. One job per store at a time.
/// </summary>
public sealed class CustomerImportService : SyncJobService<CustomerImportStatus>
{
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<ShopifyBackfillOptions> _options;

    internal CustomerImportService(StoreRegistry stores, SyncJobHost jobs, IServiceProvider services, IOptionsMonitor<ShopifyBackfillOptions> options)
        : base(CustomerImportJob.Kind, stores, jobs)
    {
        _services = services;
        _options = options;
    }

    /// <summary>Starts an import of the store and returns its status.</summary>
    /// <exception cref="AdminRequestException">Unknown store, no access token, inbound sync off, nothing to import since.</exception>
    /// <exception cref="AdminConflictException"><c>job_running</c>: a job of the store already runs.</exception>
    public async Task<CustomerImportStatus> StartAsync(string? storeHandle, CustomerImportRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var store = Stores.Resolve(storeHandle);
        var sync = Stores.Options;
        if (!sync.Enabled || !sync.InboundEnabled)
        {
            throw new AdminRequestException("inbound_off", "Inbound sync is turned off (Shopify:Enabled / Shopify:InboundEnabled); turn it on to import customers.");
        }

        WithAccessToken(store, "import its customers");
        var since = request.Since;
        if (request.Mode == CustomerImportMode.Changed && since is null)
        {
            var last = await Jobs.LatestSucceededAsync(store.Handle, CustomerImportJob.Kind, cancellationToken)
                ?? throw new AdminRequestException("no_previous_import", $"Store '{store.Handle}' has no successful import to continue from; give 'since' or import all customers.");

            // Start before the last import began: changes made while it ran, and clock differences with Shopify, are
            // covered; applying a customer again is harmless.
            since = last.StartedAt - TimeSpan.FromMinutes(1);
        }

        var job = CustomerImportJob.Create(_services, store, request.Mode, since, _options.CurrentValue);
        return await StartAsync(store, new ImportParameters(request.Mode, since), job, cancellationToken);
    }

    private protected override CustomerImportStatus ToStatus(SyncJobInfo info)
    {
        var parameters = info.Parameters is null ? null : JsonSerializer.Deserialize<ImportParameters>(info.Parameters, SyncJobHost.Json);
        var progress = info.LiveState as CustomerImportSummary
            ?? (info.StateJson is null ? null : JsonSerializer.Deserialize<CustomerImportSummary>(info.StateJson, SyncJobHost.Json))
            ?? CustomerImportSummary.Empty;
        return new CustomerImportStatus(
            info.Id,
            info.StoreHandle,
            parameters?.Mode ?? CustomerImportMode.All,
            parameters?.Since,
            info.Status,
            info.StartedAt,
            info.FinishedAt,
            info.HeartbeatAt,
            info.Error,
            progress);
    }

    private sealed record ImportParameters(CustomerImportMode Mode, DateTimeOffset? Since);
}
