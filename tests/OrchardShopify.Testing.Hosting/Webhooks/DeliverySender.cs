namespace OrchardShopify.Testing.Hosting.Webhooks;

/// <summary>What became of one request: the status code, or the error when no answer came (connection refused or reset).</summary>
public sealed record DeliveryResult(SignedDelivery Delivery, int? StatusCode, string? Error)
{
    public bool Acknowledged => StatusCode is >= 200 and < 300;
}

/// <summary>Sends deliveries from several concurrent senders, as Shopify's delivery workers do, and records every answer.</summary>
public static class DeliverySender
{
    /// <summary>Sends until all are sent or <paramref name="cancellationToken"/> stops the senders; deliveries never sent have no result.</summary>
    public static async Task<IReadOnlyList<DeliveryResult>> SendAsync(
        HttpClient http,
        IReadOnlyList<SignedDelivery> deliveries,
        int senders,
        CancellationToken cancellationToken,
        Action<DeliveryResult>? onResult = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(deliveries);
        var results = new DeliveryResult?[deliveries.Count];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(
            async () =>
            {
                int index;
                while (!cancellationToken.IsCancellationRequested && (index = Interlocked.Increment(ref next)) < deliveries.Count)
                {
                    var result = await SendOneAsync(http, deliveries[index]);
                    results[index] = result;
                    onResult?.Invoke(result);
                }
            },
            CancellationToken.None)));
        return [.. results.OfType<DeliveryResult>()];
    }

    public static async Task<DeliveryResult> SendOneAsync(HttpClient http, SignedDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(delivery);
        using var request = delivery.ToRequest();
        try
        {
            using var response = await http.SendAsync(request);
            return new DeliveryResult(delivery, (int)response.StatusCode, null);
        }
        catch (HttpRequestException failure)
        {
            return new DeliveryResult(delivery, null, failure.Message);
        }
        catch (TaskCanceledException timeout)
        {
            return new DeliveryResult(delivery, null, timeout.Message);
        }
    }
}
