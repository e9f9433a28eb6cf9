using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Text.Json;
using OrchardShopify.Core.Configuration;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>A row of a bulk customer export, in file order.</summary>
/// <remarks>
/// Rows are streamed as separate kinds rather than nested: the export runs with <c>groupObjects: false</c> (Shopify's
/// faster mode), in which an address row need not follow its customer, so attaching children would mean holding
/// customers in memory. Consumers join <see cref="BulkCustomerAddressRow.CustomerId"/> to the customer themselves.
/// </remarks>
internal abstract record BulkExportRow;

internal sealed record BulkCustomerRow(
    ShopifyCustomer Customer,
    string? Note,
    string? State,
    long NumberOfOrders,
    DateTimeOffset? CreatedAt) : BulkExportRow;

/// <summary>An address of the customer <see cref="CustomerId"/> (the row's <c>__parentId</c>).</summary>
internal sealed record BulkCustomerAddressRow(long CustomerId, ShopifyMailingAddress Address) : BulkExportRow;

internal enum BulkOperationState
{
    Created,
    Running,
    Completed,
    Failed,
    Canceling,
    Canceled,
    Expired,
}

/// <summary>A bulk operation as <c>bulkOperation(id)</c> reports it.</summary>
internal sealed record ShopifyBulkOperation(string Id, BulkOperationState Status, string? ErrorCode, long ObjectCount, Uri? Url, Uri? PartialDataUrl)
{
    /// <summary>Top-level objects (customers) in the result, without their nested rows.</summary>
    public long RootObjectCount { get; init; }
}

/// <summary>What a bulk customer export holds.</summary>
internal enum BulkCustomerFields
{
    /// <summary>Customers with note, state, order count and addresses (address rows follow as <see cref="BulkCustomerAddressRow"/>).</summary>
    Full,

    /// <summary>Only what the inbound sync applies: id, names, email, phone, updatedAt. One row per customer.</summary>
    Profiles,
}

/// <summary>
/// Exports every customer with a bulk operation: start it, poll its status with backoff, then stream the JSONL result
/// one row at a time. Memory stays bounded by the read buffer and the longest line, whatever the store's size.
/// </summary>
internal sealed class BulkCustomerExport
{
    private readonly ShopifyAdminClient _client;
    private readonly TimeProvider _timeProvider;

    public BulkCustomerExport(ShopifyAdminClient client, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _client = client;
        _timeProvider = timeProvider;
    }

    /// <summary>Runs the export and streams its rows. Fails when the operation fails, is canceled or expires.</summary>
    public IAsyncEnumerable<BulkExportRow> ExportAsync(ShopifyStore store, CancellationToken cancellationToken)
        => ExportAsync(store, BulkCustomerFields.Full, cancellationToken);

    /// <summary>Runs the export of <paramref name="fields"/> and streams its rows.</summary>
    public async IAsyncEnumerable<BulkExportRow> ExportAsync(ShopifyStore store, BulkCustomerFields fields, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var id = await StartAsync(store, fields, cancellationToken).ConfigureAwait(false);
        var operation = await WaitForCompletionAsync(store, id, cancellationToken).ConfigureAwait(false);
        if (operation.Url is null)
        {
            // Shopify gives no file when the query matched nothing.
            yield break;
        }

        await foreach (var row in ReadAsync(store, operation.Url, cancellationToken).ConfigureAwait(false))
        {
            yield return row;
        }
    }

    public Task<string> StartAsync(ShopifyStore store, CancellationToken cancellationToken)
        => StartAsync(store, BulkCustomerFields.Full, cancellationToken);

    /// <summary>Starts the export of <paramref name="fields"/>; returns the bulk operation's id.</summary>
    public Task<string> StartAsync(ShopifyStore store, BulkCustomerFields fields, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var query = fields == BulkCustomerFields.Profiles ? ShopifyDocument.BulkCustomerProfilesExport : ShopifyDocument.BulkCustomersExport;
        var request = new ShopifyRequest(
            ShopifyDocument.BulkOperationRunQuery,
            ShopifyCustomerClient.Vars(("query", query.Text)),
            ShopifyQueryCost.Mutation);
        return _client.ExecuteAsync(
            store,
            request,
            data =>
            {
                var payload = data.GetObjectOrNull("bulkOperationRunQuery")
                    ?? throw new ShopifyApiException(store.Handle, request.Operation, "the response has no bulkOperationRunQuery payload", isTransient: false);
                ShopifyUserErrors.ThrowIfAny(payload, store.Handle, request.Operation);
                return payload.GetObjectOrNull("bulkOperation")?.GetStringOrNull("id")
                    ?? throw new ShopifyApiException(store.Handle, request.Operation, "Shopify returned no bulk operation", isTransient: false);
            },
            cancellationToken);
    }

    public Task<ShopifyBulkOperation> GetStatusAsync(ShopifyStore store, string operationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var request = new ShopifyRequest(ShopifyDocument.BulkOperationStatus, ShopifyCustomerClient.Vars(("id", operationId)), 1);
        return _client.ExecuteAsync(
            store,
            request,
            data =>
            {
                var op = data.GetObjectOrNull("bulkOperation")
                    ?? throw new ShopifyApiException(store.Handle, request.Operation, $"bulk operation {operationId} was not found", isTransient: false);
                return new ShopifyBulkOperation(
                    op.GetRequiredString("id"),
                    Enum.TryParse<BulkOperationState>(op.GetStringOrNull("status"), ignoreCase: true, out var state) ? state : BulkOperationState.Failed,
                    op.GetStringOrNull("errorCode"),
                    op.GetInt64OrDefault("objectCount"),
                    op.GetUriOrNull("url"),
                    op.GetUriOrNull("partialDataUrl"))
                {
                    RootObjectCount = op.GetInt64OrDefault("rootObjectCount"),
                };
            },
            cancellationToken);
    }

