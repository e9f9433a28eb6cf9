using Microsoft.Extensions.Options;

namespace OrchardShopify.AspNetCore.DependencyInjection;

internal sealed class ShopifyHostOptionsValidator : IValidateOptions<ShopifyHostOptions>
{
    public ValidateOptionsResult Validate(string? name, ShopifyHostOptions options)
    {
        const string root = "Shopify";
        var errors = new List<string>();
        var queue = options.Queue;
        if (queue.MaxAttempts is < 1 or > 100)
        {
            errors.Add($"{root}:Queue:MaxAttempts must be between 1 and 100 (was {queue.MaxAttempts}).");
        }

        if (queue.RetryBaseDelay <= TimeSpan.Zero || queue.RetryMaxDelay < queue.RetryBaseDelay)
        {
            errors.Add($"{root}:Queue:RetryBaseDelay must be positive and not above {root}:Queue:RetryMaxDelay.");
        }

        if (queue.LeaseDuration < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{root}:Queue:LeaseDuration must be at least one second (was {queue.LeaseDuration}).");
        }

        if (queue.WorkerNice is < 0 or > 19)
        {
            errors.Add($"{root}:Queue:WorkerNice must be between 0 and 19 (was {queue.WorkerNice}).");
        }

        if (queue.PollInterval <= TimeSpan.Zero)
        {
            errors.Add($"{root}:Queue:PollInterval must be positive.");
        }

        if (queue.BatchSize is < 1 or > 500)
        {
            errors.Add($"{root}:Queue:BatchSize must be between 1 and 500 (was {queue.BatchSize}).");
        }

        for (var i = 0; i < options.PublicUrls.Count; i++)
        {
            var url = options.PublicUrls[i];
            if (url is null || !url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || url.Query.Length > 0 || url.Fragment.Length > 0)
            {
                errors.Add($"{root}:PublicUrls:{i} must be the site's absolute http(s) address without a query, like https://shop.example.com/ (was '{url}').");
            }
        }

        if (queue.MinThreads is < 0 or > 1024)
        {
            errors.Add($"{root}:Queue:MinThreads must be between 0 (leave the thread pool as it is) and 1024 (was {queue.MinThreads}).");
        }

        if (queue.Concurrency is < 1 or > 64)
        {
            errors.Add($"{root}:Queue:Concurrency must be between 1 and 64 (was {queue.Concurrency}).");
        }

        if (queue.InboundWorkers is < 1 or > 16)
        {
            errors.Add($"{root}:Queue:InboundWorkers must be between 1 and 16 (was {queue.InboundWorkers}).");
        }

        if (options.SyncLogRetention < TimeSpan.FromDays(2))
        {
            // Deliveries can arrive up to a day late (retries span 4 hours); the inbox must remember their ids longer than that.
            errors.Add($"{root}:SyncLogRetention must be at least 2 days (was {options.SyncLogRetention}).");
        }

        if (options.CustomerCacheDuration <= TimeSpan.Zero || options.CustomerCacheDuration > TimeSpan.FromDays(1))
        {
            errors.Add($"{root}:CustomerCacheDuration must be positive and at most one day (was {options.CustomerCacheDuration}).");
        }

        if (options.Storage.Provider == ShopifyStorageProvider.PostgreSql && string.IsNullOrWhiteSpace(options.Storage.ConnectionString))
        {
            errors.Add($"{root}:Storage:ConnectionString is required when {root}:Storage:Provider is PostgreSql.");
        }

        if (options.Storage.SqliteBusyTimeout < TimeSpan.Zero || options.Storage.SqliteBusyTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{root}:Storage:SqliteBusyTimeout must be between 0 and 10 minutes (was {options.Storage.SqliteBusyTimeout}).");
        }

        if (!Enum.IsDefined(options.Storage.SqliteSynchronous))
        {
            errors.Add($"{root}:Storage:SqliteSynchronous must be Full or Normal.");
        }

        var catchUp = options.CatchUp;
        if (catchUp.Interval < TimeSpan.FromSeconds(1) || catchUp.Interval > TimeSpan.FromDays(7))
        {
            errors.Add($"{root}:CatchUp:Interval must be between 00:00:01 and 7.00:00:00 (was {catchUp.Interval}); set {root}:CatchUp:Enabled to false to turn the catch-up off.");
        }

        if (catchUp.Overlap < TimeSpan.Zero || catchUp.Overlap > TimeSpan.FromHours(1))
        {
            errors.Add($"{root}:CatchUp:Overlap must be between 00:00:00 and 01:00:00 (was {catchUp.Overlap}).");
        }

        var reconciliation = options.ScheduledReconciliation;
        if (reconciliation.Interval < TimeSpan.FromSeconds(1) || reconciliation.Interval > TimeSpan.FromDays(31))
        {
            errors.Add($"{root}:ScheduledReconciliation:Interval must be between 00:00:01 and 31.00:00:00 (was {reconciliation.Interval}); set {root}:ScheduledReconciliation:Enabled to false to turn the scheduled reconciliation off.");
        }

        if (options.HealthMaxReconciliationDrift < 0)
        {
            errors.Add($"{root}:HealthMaxReconciliationDrift must be 0 or more (was {options.HealthMaxReconciliationDrift}); leave it empty not to check the count.");
        }

        if (options.HealthMaxReconciliationDriftShare is < 0 or > 1 or double.NaN)
        {
            errors.Add($"{root}:HealthMaxReconciliationDriftShare must be between 0 and 1 (was {options.HealthMaxReconciliationDriftShare}); 0.01 is 1 %.");
        }

        if (options.AdminApiKey is { Length: > 0 and < 16 })
        {
            errors.Add($"{root}:AdminApiKey must be at least 16 characters when set.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
