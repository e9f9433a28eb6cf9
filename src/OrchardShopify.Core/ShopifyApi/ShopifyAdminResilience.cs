using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Telemetry;
using Polly.Timeout;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>
/// The one resilience pipeline of the Admin API client: per-attempt timeout inside a bounded, jittered exponential
/// retry. THROTTLED responses retry without a backoff of their own because the throttle bucket already waits for the
/// points; 429 waits for the server's Retry-After. <see cref="ShopifyAdminApiServiceCollectionExtensions.AddShopifyAdminApi"/>
/// registers it with Polly's <c>AddResiliencePipeline</c> as <see cref="PipelineName"/>, so Polly's telemetry counts
/// every retry and timeout (meter <c>Polly</c>, <c>resilience.polly.strategy.events</c>, tagged with this pipeline's
/// name and the operation key <c>{store}/{operation}</c>) and logs them.
/// </summary>
public sealed class ShopifyAdminResilience
{
    /// <summary>The name the pipeline is registered under (the <c>pipeline.name</c> tag of Polly's metrics and logs).</summary>
    public const string PipelineName = "OrchardShopify.ShopifyAdmin";

    /// <summary>Builds the pipeline outside dependency injection; <paramref name="loggerFactory"/> turns on Polly's telemetry.</summary>
    public ShopifyAdminResilience(IOptions<ShopifyAdminClientOptions> options, TimeProvider timeProvider, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Options = options.Value;
        var builder = new ResiliencePipelineBuilder { Name = PipelineName, TimeProvider = timeProvider };
        Configure(builder, Options);
        if (loggerFactory is not null)
        {
            builder.ConfigureTelemetry(loggerFactory);
        }

        Pipeline = builder.Build();
    }

    internal ShopifyAdminResilience(ShopifyAdminClientOptions options, ResiliencePipeline pipeline)
    {
        Options = options;
        Pipeline = pipeline;
    }

    internal ShopifyAdminClientOptions Options { get; }

    internal ResiliencePipeline Pipeline { get; }

    /// <summary>Adds the retry and the per-attempt timeout to <paramref name="builder"/>.</summary>
    internal static void Configure(ResiliencePipelineBuilder builder, ShopifyAdminClientOptions settings)
    {
        if (settings.MaxAttempts < 1)
        {
            throw new OptionsValidationException(nameof(ShopifyAdminClientOptions), typeof(ShopifyAdminClientOptions),
                [$"Shopify:AdminClient:MaxAttempts must be at least 1 (it is {settings.MaxAttempts})."]);
        }

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

        builder.AddTimeout(settings.AttemptTimeout);
    }

    private static TimeSpan? Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
