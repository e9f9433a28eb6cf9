using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using OrchardShopify.Emulator.Customers;
using OrchardShopify.Emulator.GraphQL;
using OrchardShopify.Emulator.Schema;
using OrchardShopify.Emulator.Webhooks;

namespace OrchardShopify.Emulator.Bulk;

public sealed class BulkOperation
{
    private long _objectCount;
    private long _rootObjectCount;

    public required long Id { get; init; }

    public required string ShopDomain { get; init; }

    public required string Query { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string FilePath { get; init; }

    public required string DownloadUrl { get; init; }

    public string Status { get; internal set; } = "CREATED";

    public string? ErrorCode { get; internal set; }

    public DateTimeOffset? CompletedAt { get; internal set; }

    public long FileSize { get; internal set; }

    public long ObjectCount => Interlocked.Read(ref _objectCount);

    public long RootObjectCount => Interlocked.Read(ref _rootObjectCount);

    public string? Url => Status == "COMPLETED" && ObjectCount > 0 ? DownloadUrl : null;

    public bool IsActive => Status is "CREATED" or "RUNNING" or "CANCELING";

    internal void CountRow(bool root)
    {
        Interlocked.Increment(ref _objectCount);
        if (root)
        {
            Interlocked.Increment(ref _rootObjectCount);
        }
    }
}

/// <summary>Runs bulk query operations: the query's connection is walked in full and streamed to a JSONL file.</summary>
public sealed class BulkOperationStore : IAsyncDisposable
{
    private static readonly JsonWriterOptions RowOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private readonly EmulatorState _state;
    private readonly ConcurrentDictionary<long, BulkOperation> _operations = new();
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "orchardshopify-emulator", Guid.NewGuid().ToString("N"));
    private long _nextId = 4_100_000_000;

    public BulkOperationStore(EmulatorState state)
    {
        _state = state;
    }

    public BulkOperation? Find(string shop, long id) =>
        _operations.TryGetValue(id, out var operation) && operation.ShopDomain == shop ? operation : null;

    public BulkOperation? Current(string shop) =>
        _operations.Values.Where(o => o.ShopDomain == shop).MaxBy(o => o.Id);

    public (BulkOperation? Operation, IReadOnlyList<UserError> Errors) Start(Shop shop, string query, Uri baseUrl)
    {
        PreparedOperation prepared;
        FieldSelection root;
        try
        {
            var document = GraphQL.Parser.Parse(query);
            var (operation, errors) = _state.Executor.Prepare(document, null, null);
            if (operation is null)
            {
                return (null, [new UserError(["query"], "Invalid bulk query: " + string.Join("; ", errors.Select(e => e.Message)), "INVALID")]);
            }

            if (operation.Operation.Type != OperationType.Query)
            {
                return (null, [new UserError(["query"], "Bulk queries can't contain mutations", "INVALID")]);
            }

            var rootFields = operation.Operation.SelectionSet.OfType<FieldSelection>().ToList();
            if (rootFields.Count != 1 || rootFields[0].Name != "customers")
            {
                return (null, [new UserError(["query"], "Bulk queries in this emulator must select exactly one top-level connection: customers", "INVALID")]);
            }

            prepared = operation;
            root = rootFields[0];
        }
        catch (GraphQLException exception)
        {
            return (null, [new UserError(["query"], "Invalid bulk query: " + exception.Message, "INVALID")]);
        }

        lock (_operations)
        {
            if (_operations.Values.FirstOrDefault(o => o.ShopDomain == shop.Domain && o.IsActive) is { } active)
            {
                return (null, [new UserError(null, $"A bulk query operation for this app and shop is already in progress: {Gid.For("BulkOperation", active.Id)}.", "OPERATION_IN_PROGRESS")]);
            }

            var id = Interlocked.Increment(ref _nextId);
            Directory.CreateDirectory(_directory);
            var bulk = new BulkOperation
            {
                Id = id,
                ShopDomain = shop.Domain,
                Query = query,
                CreatedAt = _state.Time.GetUtcNow(),
                FilePath = Path.Combine(_directory, $"{id.ToString(CultureInfo.InvariantCulture)}.jsonl"),
                DownloadUrl = new Uri(baseUrl, $"/_emulator/bulk/{Uri.EscapeDataString(shop.Domain)}/{id.ToString(CultureInfo.InvariantCulture)}.jsonl").ToString(),
            };
            _operations[id] = bulk;
            var task = Task.Run(() => RunAsync(shop, bulk, prepared, root, _stopping.Token));
            _running[task] = 0;
            task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return (bulk, []);
        }
    }

