using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Validation;
using GraphQLParser.AST;
using OrchardShopify.Emulator.Control;
using OrchardShopify.Emulator.Customers;
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
    private const int SliceSize = 250;
    private long _nextId = 4_100_000_000;

    public BulkOperationStore(EmulatorState state)
    {
        _state = state;
    }

    /// <summary>
    /// Whether queries that <see cref="BulkRowPlan"/> covers are written straight from the customer model (the default);
    /// off, every bulk query runs through GraphQL.NET (the tests compare both).
    /// </summary>
    internal bool UseRowPlans { get; set; } = true;

    public BulkOperation? Find(string shop, long id) =>
        _operations.TryGetValue(id, out var operation) && operation.ShopDomain == shop ? operation : null;

    public BulkOperation? Current(string shop) =>
        _operations.Values.Where(o => o.ShopDomain == shop).MaxBy(o => o.Id);

    public (BulkOperation? Operation, IReadOnlyList<UserError> Errors) Start(Shop shop, string query, Uri baseUrl)
    {
        var (document, parseError) = AdminGraphQL.Parse(query);
        if (document is null)
        {
            return (null, [new UserError(["query"], "Invalid bulk query: " + parseError!.Message, "INVALID")]);
        }

        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        if (operations.Count != 1)
        {
            return (null, [new UserError(["query"], "Invalid bulk query: a bulk query holds exactly one operation", "INVALID")]);
        }

        var operation = operations[0];
        var schema = _state.GraphQL.Schema;
        var validation = new DocumentValidator().ValidateAsync(new ValidationOptions
        {
            Schema = schema,
            Document = document,
            Operation = operation,
            Rules = ShopifyValidation.Rules,
            Variables = Inputs.Empty,
            Extensions = Inputs.Empty,
            UserContext = new Dictionary<string, object?>(),
        }).GetAwaiter().GetResult();
        if (!validation.IsValid)
        {
            return (null, [new UserError(["query"], "Invalid bulk query: " + string.Join("; ", validation.Errors.Select(e => e.Message)), "INVALID")]);
        }

        if (operation.Operation != OperationType.Query)
        {
            return (null, [new UserError(["query"], "Bulk queries can't contain mutations", "INVALID")]);
        }

        var rootFields = operation.SelectionSet.Selections.OfType<GraphQLField>().ToList();
        if (rootFields.Count != 1 || operation.SelectionSet.Selections.Count != 1 || rootFields[0].Name.StringValue != "customers")
        {
            return (null, [new UserError(["query"], "Bulk queries in this emulator must select exactly one top-level connection: customers", "INVALID")]);
        }

        if (BulkRows.MissingParentId(schema, document, schema.Query, rootFields[0].SelectionSet) is { } connection)
        {
            return (null, [new UserError(["query"], $"The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'ID' return type. Connection field: '{connection}'", "INVALID")]);
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
            var task = Task.Run(() => RunAsync(shop, bulk, document, rootFields[0], _stopping.Token));
            _running[task] = 0;
            task.ContinueWith(t => _running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return (bulk, []);
        }
    }

    /// <summary>
    /// Writes each customer of the query as a JSONL row, nested connections' nodes as rows of their own with
    /// <c>__parentId</c>: straight from the customer model where <see cref="BulkRowPlan"/> covers the query, otherwise by
    /// executing the validated query with GraphQL.NET over the shop's customers a slice at a time (connections unbounded).
    /// </summary>
    private async Task RunAsync(Shop shop, BulkOperation bulk, GraphQLDocument document, GraphQLField root, CancellationToken cancellationToken)
    {
        try
        {
            bulk.Status = "RUNNING";
            if (_state.Faults.Current.BulkOperationDelayMs is > 0 and var delay)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(delay), cancellationToken);
            }

            var filter = CustomerSearch.Compile((root.Arguments?.ValueFor("query") as GraphQLStringValue)?.Value.ToString());
            var customers = shop.Snapshot().Where(filter).ToList();
            var admin = new AdminContext(_state, shop, EmulatorOptions.DefaultApiVersion, new Uri(bulk.DownloadUrl));
            var responseKey = (root.Alias?.Name ?? root.Name).StringValue;

            await using (var file = new FileStream(bulk.FilePath, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16, useAsync: false))
            {
                using var writer = new Utf8JsonWriter(file, RowOptions);

                // Fields an app without protected customer data access cannot read are errors of the GraphQL execution.
                var plan = UseRowPlans && _state.Faults.Current.ProtectedCustomerData == ProtectedCustomerDataAccess.Approved ? BulkRowPlan.TryCompile(root) : null;
                if (plan is not null)
                {
                    for (var i = 0; i < customers.Count; i++)
                    {
                        if (i % SliceSize == 0)
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                        }

                        plan.Write(customers[i], shop.Currency, writer, file, bulk);
                    }
                }
                else
                {
                    foreach (var slice in customers.Chunk(SliceSize))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var request = new AdminRequest(admin) { BulkRoots = slice };
                        var result = await _state.GraphQL.ExecuteAsync(request, bulk.Query, document, null, null, [], cancellationToken);
                        if (result.Data is null)
                        {
                            throw new InvalidOperationException("Bulk query failed: " + string.Join("; ", result.Errors?.Select(e => e.Message) ?? []));
                        }

                        var data = JsonNode.Parse(_state.GraphQL.Serializer.Serialize(result))!["data"]![responseKey];
                        foreach (var node in BulkRows.Nodes(data))
                        {
                            BulkRows.Write(node, null, writer, file, bulk, root: true);
                        }

                        await writer.FlushAsync(cancellationToken);
                    }
                }
            }

            bulk.FileSize = new FileInfo(bulk.FilePath).Length;
            bulk.CompletedAt = _state.Time.GetUtcNow();
            bulk.Status = "COMPLETED";
        }
        catch (OperationCanceledException)
        {
            bulk.Status = "CANCELED";
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or JsonException)
        {
            bulk.ErrorCode = "INTERNAL_SERVER_ERROR";
            bulk.CompletedAt = _state.Time.GetUtcNow();
            bulk.Status = "FAILED";
        }

        PublishFinished(bulk);
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
