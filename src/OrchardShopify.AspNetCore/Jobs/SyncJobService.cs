using OrchardShopify.AspNetCore.Admin;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.AspNetCore.Jobs;

/// <summary>
/// A store's background job as an administrator drives it: start (one job per store at a time), read the status of one
/// job or of the store's newest, cancel, wait. The import and the reconciliation are both this shape; each says what
/// its job is, what it needs before it starts, and how its status reads.
/// </summary>
/// <typeparam name="TStatus">The job's status as the admin JSON and pages show it.</typeparam>
public abstract class SyncJobService<TStatus>
    where TStatus : class
{
    private readonly string _kind;

    private protected SyncJobService(string kind, StoreRegistry stores, SyncJobHost jobs)
    {
        _kind = kind;
        Stores = stores;
        Jobs = jobs;
    }

    private protected StoreRegistry Stores { get; }

    private protected SyncJobHost Jobs { get; }

    /// <summary>The job with the id; null when there is none of this kind.</summary>
    public async Task<TStatus?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        var info = await Jobs.GetAsync(jobId, cancellationToken);
        return info is null || info.Kind != _kind ? null : ToStatus(info);
    }

    /// <summary>The store's newest job of this kind, running or finished; null when it never had one.</summary>
    /// <exception cref="AdminRequestException"><c>unknown_store</c>.</exception>
    public async Task<TStatus?> GetLatestAsync(string? storeHandle, CancellationToken cancellationToken)
    {
        var store = Stores.Resolve(storeHandle);
        var info = await Jobs.LatestAsync(store.Handle, _kind, cancellationToken);
        return info is null ? null : ToStatus(info);
    }

    /// <summary>
    /// Asks a running job of this kind to stop; what it did stays done. False when it is not running, or is a job of
    /// another kind (an import's cancel never stops a bulk send that has the id).
    /// </summary>
    public async Task<bool> CancelAsync(string jobId, CancellationToken cancellationToken)
        => (await Jobs.GetAsync(jobId, cancellationToken))?.Kind == _kind && await Jobs.CancelAsync(jobId, cancellationToken);

    /// <summary>Waits until a job running on this node has finished.</summary>
    public Task WaitAsync(string jobId) => Jobs.WaitAsync(jobId);

    /// <summary>The store, when it has an access token (the jobs read the store's customers).</summary>
    /// <exception cref="AdminRequestException"><c>no_access_token</c>, saying what the token is needed <paramref name="for"/>.</exception>
    private protected static ShopifyStore WithAccessToken(ShopifyStore store, string @for)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!store.CanCallAdminApi)
        {
            throw new AdminRequestException("no_access_token", $"Store '{store.Handle}' has no access token; set Shopify:Stores:{store.Handle}:AccessToken to {@for}.");
        }

        return store;
    }

    /// <summary>Starts the job for the store and returns its status.</summary>
    /// <exception cref="AdminConflictException"><c>job_running</c>: another job of the store runs; the message names it.</exception>
    private protected async Task<TStatus> StartAsync(ShopifyStore store, object? parameters, ISyncJob job, CancellationToken cancellationToken)
    {
        string id;
        try
        {
            id = await Jobs.StartAsync(_kind, store.Handle, parameters, job, cancellationToken);
        }
        catch (SyncJobConflictException conflict)
        {
            throw new AdminConflictException("job_running", conflict.Message, conflict);
        }

        return (await GetAsync(id, cancellationToken))!;
    }

    /// <summary>The status of a job of this kind, from what the job host stored (and the live state while it runs here).</summary>
    private protected abstract TStatus ToStatus(SyncJobInfo info);
}
