using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.Core.Configuration;
using OrchardShopify.Core.ShopifyApi;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Backfill;

/// <summary>
/// Streams a store's customers from Shopify and applies each with the inbound rules of webhooks
/// (<see cref="InboundCustomerSync.ApplyCustomerStateAsync"/>). Memory is bounded whatever the store's size: the
/// export is read row by row into a small channel that a few appliers drain, and only counters are kept.
/// </summary>
internal sealed class CustomerImportJob(
    ShopifyStore store,
    CustomerImportMode mode,
    DateTimeOffset? since,
    BulkCustomerExport export,
    ShopifyCustomerClient customers,
    InboundCustomerSync inbound,
    CustomerViewCache cache,
    SyncDatabase database,
    ShopifyBackfillOptions options,
    TimeProvider time) : ISyncJob
{
    public const string Kind = "import";

    /// <summary>Sync log topic of the changes an import made.</summary>
    public const string LogTopic = "import/customers";

    private readonly ImportProgress _progress = new();

    public object Snapshot() => _progress.Snapshot();

    public async Task<object> RunAsync(CancellationToken cancellationToken)
    {
        using var pipeline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<ShopifyCustomer>(new BoundedChannelOptions(256) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        await using var log = new SyncLogBatch(database);
        Exception? fatal = null;

        var producer = Task.Run(
            async () =>
            {
                try
                {
                    await foreach (var customer in ReadAsync(pipeline.Token))
                    {
                        await channel.Writer.WriteAsync(customer, pipeline.Token);
                    }

                    channel.Writer.TryComplete();
                }
                catch (Exception ex)
                {
                    channel.Writer.TryComplete(ex);
                    throw;
                }
            },
            CancellationToken.None);

        var appliers = Enumerable.Range(0, Math.Clamp(options.Parallelism, 1, 32)).Select(_ => Task.Run(
            async () =>
            {
                await foreach (var customer in channel.Reader.ReadAllAsync(pipeline.Token))
                {
                    await ApplyAsync(customer, log, pipeline.Token);
                    if (_progress.ConsecutiveFailures >= options.MaxConsecutiveFailures && fatal is null)
                    {
                        fatal = new InvalidOperationException($"Stopped after {_progress.ConsecutiveFailures} customers in a row failed; see the failures for the cause.");
                        await pipeline.CancelAsync();
                    }
                }
            },
            CancellationToken.None)).ToArray();

        try
        {
            await Task.WhenAll([producer, .. appliers]);
        }
        catch (OperationCanceledException) when (fatal is not null && !cancellationToken.IsCancellationRequested)
        {
            // The appliers stopped the pipeline; the reason is thrown below.
        }
        finally
        {
            await log.FlushAsync(CancellationToken.None);
        }

        if (fatal is not null)
        {
            throw fatal;
        }

        _progress.Stage = "finished";
        return _progress.Snapshot();
    }

    private async IAsyncEnumerable<ShopifyCustomer> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (mode == CustomerImportMode.Changed)
        {
            _progress.Stage = "applying";
            await foreach (var customer in customers.GetCustomersUpdatedSinceAsync(store, since ?? DateTimeOffset.UnixEpoch, cancellationToken))
            {
                yield return customer;
            }

            yield break;
        }

        _progress.Stage = "exporting";
        var id = await export.StartAsync(store, BulkCustomerFields.Profiles, cancellationToken);
        var operation = await export.WaitForCompletionAsync(store, id, cancellationToken);
        _progress.SetTotal(operation.RootObjectCount);
        _progress.Stage = "applying";
        if (operation.Url is null)
        {
            // Shopify gives no file when the store has no customers.
            yield break;
        }

        await foreach (var row in export.ReadAsync(store, operation.Url, cancellationToken))
        {
            if (row is BulkCustomerRow customer)
            {
                yield return customer.Customer;
            }
        }
    }

    private async Task ApplyAsync(ShopifyCustomer customer, SyncLogBatch log, CancellationToken cancellationToken)
    {
        InboundResult result;
        try
        {
            result = await inbound.ApplyCustomerStateAsync(store, customer, force: false, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // One customer's failure is counted and shown; the import goes on with the next.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _progress.RecordFailure(ex, customer.Id);
            await log.AddAsync(LogRow(customer.Id, null, "failed", $"{ex.GetType().Name}: {ex.Message}"), cancellationToken);
            return;
        }

        _progress.Record(result, customer.Id);
        if (result.Outcome == InboundOutcome.Updated)
        {
            // Shopify has newer data than was applied: a cached customer page is out of date, as after a webhook.
            cache.Invalidate(store.Handle, customer.Id);
        }

        if (result.Outcome is InboundOutcome.Created or InboundOutcome.Linked or InboundOutcome.Updated or InboundOutcome.Skipped)
        {
            await log.AddAsync(LogRow(customer.Id, result.UserId, InboundResult.OutcomeName(result.Outcome), result.Detail), cancellationToken);
        }
    }

    private SyncLogRow LogRow(long customerId, string? userId, string outcome, string? detail) => new()
    {
        At = UnixTime.From(time.GetUtcNow()),
        Direction = "inbound",
        StoreHandle = store.Handle,
        Topic = LogTopic,
        CustomerId = customerId,
        UserId = userId,
        Outcome = outcome,
        Detail = detail is { Length: > 2000 } ? detail[..2000] : detail,
    };
}
