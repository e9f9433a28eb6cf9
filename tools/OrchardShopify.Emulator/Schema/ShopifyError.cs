using GraphQL;
using GraphQL.Execution;
using GraphQL.Validation;
using GraphQLParser.AST;

namespace OrchardShopify.Emulator.Schema;

/// <summary>An error in Shopify's shape: a message and <c>extensions</c> with Shopify's <c>code</c> and the code's own keys.</summary>
public sealed class ShopifyError : ExecutionError
{
    public ShopifyError(string message, string code, IReadOnlyDictionary<string, object?>? extensions = null)
        : base(message)
    {
        Code = code;
        Extensions = new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = code };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            Extensions[key] = value;
        }
    }

    public new IDictionary<string, object?> Extensions { get; }
}

/// <summary>A static validation error worded and coded as Shopify words it (undefinedField, missingRequiredArguments, …).</summary>
public sealed class ShopifyValidationError : ValidationError
{
    public ShopifyValidationError(ValidationContext context, ASTNode node, string message, string code, IReadOnlyList<object>? path = null, IReadOnlyDictionary<string, object?>? extensions = null)
        : base(context.Document.Source, code, message, node)
    {
        Code = code;
        if (path is { Count: > 0 })
        {
            Path = path;
        }

        Extensions = new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = code };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            Extensions[key] = value;
        }
    }

    public new IDictionary<string, object?> Extensions { get; }
}

/// <summary>Writes <c>extensions</c> as Shopify does: its code and the code's keys, never GraphQL.NET's codes list or exception details.</summary>
public sealed class ShopifyErrorInfoProvider : IErrorInfoProvider
{
    public ErrorInfo GetInfo(ExecutionError executionError)
    {
        ArgumentNullException.ThrowIfNull(executionError);
        var extensions = executionError switch
        {
            ShopifyError shopify => shopify.Extensions,
            ShopifyValidationError validation => validation.Extensions,
            _ => executionError.Code is { } code ? new Dictionary<string, object?> { ["code"] = code } : null,
        };
        return new ErrorInfo { Message = executionError.Message, Extensions = extensions };
    }
}
