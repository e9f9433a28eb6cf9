using System.Collections;
using System.Globalization;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQLParser;
using GraphQLParser.AST;
using OrchardShopify.Emulator.Throttling;

namespace OrchardShopify.Emulator.Schema;

/// <summary>
/// Shopify's calculated query cost: an object costs 1, a connection 2 plus its page size times the cost of one node,
/// scalars, enums, edges and pageInfo nothing, and each mutation field 10.
/// https://shopify.dev/docs/api/usage/rate-limits#cost-calculation
/// </summary>
public static class QueryCost
{
    public const int MutationFieldCost = 10;
    private const int MaxDepth = 64;

    public static bool IsConnection(string typeName) => typeName.EndsWith("Connection", StringComparison.Ordinal);

    public static bool IsCostFree(string typeName) =>
        typeName.EndsWith("Edge", StringComparison.Ordinal) || typeName.EndsWith("PageInfo", StringComparison.Ordinal);

    /// <summary>The requested cost of a validated operation, with page sizes from literals or variables.</summary>
    public static int Requested(ISchema schema, GraphQLDocument document, GraphQLOperationDefinition operation, Variables variables)
    {
        var isMutation = operation.Operation == OperationType.Mutation;
        IGraphType root = isMutation ? schema.Mutation! : schema.Query;
        return SelectionCost(schema, document, variables, root, operation.SelectionSet, isMutation, 0);
    }

    private static int SelectionCost(ISchema schema, GraphQLDocument document, Variables variables, IGraphType type, GraphQLSelectionSet? selectionSet, bool mutationRoot, int depth)
    {
        if (selectionSet is null || depth > MaxDepth)
        {
            return 0;
        }

        var cost = 0;
        foreach (var selection in selectionSet.Selections)
        {
            switch (selection)
            {
                case GraphQLField field:
                    cost += FieldCost(schema, document, variables, type, field, mutationRoot, depth);
                    break;
                case GraphQLInlineFragment inline:
                    var inlineType = inline.TypeCondition is { } condition ? schema.AllTypes[condition.Type.Name.StringValue] ?? type : type;
                    cost += SelectionCost(schema, document, variables, inlineType, inline.SelectionSet, mutationRoot, depth + 1);
                    break;
                case GraphQLFragmentSpread spread when document.FindFragmentDefinition(spread.FragmentName.Name.Value) is { } fragment:
                    var fragmentType = schema.AllTypes[fragment.TypeCondition.Type.Name.StringValue] ?? type;
                    cost += SelectionCost(schema, document, variables, fragmentType, fragment.SelectionSet, mutationRoot, depth + 1);
                    break;
            }
        }

        return cost;
    }

    private static int FieldCost(ISchema schema, GraphQLDocument document, Variables variables, IGraphType parent, GraphQLField field, bool mutationRoot, int depth)
    {
        if (parent is not IComplexGraphType complex || complex.GetField(field.Name.Value) is not { } definition)
        {
            return 0;
        }

        var named = definition.ResolvedType!.GetNamedType();
        if (named is not (IComplexGraphType or IAbstractGraphType))
        {
            return 0;
        }

        var childCost = SelectionCost(schema, document, variables, named, field.SelectionSet, mutationRoot: false, depth + 1);
        if (mutationRoot)
        {
            return MutationFieldCost;
        }

        if (IsConnection(named.Name))
        {
            return 2 + (PageSize(field, variables) * childCost);
        }

        return IsCostFree(named.Name) ? childCost : 1 + childCost;
    }

    private static int PageSize(GraphQLField field, Variables variables)
    {
        foreach (var name in new[] { "first", "last" })
        {
            var argument = field.Arguments?.Items.FirstOrDefault(a => a.Name.Value == name);
            var value = argument?.Value switch
            {
                GraphQLIntValue literal => long.TryParse(literal.Value.Span, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : (long?)null,
                GraphQLVariable variable => variables.ValueFor(variable.Name.StringValue) switch
                {
                    int i => i,
                    long l => l,
                    _ => null,
                },
                _ => null,
            };
            if (value is { } size)
            {
                return (int)Math.Clamp(size, 0, 10_000);
            }
        }

        return 0;
    }

    /// <summary>The actual cost of one resolved field value, counted as Shopify counts returned objects.</summary>
    public static int Actual(IResolveFieldContext context, object? value)
    {
        if (context.Operation.Operation == OperationType.Mutation)
        {
            return context.ParentType == context.Schema.Mutation ? MutationFieldCost : 0;
        }

        if (value is null)
        {
            return 0;
        }

        var named = context.FieldDefinition.ResolvedType!.GetNamedType();
        if (named is not (IComplexGraphType or IAbstractGraphType) || IsCostFree(named.Name))
        {
            return 0;
        }

        if (IsConnection(named.Name))
        {
            return 2;
        }

        return value is IEnumerable items and not string ? items.Cast<object?>().Count(item => item is not null) : 1;
    }
}

/// <summary>
/// Runs after GraphQL.NET has validated the document and coerced the variables, before anything executes: computes the
/// requested cost, refuses a query over Shopify's single-query limit (MAX_COST_EXCEEDED) and charges the shop's leaky
/// bucket, answering THROTTLED without data when it cannot pay.
/// </summary>
public sealed class CostThrottleListener : IDocumentExecutionListener
{
    public static readonly CostThrottleListener Instance = new();

    public Task AfterValidationAsync(IExecutionContext context, IValidationResult validationResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(validationResult);
        var request = AdminSchema.Request(context.UserContext);
        if (!validationResult.IsValid || request.BucketKey is not { } bucketKey)
        {
            return Task.CompletedTask;
        }

        var state = request.Admin.State;
        var requested = QueryCost.Requested(context.Schema, context.Document, context.Operation, context.Variables);
        request.RequestedCost = requested;
        request.Costed = true;
        if (requested > CostThrottle.MaxSingleQueryCost)
        {
            request.Refused = true;
            request.Throttle = state.Throttle.Peek(bucketKey);
            context.Errors.Add(new ShopifyError(
                $"Query cost is {requested}, which exceeds the single query max cost limit ({CostThrottle.MaxSingleQueryCost}).\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.",
                "MAX_COST_EXCEEDED",
                new Dictionary<string, object?> { ["cost"] = requested, ["maxCost"] = CostThrottle.MaxSingleQueryCost }));
            return Task.CompletedTask;
        }

        if (state.Faults.Roll(request.ThrottleRate) || !state.Throttle.TryConsume(bucketKey, requested, out _))
        {
            request.Refused = true;
            request.Throttle = state.Throttle.Peek(bucketKey);
            context.Errors.Add(new ShopifyError("Throttled", "THROTTLED", new Dictionary<string, object?> { ["documentation"] = "https://shopify.dev/api/usage/rate-limits" }));
        }

        return Task.CompletedTask;
    }

    public Task BeforeExecutionAsync(IExecutionContext context) => Task.CompletedTask;

    public Task AfterExecutionAsync(IExecutionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = AdminSchema.Request(context.UserContext);
        if (request.BucketKey is { } bucketKey)
        {
            var actual = Math.Min(request.ActualCost, request.RequestedCost);
            request.Throttle = request.Admin.State.Throttle.Refund(bucketKey, request.RequestedCost - actual);
        }

        return Task.CompletedTask;
    }
}
