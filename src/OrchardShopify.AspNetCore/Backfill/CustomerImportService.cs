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
public sealed class CustomerImportService
{
    private readonly StoreRegistry _stores;
    private readonly SyncJobHost _jobs;
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<ShopifyBackfillOptions> _options;

    internal CustomerImportService(StoreRegistry stores, SyncJobHost jobs, IServiceProvider services, IOptionsMonitor<ShopifyBackfillOptions> options)
    {
        _stores = stores;
        _jobs = jobs;
        _services = services;
        _options = options;
    }

    /// <summary>Starts an import of the store and returns its status.</summary>
    /// <exception cref="AdminRequestException">Unknown store, no access token, inbound sync off, nothing to import since, or a job already runs (409).</exception>
    public async Task<CustomerImportStatus> StartAsync(string? storeHandle, CustomerImportRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var store = ResolveStore(storeHandle);
        var sync = _stores.Options;
        if (!sync.Enabled || !sync.InboundEnabled)
        {
            throw new AdminRequestException("inbound_off", "Inbound sync is turned off (Shopify:Enabled / Shopify:InboundEnabled); turn it on to import customers.");
        }

        if (!store.CanCallAdminApi)
        {
            throw new AdminRequestException("no_access_token", $"Store '{store.Handle}' has no access token; set Shopify:Stores:{store.Handle}:AccessToken to import its customers.");
        }

        var since = request.Since;
        if (request.Mode == CustomerImportMode.Changed && since is null)
        {
            var last = await _jobs.LatestSucceededAsync(store.Handle, CustomerImportJob.Kind, cancellationToken)
                ?? throw new AdminRequestException("no_previous_import", $"Store '{store.Handle}' has no successful import to continue from; give 'since' or import all customers.");

            // Start before the last import began: changes made while it ran, and clock differences with Shopify, are
            // covered; applying a customer again is harmless.
            since = last.StartedAt - TimeSpan.FromMinutes(1);
        }

        var job = new CustomerImportJob(
            store,
            request.Mode,
            since,
            _services.GetRequiredService<BulkCustomerExport>(),
            _services.GetRequiredService<ShopifyCustomerClient>(),
            _services.GetRequiredService<InboundCustomerSync>(),
            _services.GetRequiredService<CustomerViewCache>(),
            _services.GetRequiredService<SyncDatabase>(),
            _services.GetRequiredService<IUserDirectory>(),
            _options.CurrentValue,
            _services.GetRequiredService<TimeProvider>());
        string id;
        try
        {
            id = await _jobs.StartAsync(CustomerImportJob.Kind, store.Handle, new ImportParameters(request.Mode, since), job, cancellationToken);
        }
        catch (SyncJobConflictException conflict)
        {
            throw new AdminRequestException("job_running", conflict.Message, 409);
        }

        return (await GetAsync(id, cancellationToken))!;
    }

    public async Task<CustomerImportStatus?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        var info = await _jobs.GetAsync(jobId, cancellationToken);
        return info is null || info.Kind != CustomerImportJob.Kind ? null : ToStatus(info);
    }

    /// <summary>The store's newest import, running or finished; null when it never had one.</summary>
    public async Task<CustomerImportStatus?> GetLatestAsync(string? storeHandle, CancellationToken cancellationToken)
    {
        var store = ResolveStore(storeHandle);
        var info = await _jobs.LatestAsync(store.Handle, CustomerImportJob.Kind, cancellationToken);
        return info is null ? null : ToStatus(info);
    }

    /// <summary>Asks a running import to stop; what was applied stays applied. False when it is not running.</summary>
    public Task<bool> CancelAsync(string jobId, CancellationToken cancellationToken) => _jobs.CancelAsync(jobId, cancellationToken);

    /// <summary>Waits until an import running on this node has finished.</summary>
    public Task WaitAsync(string jobId) => _jobs.WaitAsync(jobId);

    private ShopifyStore ResolveStore(string? handle)
    {
        if (string.IsNullOrWhiteSpace(handle) && _stores.Stores.Count == 1)
        {
            return _stores.Stores[0];
        }

        return _stores.FindByHandle(handle) ?? throw AdminRequestException.UnknownStore(handle, _stores.Stores.Select(s => s.Handle));
    }

    private static CustomerImportStatus ToStatus(SyncJobInfo info)
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