    /// <summary>
    /// Polls until the operation completes: each wait is a quarter of the time spent waiting so far, at least
    /// <see cref="ShopifyAdminClientOptions.BulkPollInitialDelay"/> and at most
    /// <see cref="ShopifyAdminClientOptions.BulkPollMaxDelay"/> (<see cref="NextPollDelay"/>).
    /// </summary>
    public async Task<ShopifyBulkOperation> WaitForCompletionAsync(ShopifyStore store, string operationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var options = _client.Options;
        var started = _timeProvider.GetUtcNow();
        while (true)
        {
            var operation = await GetStatusAsync(store, operationId, cancellationToken).ConfigureAwait(false);
            switch (operation.Status)
            {
                case BulkOperationState.Completed:
                    return operation;
                case BulkOperationState.Failed or BulkOperationState.Canceled or BulkOperationState.Canceling or BulkOperationState.Expired:
                    throw new ShopifyApiException(
                        store.Handle,
                        "bulk customer export",
                        $"bulk operation {operationId} ended {operation.Status.ToString().ToUpperInvariant()}{(operation.ErrorCode is null ? "" : $" ({operation.ErrorCode})")}",
                        isTransient: operation.Status is not BulkOperationState.Failed || operation.ErrorCode is "TIMEOUT" or "INTERNAL_SERVER_ERROR");
            }

            await Task.Delay(NextPollDelay(_timeProvider.GetUtcNow() - started, options.BulkPollInitialDelay, options.BulkPollMaxDelay), _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The wait before the next status poll of an operation waited for <paramref name="waited"/>: a quarter of it, at
    /// least <paramref name="least"/> and at most <paramref name="most"/>. A finished operation is noticed at most a
    /// quarter of its run late (or <paramref name="least"/>, or <paramref name="most"/>): with the defaults, an export
    /// ready after 1.1 s is seen at 1.5 s, one ready after 8 s by 9.6 s, for 20 polls in the first minute and
    /// one every 30 s after two. (Doubling waits from 1 s saw them at 3 s and 15 s.) In whole milliseconds, as timers
    /// count them.
    /// </summary>
    internal static TimeSpan NextPollDelay(TimeSpan waited, TimeSpan least, TimeSpan most)
        => TimeSpan.FromMilliseconds(Math.Clamp((long)waited.TotalMilliseconds / 4, (long)least.TotalMilliseconds, (long)Math.Max(least.TotalMilliseconds, most.TotalMilliseconds)));

    /// <summary>Downloads a finished export's file and streams its rows.</summary>
    public async IAsyncEnumerable<BulkExportRow> ReadAsync(ShopifyStore store, Uri url, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stream = await _client.OpenDownloadAsync(store, url, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await foreach (var row in ReadRowsAsync(stream, _client.Options.BulkMaxLineBytes, cancellationToken).ConfigureAwait(false))
            {
                yield return row;
            }
        }
    }

    /// <summary>
    /// Streams rows from a bulk JSONL file. Only the pipe's buffer and the line being parsed are in memory; the next
    /// bytes are read when the consumer asks for more rows.
    /// </summary>
    public static async IAsyncEnumerable<BulkExportRow> ReadRowsAsync(Stream jsonl, int maxLineBytes, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jsonl);
        var reader = PipeReader.Create(jsonl, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        try
        {
            var lineNumber = 0L;
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (TryReadLine(ref buffer, out var line))
                {
                    lineNumber++;
                    if (ParseRow(line, lineNumber) is { } row)
                    {
                        yield return row;
                    }
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty && ParseRow(buffer, lineNumber + 1) is { } last)
                    {
                        yield return last;
                    }

                    break;
                }

                if (buffer.Length > maxLineBytes)
                {
                    throw new InvalidDataException($"Bulk export line {lineNumber + 1} is longer than {maxLineBytes} bytes.");
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    internal static BulkExportRow? ParseRow(ReadOnlySequence<byte> line, long lineNumber)
    {
        if (IsBlank(line))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(line);
            var row = json.RootElement;
            var id = row.GetStringOrNull("id");
            var parentId = row.GetStringOrNull("__parentId");
            if (parentId is null && ShopifyGid.IsOfType(id, "Customer"))
            {
                return new BulkCustomerRow(
                    ShopifyCustomerClient.ReadCustomer(row),
                    row.GetStringOrNull("note"),
                    row.GetStringOrNull("state"),
                    row.GetInt64OrDefault("numberOfOrders"),
                    row.GetDateOrNull("createdAt"));
            }

            if (parentId is not null && ShopifyGid.IsOfType(parentId, "Customer") && ShopifyGid.IsOfType(id, "MailingAddress"))
            {
                return new BulkCustomerAddressRow(ShopifyGid.ParseId(parentId), ShopifyCustomerClient.ReadAddress(row));
            }

            // A row kind this export does not ask for: skipped rather than guessed at.
            return null;
        }
        catch (JsonException malformed)
        {
            throw new InvalidDataException($"Bulk export line {lineNumber} is not valid JSON: {malformed.Message}", malformed);
        }
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\r' or (byte)'\t'))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
