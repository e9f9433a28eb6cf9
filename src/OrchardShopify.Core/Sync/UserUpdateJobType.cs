namespace OrchardShopify.Core.Sync;

/// <summary>Resolves <c>Shopify:UpdateShopifyUserJob</c> to a job type, with an error that says what is wrong.</summary>
internal static class UserUpdateJobType
{
    public static bool TryResolve(string typeName, out Type? type, out string? error)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        type = Type.GetType(typeName.Trim(), throwOnError: false)
            ?? AppDomain.CurrentDomain.GetAssemblies()
                .Select(a => a.GetType(typeName.Trim(), throwOnError: false))
                .FirstOrDefault(t => t is not null);
        if (type is null)
        {
            error = $"Shopify:UpdateShopifyUserJob '{typeName}' names no loaded type; use the full name (Namespace.Type) or the assembly-qualified name (Namespace.Type, Assembly).";
            return false;
        }

        if (!typeof(IShopifyUserUpdateJob).IsAssignableFrom(type) || type.IsAbstract || type.IsInterface)
        {
            error = $"Shopify:UpdateShopifyUserJob '{typeName}' must be a concrete class implementing {typeof(IShopifyUserUpdateJob).FullName}.";
            type = null;
            return false;
        }

        error = null;
        return true;
    }
}
