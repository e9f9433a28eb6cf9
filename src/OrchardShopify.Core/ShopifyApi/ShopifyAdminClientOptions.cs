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

    /// <summary>
    /// Shortest wait between bulk operation status polls. Each wait is a quarter of the time waited so far, between
    /// this and <see cref="BulkPollMaxDelay"/>, so a finished export is noticed at most a quarter of its run late.
    /// </summary>
    public TimeSpan BulkPollInitialDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest wait between bulk operation status polls.</summary>
    public TimeSpan BulkPollMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest JSONL line accepted from a bulk export file.</summary>
    public int BulkMaxLineBytes { get; set; } = 4 * 1024 * 1024;
}
