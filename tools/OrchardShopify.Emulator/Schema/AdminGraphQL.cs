using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using GraphQL;
using GraphQL.SystemTextJson;
using GraphQL.Types;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;

namespace OrchardShopify.Emulator.Schema;

/// <summary>
/// The emulator's Admin API on GraphQL.NET: parse, validate (Shopify-worded rules), cost and throttle (a listener run
/// after validation), execute, and write Shopify's <c>extensions.cost</c>.
/// </summary>
public sealed class AdminGraphQL
{
    private static readonly Lazy<AdminGraphQL> Instance = new(() => new AdminGraphQL());
    private const int CachedDocuments = 1_000;
    private readonly DocumentExecuter _executer = new();
    private readonly ConcurrentDictionary<string, GraphQLDocument> _validated = new(StringComparer.Ordinal);

    private AdminGraphQL()
    {
        Schema = AdminSchema.Build();
    }

    /// <summary>One schema for every emulator in the process: resolvers hold no state, each request brings its own.</summary>
    public static AdminGraphQL Shared => Instance.Value;

    public ISchema Schema { get; }

    public IGraphQLTextSerializer Serializer { get; } = new GraphQLSerializer(
        options => options.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        new ShopifyErrorInfoProvider());

    /// <summary>Parses a document, answering a syntax error as Shopify does (message with [line, column], and its location).</summary>
    public static (GraphQLDocument? Document, ExecutionError? Error) Parse(string query)
    {
        try
        {
            return (GraphQLParser.Parser.Parse(query), null);
        }
        catch (GraphQLSyntaxErrorException exception)
        {
            var error = new ShopifyError($"Parse error: {exception.Description} at [{exception.Location.Line}, {exception.Location.Column}]", "PARSE_ERROR");
            error.AddLocation(new GraphQLParser.Location(exception.Location.Line, exception.Location.Column));
            return (null, error);
        }
    }

    public async Task<ExecutionResult> ExecuteAsync(AdminRequest request, string query, string? operationName, Inputs? variables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(query);

        // A document that passed validation once passes again (the schema does not change): clients send the same few
        // documents over and over, so those are parsed and validated once; variables are still coerced every time.
        if (_validated.TryGetValue(query, out var known))
        {
            return await ExecuteAsync(request, query, known, operationName, variables, [], cancellationToken);
        }

        var (document, parseError) = Parse(query);
        if (document is null)
        {
            return new ExecutionResult(parseError!);
        }

        var result = await ExecuteAsync(request, query, document, operationName, variables, ShopifyValidation.Rules, cancellationToken);
        if (request.Costed)
        {
            if (_validated.Count >= CachedDocuments)
            {
                _validated.Clear();
            }

            _validated.TryAdd(query, document);
        }

        return result;
    }

    /// <summary>Runs a parsed document; a bulk export runs its already validated document once per slice of customers, without the rules.</summary>
    public async Task<ExecutionResult> ExecuteAsync(AdminRequest request, string query, GraphQLDocument document, string? operationName, Inputs? variables, IEnumerable<GraphQL.Validation.IValidationRule> rules, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var options = new ExecutionOptions
        {
            Schema = Schema,
            Query = query,
            Document = document,
            OperationName = operationName,
            Variables = variables ?? Inputs.Empty,
            ValidationRules = rules,
            UserContext = AdminSchema.UserContext(request),
            CancellationToken = cancellationToken,
        };
        options.Listeners.Add(CostThrottleListener.Instance);
        var result = await _executer.ExecuteAsync(options);
        if (result.Errors is { Count: > 0 } errors)
        {
            var reworded = new ExecutionErrors();
            foreach (var error in errors)
            {
                reworded.Add(ShopifyValidation.Reword(error, document));
            }

            result.Errors = reworded;
        }

        if (request.Costed && request.BucketKey is { } bucketKey)
        {
            var status = request.Throttle ?? request.Admin.State.Throttle.Peek(bucketKey);
            result.Extensions = new Dictionary<string, object?>
            {
                ["cost"] = new Dictionary<string, object?>
                {
                    ["requestedQueryCost"] = request.RequestedCost,
                    ["actualQueryCost"] = request.Refused ? null : Math.Min(request.ActualCost, request.RequestedCost),
                    ["throttleStatus"] = new Dictionary<string, object?>
                    {
                        ["maximumAvailable"] = (double)status.MaximumAvailable,
                        ["currentlyAvailable"] = (int)status.CurrentlyAvailable,
                        ["restoreRate"] = (double)status.RestoreRate,
                    },
                },
            };
        }

        return result;
    }
}
