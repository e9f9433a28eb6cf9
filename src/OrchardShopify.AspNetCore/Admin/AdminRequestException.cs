namespace OrchardShopify.AspNetCore.Admin;

/// <summary>
/// An administrator's request that cannot be done as asked (unknown store, inbound sync off, a job already running…).
/// <see cref="Code"/> is stable for programs; the message says what to do and never holds a secret.
/// </summary>
public sealed class AdminRequestException : Exception
{
    public AdminRequestException(string code, string message, int statusCode = 400)
        : base(message)
    {
        Code = code;
        StatusCode = statusCode;
    }

    public AdminRequestException()
    {
        Code = "invalid_request";
        StatusCode = 400;
    }

    public AdminRequestException(string message)
        : this("invalid_request", message)
    {
    }

    public AdminRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = "invalid_request";
        StatusCode = 400;
    }

    public string Code { get; }

    public int StatusCode { get; }

    internal static AdminRequestException UnknownStore(string? handle, IEnumerable<string> configured)
        => new("unknown_store", string.IsNullOrWhiteSpace(handle)
            ? $"Name a store (store=…). Enabled stores: {string.Join(", ", configured)}."
            : $"No enabled store has the handle '{handle}'. Enabled stores: {string.Join(", ", configured)}.");
}
