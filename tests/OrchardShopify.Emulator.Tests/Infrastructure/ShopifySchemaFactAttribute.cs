namespace OrchardShopify.Emulator.Tests.Infrastructure;

/// <summary>
/// A fact that needs Shopify's published Admin API schema (admin_2026-10.json.gz from the npm package @shopify/dev-mcp),
/// which tools/graphql-schema-check/run.sh unpacks into tools/graphql-schema-check/schema/ (or SHOPIFY_ADMIN_SCHEMA names).
/// Skipped on a developer machine without it; in CI (CI set) it runs and fails, as the document check does.
/// </summary>
public sealed class ShopifySchemaFactAttribute : FactAttribute
{
    public const string Variable = "SHOPIFY_ADMIN_SCHEMA";

    public ShopifySchemaFactAttribute()
    {
        if (Find() is null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = $"Shopify's Admin API schema is missing: run bash tools/graphql-schema-check/run.sh (or set {Variable}).";
        }
    }

    /// <summary>The schema file: SHOPIFY_ADMIN_SCHEMA, else tools/graphql-schema-check/schema/admin_2026-10.json.gz in the repository.</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "OrchardShopify.sln")))
            {
                var path = Path.Combine(directory.FullName, "tools", "graphql-schema-check", "schema", "admin_2026-10.json.gz");
                return File.Exists(path) ? path : null;
            }
        }

        return null;
    }
}
