namespace OrchardShopify.AspNetCore.Admin;

/// <summary>
/// An administrator's request that cannot be done as asked (unknown store, inbound sync off, an invalid callback URL…).
/// <see cref="Code"/> is stable for programs; the message says what to do and never holds a secret. The subclasses say
/// why when it is not the request itself that is at fault: <see cref="AdminNotFoundException"/>,
/// <see cref="AdminConflictException"/>, <see cref="ShopifyRefusedException"/>. How a refusal is answered (the admin JSON
/// turns each kind into its HTTP status) is the caller's choice.
/// </summary>
public class AdminRequestException : Exception
{
    public AdminRequestException(string code, string message)
        : this(code, message, null)
    {
    }

    public AdminRequestException(string code, string message, Exception? innerException)
        : base(message, innerException)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(code);
        Code = code;
    }

    public AdminRequestException()
        : this("invalid_request", "The request cannot be done as asked.")
    {
    }

    public AdminRequestException(string message)
        : this("invalid_request", message)
    {
    }

    public AdminRequestException(string message, Exception innerException)
        : this("invalid_request", message, innerException)
    {
    }

    public string Code { get; }

    internal static AdminRequestException UnknownStore(string? handle, IEnumerable<string> configured)
        => new("unknown_store", string.IsNullOrWhiteSpace(handle)
            ? $"Name a store (store=…). Enabled stores: {string.Join(", ", configured)}."
            : $"No enabled store has the handle '{handle}'. Enabled stores: {string.Join(", ", configured)}.");
}

/// <summary>The user, job or item the request names does not exist (<c>unknown_user</c>…).</summary>
public sealed class AdminNotFoundException : AdminRequestException
{
    public AdminNotFoundException(string code, string message)
        : base(code, message)
    {
    }

    public AdminNotFoundException()
    {
    }

    public AdminNotFoundException(string message)
        : base("not_found", message)
    {
    }

    public AdminNotFoundException(string message, Exception innerException)
        : base("not_found", message, innerException)
    {
    }
}

/// <summary>
/// The request is valid but what it names is in a state that forbids it: a job of the store is already running
/// (<c>job_running</c>), a user the sync never sends (<c>excluded_role</c>, <c>unverified_email</c>).
/// </summary>
public sealed class AdminConflictException : AdminRequestException
{
    public AdminConflictException(string code, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
    }

    public AdminConflictException()
    {
    }

    public AdminConflictException(string message)
        : base("conflict", message)
    {
    }

    public AdminConflictException(string message, Exception innerException)
        : base("conflict", message, innerException)
    {
    }
}

/// <summary>Shopify refused a call the request needed (<c>shopify_error</c>, <c>protected_customer_data</c>); the message says what to do.</summary>
public sealed class ShopifyRefusedException : AdminRequestException
{
    public ShopifyRefusedException(string code, string message, Exception? innerException = null)
        : base(code, message, innerException)
    {
    }

    public ShopifyRefusedException()
    {
    }

    public ShopifyRefusedException(string message)
        : base("shopify_error", message)
    {
    }

    public ShopifyRefusedException(string message, Exception innerException)
        : base("shopify_error", message, innerException)
    {
    }
}
