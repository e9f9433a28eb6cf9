using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>
/// The one resilience pipeline of the Admin API client: per-attempt timeout inside a bounded, jittered exponential
/// retry. THROTTLED responses retry without a backoff of their own because the throttle bucket already waits for the
/// points; 429 waits for the server's Retry-After.
/// </summary>
public sealed class ShopifyAdminResilience
{
    public ShopifyAdminResilience(IOptions<ShopifyAdminClientOptions> options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var settings = options.Value;
        if (settings.MaxAttempts < 1)
        {
            throw new OptionsValidationException(nameof(ShopifyAdminClientOptions), typeof(ShopifyAdminClientOptions),
                [$"Shopify:AdminClient:MaxAttempts must be at least 1 (it is {settings.MaxAttempts})."]);
        }

        Options = settings;
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };

        // One attempt means no retry strategy at all: Polly refuses a retry strategy with no retries.
        if (settings.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = settings.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.BaseDelay,
                MaxDelay = settings.MaxDelay,
                ShouldHandle = new PredicateBuilder().Handle<ShopifyTransientFailure>().Handle<TimeoutRejectedException>(),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception switch
                {
                    ShopifyTransientFailure { Kind: TransientFailureKind.Throttled } => TimeSpan.Zero,
                    ShopifyTransientFailure { RetryAfter: { } retryAfter } => Min(retryAfter, settings.MaxDelay),
                    _ => (TimeSpan?)null,
                }),
            });
        }

        Pipeline = builder.AddTimeout(settings.AttemptTimeout).Build();
    }

    internal ShopifyAdminClientOptions Options { get; }

    internal ResiliencePipeline Pipeline { get; }

    private static TimeSpan? Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
