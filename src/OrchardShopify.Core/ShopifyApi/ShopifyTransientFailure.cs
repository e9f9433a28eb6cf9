namespace OrchardShopify.Core.ShopifyApi;

internal enum TransientFailureKind
{
    Throttled,
    RateLimited,
    ServerError,
    Timeout,
    ConnectionFailed,
}

/// <summary>
/// A failure of one attempt that a later attempt may not have. <see cref="MayHaveBeenApplied"/> marks failures after
/// which Shopify may have executed the request (timeouts, 5xx, dropped connections): a mutation is not repeated blindly.
/// </summary>
internal sealed class ShopifyTransientFailure : Exception
{
    public ShopifyTransientFailure(TransientFailureKind kind, string message, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        RetryAfter = retryAfter;
    }

    public ShopifyTransientFailure()
    {
    }

    public ShopifyTransientFailure(string message)
        : base(message)
    {
    }

    public ShopifyTransientFailure(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TransientFailureKind Kind { get; }

    public TimeSpan? RetryAfter { get; }

    public bool MayHaveBeenApplied => Kind is TransientFailureKind.ServerError or TransientFailureKind.Timeout or TransientFailureKind.ConnectionFailed;
}
