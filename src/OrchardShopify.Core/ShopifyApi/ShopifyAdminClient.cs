using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrchardShopify.Core.Configuration;
using Polly;
using Polly.Timeout;

namespace OrchardShopify.Core.ShopifyApi;

/// <summary>
/// Typed HttpClient for the GraphQL Admin API. One instance serves every store: each call names its store, which gives
/// the endpoint (<c>{ApiBaseUrl}/admin/api/{ApiVersion}/graphql.json</c>), the access token and the throttle bucket.
/// </summary>
public sealed partial class ShopifyAdminClient
{
    internal const string AccessTokenHeader = "X-Shopify-Access-Token";

    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;
    private readonly ThrottleBucketRegistry _buckets;
    private readonly ShopifyAdminResilience _resilience;
    private readonly ILogger<ShopifyAdminClient> _logger;

    public ShopifyAdminClient(HttpClient httpClient, ThrottleBucketRegistry buckets, ShopifyAdminResilience resilience, ILogger<ShopifyAdminClient> logger)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(resilience);
        ArgumentNullException.ThrowIfNull(logger);
        _http = httpClient;
        _buckets = buckets;
        _resilience = resilience;
        _logger = logger;
    }

    internal ShopifyAdminClientOptions Options => _resilience.Options;

    /// <summary><c>{ApiBaseUrl}/admin/api/{version}/graphql.json</c>, keeping any path prefix of ApiBaseUrl (the emulator's <c>/shops/{domain}</c>).</summary>
    public static Uri GraphQLEndpoint(ShopifyStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var baseUri = store.ApiBaseUrl.AbsoluteUri;
        if (!baseUri.EndsWith('/'))
        {
            baseUri += "/";
        }

        return new Uri(new Uri(baseUri), $"admin/api/{Uri.EscapeDataString(store.ApiVersion)}/graphql.json");
    }

    /// <summary>
    /// Sends <paramref name="request"/> through the throttle bucket and the retry pipeline and maps the <c>data</c>
    /// object with <paramref name="read"/> while the response is alive. When an attempt failed in a way that Shopify
    /// may still have applied, <paramref name="checkApplied"/> runs before the next attempt: a non-null result is
    /// returned instead of sending again.
    /// </summary>
    internal async Task<T> ExecuteAsync<T>(
        ShopifyStore store,
        ShopifyRequest request,
        Func<JsonElement, T> read,
        CancellationToken cancellationToken,
        Func<CancellationToken, Task<T?>>? checkApplied = null)
        where T : class?
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!store.CanCallAdminApi)
        {
            throw new ShopifyApiException(store.Handle, request.Operation, "no access token is configured for this store", isTransient: false);
        }

        var bucket = _buckets.For(store);
        var endpoint = GraphQLEndpoint(store);
        var mayHaveBeenApplied = false;
        var cost = request.EstimatedCost;
        var attempt = 0;

        // The operation key names store and operation in Polly's telemetry (logs and the operation.key metric tag).
        var context = ResilienceContextPool.Shared.Get($"{store.Handle}/{request.Operation}", cancellationToken);
        try
        {
            return await _resilience.Pipeline.ExecuteAsync(
                async attemptContext =>
                {
                    var attemptToken = attemptContext.CancellationToken;
                    attempt++;
                    if (mayHaveBeenApplied && checkApplied is not null)
                    {
                        var existing = await checkApplied(cancellationToken).ConfigureAwait(false);
                        if (existing is not null)
                        {
                            LogFoundAfterAmbiguousFailure(store.Handle, request.Operation);
                            return existing;
                        }
                    }

                    try
                    {
                        return await SendOnceAsync(store, bucket, endpoint, request, cost, read, attemptToken, cancellationToken).ConfigureAwait(false);
                    }
                    catch (ShopifyTransientFailure failure)
                    {
                        mayHaveBeenApplied |= failure.MayHaveBeenApplied;
                        if (failure is { Kind: TransientFailureKind.Throttled, Data: { } data } && data["requestedCost"] is int requested)
                        {
                            cost = Math.Max(cost, requested);
                        }

                        LogAttemptFailed(store.Handle, request.Operation, attempt, Options.MaxAttempts, failure.Kind, failure.Message,
                            attempt < Options.MaxAttempts ? "retrying" : "giving up");
                        throw;
                    }
                },
                context).ConfigureAwait(false);
        }
        catch (ShopifyTransientFailure failure)
        {
            throw new ShopifyApiException(store.Handle, request.Operation, $"{failure.Message} (gave up after {Options.MaxAttempts} attempts)", isTransient: true, failure);
        }
        catch (TimeoutRejectedException timeout)
        {
            throw new ShopifyApiException(store.Handle, request.Operation, $"no answer within {Options.AttemptTimeout.TotalSeconds:0.#} s (gave up after {Options.MaxAttempts} attempts)", isTransient: true, timeout);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Opens a bulk operation result file. The access token is not sent: the URL is pre-signed storage.</summary>
    internal async Task<Stream> OpenDownloadAsync(ShopifyStore store, Uri url, CancellationToken cancellationToken)
    {
        HttpResponseMessage? response = null;
        try
        {
            response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var transient = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
                throw new ShopifyApiException(store.Handle, "bulk download", $"HTTP {(int)response.StatusCode} fetching the result file", transient);
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new OwningStream(stream, response);
        }
        catch (HttpRequestException failure)
        {
            response?.Dispose();
            throw new ShopifyApiException(store.Handle, "bulk download", $"could not fetch the result file: {failure.Message}", isTransient: true, failure);
        }
        catch (ShopifyApiException)
        {
            response?.Dispose();
            throw;
        }
    }

    private async Task<T> SendOnceAsync<T>(
        ShopifyStore store,
        ThrottleBucket bucket,
        Uri endpoint,
        ShopifyRequest request,
        int cost,
        Func<JsonElement, T> read,
        CancellationToken cancellationToken,
        CancellationToken callerToken)
    {
        var reservation = await bucket.AcquireAsync(cost, cancellationToken).ConfigureAwait(false);
        if (reservation.Waited > TimeSpan.Zero)
        {
            LogWaitedForBucket(store.Handle, request.Operation, reservation.Waited.TotalMilliseconds, cost);
        }

        var settled = false;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, endpoint)
            {
                Content = JsonContent.Create(new GraphQLBody(request.Document.Text, request.Document.OperationName, request.Variables), options: BodyJson),
            };
            message.Headers.TryAddWithoutValidation(AccessTokenHeader, store.AccessToken);
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException failure)
            {
                throw new ShopifyTransientFailure(TransientFailureKind.ConnectionFailed, $"connection failed: {failure.Message}", innerException: failure);
            }
            catch (OperationCanceledException timeout) when (!callerToken.IsCancellationRequested)
            {
                throw new ShopifyTransientFailure(TransientFailureKind.Timeout, "the request timed out", innerException: timeout);
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    throw new ShopifyTransientFailure(TransientFailureKind.RateLimited, "rate limited (HTTP 429)", RetryAfterOf(response));
                }

                if (status >= 500)
                {
                    throw new ShopifyTransientFailure(TransientFailureKind.ServerError, $"server error (HTTP {status})", RetryAfterOf(response));
                }

                if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    throw new ShopifyApiException(store.Handle, request.Operation, $"access denied (HTTP {status}); check the store's access token and its scopes", isTransient: false);
                }

                JsonDocument json;
                try
                {
                    var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    json = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (JsonException malformed)
                {
                    throw new ShopifyApiException(store.Handle, request.Operation, $"HTTP {status} with a body that is not JSON", isTransient: false, malformed);
                }
                catch (OperationCanceledException timeout) when (!callerToken.IsCancellationRequested)
                {
                    throw new ShopifyTransientFailure(TransientFailureKind.Timeout, "the response timed out", innerException: timeout);
                }

                using (json)
                {
                    var root = json.RootElement;
                    var report = CostOf(root);
                    bucket.Settle(reservation, report.Actual, report.Status);
                    settled = true;

                    var errors = ErrorsOf(root);
                    if (errors.Throttled)
                    {
                        var throttled = new ShopifyTransientFailure(TransientFailureKind.Throttled, "throttled (THROTTLED)");
                        if (report.Requested is { } requested)
                        {
                            throttled.Data["requestedCost"] = (int)Math.Ceiling(requested);
                        }

                        throw throttled;
                    }

                    if (status >= 400)
                    {
                        throw new ShopifyApiException(store.Handle, request.Operation, $"HTTP {status}: {errors.Message ?? "request rejected"}", isTransient: false);
                    }

                    if (errors.Message is not null)
                    {
                        throw new ShopifyApiException(store.Handle, request.Operation, errors.Message, isTransient: false);
                    }

                    if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
                    {
                        throw new ShopifyApiException(store.Handle, request.Operation, "the response has no data", isTransient: false);
                    }

                    return read(data);
                }
            }
        }
        finally
        {
            if (!settled)
            {
                // No cost report: nothing is known to have been charged, so the reservation is returned.
                bucket.Settle(reservation, 0, null);
            }
        }
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response)
    {
        // Shopify sends seconds, possibly fractional ("2.0"), which the typed header parser rejects.
        if (response.Headers.TryGetValues("Retry-After", out var values))
        {
            var value = values.FirstOrDefault()?.Trim();
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                var delay = at - DateTimeOffset.UtcNow;
                return delay > TimeSpan.Zero ? delay : TimeSpan.Zero;
            }
        }

        return null;
    }

    private static (double? Requested, double? Actual, ThrottleStatus? Status) CostOf(JsonElement root)
    {
        if (!root.TryGetProperty("extensions", out var extensions) || extensions.ValueKind != JsonValueKind.Object
            || !extensions.TryGetProperty("cost", out var cost) || cost.ValueKind != JsonValueKind.Object)
        {
            return (null, null, null);
        }

        ThrottleStatus? status = null;
        if (cost.TryGetProperty("throttleStatus", out var throttle) && throttle.ValueKind == JsonValueKind.Object)
        {
            status = new ThrottleStatus(
                throttle.GetDoubleOrNull("maximumAvailable") ?? 0,
                throttle.GetDoubleOrNull("currentlyAvailable") ?? 0,
                throttle.GetDoubleOrNull("restoreRate") ?? 0);
        }

        return (cost.GetDoubleOrNull("requestedQueryCost"), cost.GetDoubleOrNull("actualQueryCost"), status);
    }

    private static (bool Throttled, string? Message) ErrorsOf(JsonElement root)
    {
        if (!root.TryGetProperty("errors", out var errors))
        {
            return (false, null);
        }

        if (errors.ValueKind == JsonValueKind.String)
        {
            return (false, errors.GetString());
        }

        if (errors.ValueKind != JsonValueKind.Array || errors.GetArrayLength() == 0)
        {
            return (false, errors.ValueKind == JsonValueKind.Object ? errors.GetRawText() : null);
        }

        var throttled = false;
        var messages = new List<string>();
        foreach (var error in errors.EnumerateArray())
        {
            if (error.TryGetProperty("extensions", out var ext) && ext.ValueKind == JsonValueKind.Object
                && string.Equals(ext.GetStringOrNull("code"), "THROTTLED", StringComparison.Ordinal))
            {
                throttled = true;
            }

            var text = error.GetStringOrNull("message");
            if (!string.IsNullOrEmpty(text))
            {
                messages.Add(text);
            }
        }

        return (throttled, messages.Count == 0 ? "GraphQL error" : string.Join("; ", messages));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shopify store {Store}: waited {WaitedMs} ms for {Cost} points before {Operation}")]
    private partial void LogWaitedForBucket(string store, string operation, double waitedMs, int cost);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify store {Store}: {Operation} attempt {Attempt} of {MaxAttempts} failed ({Kind}): {Reason}; {Next}")]
    private partial void LogAttemptFailed(string store, string operation, int attempt, int maxAttempts, TransientFailureKind kind, string reason, string next);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shopify store {Store}: {Operation} had been applied before the failed attempt; not sending it again")]
    private partial void LogFoundAfterAmbiguousFailure(string store, string operation);

    private sealed record GraphQLBody(string Query, string OperationName, IReadOnlyDictionary<string, object?> Variables);
}