    private async Task RunAsync(Shop shop, BulkOperation bulk, PreparedOperation prepared, FieldSelection root, CancellationToken cancellationToken)
    {
        try
        {
            bulk.Status = "RUNNING";
            var arguments = root.Arguments.ToDictionary(a => a.Name, a => Executor.Evaluate(a.Value, prepared.Variables), StringComparer.Ordinal);
            var filter = CustomerSearch.Compile(arguments.GetValueOrDefault("query") as string);
            var customers = shop.Snapshot().Where(filter);
            var nodeSelections = NodeSelections(root.SelectionSet ?? []);
            var context = new GraphQL.ExecutionContext(new AdminContext(_state, shop, EmulatorOptions.DefaultApiVersion, new Uri(bulk.DownloadUrl)), isBulk: true);

            await using (var file = new FileStream(bulk.FilePath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: false))
            {
                using var writer = new Utf8JsonWriter(file, RowOptions);
                var rows = 0;
                foreach (var customer in customers)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    WriteRows(prepared, "Customer", customer, nodeSelections, null, context, writer, file, bulk, root: true);
                    if (++rows % 1000 == 0)
                    {
                        await writer.FlushAsync(cancellationToken);
                    }
                }

                await writer.FlushAsync(cancellationToken);
            }

            bulk.FileSize = new FileInfo(bulk.FilePath).Length;
            bulk.CompletedAt = _state.Time.GetUtcNow();
            bulk.Status = "COMPLETED";
        }
        catch (OperationCanceledException)
        {
            bulk.Status = "CANCELED";
        }
        catch (Exception exception) when (exception is IOException or GraphQLException or InvalidOperationException)
        {
            bulk.ErrorCode = "INTERNAL_SERVER_ERROR";
            bulk.CompletedAt = _state.Time.GetUtcNow();
            bulk.Status = "FAILED";
        }

        PublishFinished(bulk);
    }

    private void WriteRows(PreparedOperation prepared, string typeName, object node, IReadOnlyList<Selection> selections, string? parentId, GraphQL.ExecutionContext context, Utf8JsonWriter writer, Stream file, BulkOperation bulk, bool root)
    {
        var deferred = new List<DeferredConnection>();
        var row = _state.Executor.ExecuteBulkRow(prepared, typeName, node, selections, context, deferred);
        if (parentId is not null)
        {
            row["__parentId"] = parentId;
        }

        row.WriteTo(writer);
        writer.Flush();
        writer.Reset();
        file.WriteByte((byte)'\n');
        bulk.CountRow(root);

        foreach (var connection in deferred)
        {
            var childType = connection.Field.Type.NamedType[..^"Connection".Length];
            var childSelections = NodeSelections(connection.Selections);
            foreach (var edge in ((ConnectionPage)connection.Connection).Edges)
            {
                WriteRows(prepared, childType, edge.Node, childSelections, connection.ParentId, context, writer, file, bulk, root: false);
            }
        }
    }

    /// <summary>The selections applied to each node of a connection, whether written as edges { node } or nodes.</summary>
    private static List<Selection> NodeSelections(IReadOnlyList<Selection> connectionSelections)
    {
        var result = new List<Selection>();
        foreach (var field in connectionSelections.OfType<FieldSelection>())
        {
            if (field.Name == "nodes" && field.SelectionSet is not null)
            {
                result.AddRange(field.SelectionSet);
            }
            else if (field.Name == "edges" && field.SelectionSet is not null)
            {
                foreach (var node in field.SelectionSet.OfType<FieldSelection>().Where(f => f.Name == "node" && f.SelectionSet is not null))
                {
                    result.AddRange(node.SelectionSet!);
                }
            }
        }

        return result;
    }

    private void PublishFinished(BulkOperation bulk)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("admin_graphql_api_id", Gid.For("BulkOperation", bulk.Id));
            writer.WriteString("completed_at", bulk.CompletedAt?.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture));
            writer.WriteString("created_at", bulk.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture));
            writer.WriteString("error_code", bulk.ErrorCode?.ToLowerInvariant());
            writer.WriteString("status", bulk.Status.ToLowerInvariant());
            writer.WriteString("type", "query");
            writer.WriteEndObject();
        }

        _state.Webhooks.Publish(new WebhookMessage(bulk.ShopDomain, "bulk_operations/finish", stream.ToArray(), bulk.Id.ToString(CultureInfo.InvariantCulture), _state.Time.GetUtcNow(), EmulatorOptions.DefaultApiVersion));
    }

    public void Clear()
    {
        foreach (var operation in _operations.Values.Where(o => !o.IsActive))
        {
            _operations.TryRemove(operation.Id, out _);
            TryDelete(operation.FilePath);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_running.Keys).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception exception) when (exception is OperationCanceledException or TimeoutException)
        {
        }

        try
        {
            if (Directory.Exists(_directory))
            {
                Directory.Delete(_directory, recursive: true);
            }
        }
        catch (IOException)
        {
        }

        _stopping.Dispose();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
