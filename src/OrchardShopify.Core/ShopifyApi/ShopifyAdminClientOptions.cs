namespace OrchardShopify.Core.ShopifyApi;

/// <summary>Retry, timeout and polling settings of the Admin API client.</summary>
public sealed class ShopifyAdminClientOptions
{
    /// <summary>Tries per call, the first included (THROTTLED, 429, 5xx, timeouts and dropped connections are retried).</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>First backoff delay; doubled per retry with jitter.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest backoff delay, also the cap on a server's Retry-After.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Time allowed for one HTTP attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First wait between bulk operation status polls; doubled up to <see cref="BulkPollMaxDelay"/>.</summary>
    public TimeSpan BulkPollInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan BulkPollMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest JSONL line accepted from a bulk export file.</summary>
    public int BulkMaxLineBytes { get; set; } = 4 * 1024 * 1024;
}
