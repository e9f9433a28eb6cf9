using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using OrchardShopify.Emulator.Control;

namespace OrchardShopify.Emulator.Webhooks;

public sealed record WebhookDeliveryAttempt(
    long Sequence,
    string WebhookId,
    string EventId,
    string ShopDomain,
    string Topic,
    long SubscriptionId,
    string CallbackUrl,
    int Attempt,
    int Copy,
    int? StatusCode,
    string? Error,
    bool Succeeded,
    bool SignatureCorrupted,
    bool SubscriptionRemoved,
    DateTimeOffset AttemptedAt,
    double DurationMs);

/// <summary>A message about to be sent: the body bytes are fixed once so every retry carries the original payload.</summary>
public sealed record WebhookMessage(string ShopDomain, string Topic, byte[] Body, string EventId, DateTimeOffset TriggeredAt, string ApiVersion);

public sealed class DeliveryLog
{
    private const int Capacity = 20_000;
    private readonly ConcurrentQueue<WebhookDeliveryAttempt> _attempts = new();
    private long _sequence;

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public void Add(WebhookDeliveryAttempt attempt)
    {
        _attempts.Enqueue(attempt);
        while (_attempts.Count > Capacity && _attempts.TryDequeue(out _))
        {
        }
    }

    public IReadOnlyList<WebhookDeliveryAttempt> Snapshot() => [.. _attempts.OrderBy(a => a.Sequence)];

    public void Clear() => _attempts.Clear();
}

/// <summary>
/// Delivers webhooks with Shopify's headers, 5 s timeout and retry schedule (8 tries over 4 hours, divided by the time scale),
/// removing a subscription after 8 consecutive failures.
/// </summary>
public sealed class WebhookDispatcher : IAsyncDisposable
{
    public const int MaxAttempts = 8;
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan RetryWindow = TimeSpan.FromHours(4);

    private readonly WebhookSubscriptionStore _subscriptions;
    private readonly FaultState _faults;
    private readonly DeliveryLog _log;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly double _timeScale;
    private readonly Func<string> _secret;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();

    public WebhookDispatcher(WebhookSubscriptionStore subscriptions, FaultState faults, DeliveryLog log, TimeProvider time, double timeScale, Func<string> secret)
    {
        _subscriptions = subscriptions;
        _faults = faults;
        _log = log;
        _time = time;
        _timeScale = timeScale;
        _secret = secret;
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(1),
            AllowAutoRedirect = false,
            UseProxy = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary>Intervals between the 8 tries: exponential (doubling) and summing to 4 hours.</summary>
    public static IReadOnlyList<TimeSpan> RetryIntervals { get; } =
        [.. Enumerable.Range(0, MaxAttempts - 1).Select(i => RetryWindow * (Math.Pow(2, i) / (Math.Pow(2, MaxAttempts - 1) - 1)))];

    public int InFlight => _inFlight.Count;

    public void Publish(WebhookMessage message)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        foreach (var subscription in _subscriptions.ForTopic(message.ShopDomain, WebhookTopics.FromHeader(message.Topic)))
        {
            var webhookId = Guid.NewGuid().ToString();
            var faults = _faults.Current;
            var copies = faults.DuplicateDeliveriesMax is { } max && max > faults.DuplicateDeliveries
                ? faults.DuplicateDeliveries + _faults.Next(max - faults.DuplicateDeliveries + 1)
                : faults.DuplicateDeliveries;
            for (var copy = 1; copy <= copies; copy++)
            {
                var holdMs = faults.ShuffleDeliveries ? _faults.Next(faults.ShuffleWindowMs + 1) : 0;
                var copyNumber = copy;
                Track(Task.Run(() => DeliverAsync(subscription, message, webhookId, copyNumber, holdMs, _stopping.Token)));
            }
        }
    }

    /// <summary>Waits until no delivery is pending or in retry; used by tests and the reset endpoint.</summary>
    public async Task WaitIdleAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!_inFlight.IsEmpty && System.Diagnostics.Stopwatch.GetElapsedTime(started) < timeout)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    public static string Sign(ReadOnlySpan<byte> body, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private void Track(Task task)
    {
        _inFlight[task] = 0;
        task.ContinueWith(t => _inFlight.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task DeliverAsync(WebhookSubscription subscription, WebhookMessage message, string webhookId, int copy, int holdMs, CancellationToken cancellationToken)
    {
        try
        {
            if (holdMs > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(holdMs), _time, cancellationToken);
            }

            for (var attempt = 1; attempt <= MaxAttempts; attempt++)
            {
                if (_subscriptions.Find(subscription.ShopDomain, subscription.Id) is null)
                {
                    return;
                }

                var succeeded = await AttemptAsync(subscription, message, webhookId, copy, attempt, cancellationToken);
                if (succeeded || attempt == MaxAttempts)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromTicks((long)(RetryIntervals[attempt - 1].Ticks / _timeScale)), _time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task<bool> AttemptAsync(WebhookSubscription subscription, WebhookMessage message, string webhookId, int copy, int attempt, CancellationToken cancellationToken)
    {
        var faults = _faults.Current;
        if (faults.WebhookLatencyMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(faults.WebhookLatencyMs), _time, cancellationToken);
        }

        var corrupt = faults.WrongSignature;
        var signature = Sign(message.Body, corrupt ? _secret() + "-wrong" : _secret());
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.CallbackUrl)
        {
            Content = new ByteArrayContent(message.Body),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation("X-Shopify-Topic", message.Topic);
        request.Headers.TryAddWithoutValidation("X-Shopify-Hmac-Sha256", signature);
        request.Headers.TryAddWithoutValidation("X-Shopify-Shop-Domain", message.ShopDomain);
        request.Headers.TryAddWithoutValidation("X-Shopify-API-Version", subscription.ApiVersion);
        request.Headers.TryAddWithoutValidation("X-Shopify-Webhook-Id", webhookId);
        request.Headers.TryAddWithoutValidation("X-Shopify-Event-Id", message.EventId);
        request.Headers.TryAddWithoutValidation("X-Shopify-Triggered-At", message.TriggeredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("User-Agent", "Shopify-Captain-Hook");

        var started = _time.GetTimestamp();
        int? status = null;
        string? error = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ResponseTimeout);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            if (status is < 200 or > 299)
            {
                error = $"HTTP {status}";
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = "Timed out after 5 s";
        }
        catch (HttpRequestException exception)
        {
            error = exception.Message;
        }

        var succeeded = error is null;
        var removed = false;
        if (succeeded)
        {
            subscription.RecordSuccess();
        }
        else if (subscription.RecordFailure() >= MaxAttempts)
        {
            removed = _subscriptions.Remove(subscription.ShopDomain, subscription.Id);
        }

        _log.Add(new WebhookDeliveryAttempt(
            _log.NextSequence(), webhookId, message.EventId, message.ShopDomain, message.Topic, subscription.Id,
            subscription.CallbackUrl.ToString(), attempt, copy, status, error, succeeded, corrupt, removed,
            _time.GetUtcNow(), _time.GetElapsedTime(started).TotalMilliseconds));
        return succeeded;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await Task.WhenAll(_inFlight.Keys).WaitAsync(TimeSpan.FromSeconds(6));
        }
        catch (Exception exception) when (exception is OperationCanceledException or TimeoutException)
        {
        }

        _http.Dispose();
        _stopping.Dispose();
    }
}
