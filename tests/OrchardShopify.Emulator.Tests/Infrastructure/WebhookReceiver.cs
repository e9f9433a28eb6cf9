using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrchardShopify.Emulator.Tests.Infrastructure;

public sealed record ReceivedWebhook(IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset ReceivedAt)
{
    public string Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : string.Empty;
}

/// <summary>A tiny Kestrel app on 127.0.0.1 that records webhook requests byte for byte.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Channel<ReceivedWebhook> _received = Channel.CreateUnbounded<ReceivedWebhook>();

    private WebhookReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public ConcurrentQueue<ReceivedWebhook> All { get; } = new();

    /// <summary>Status code to answer with; defaults to 200.</summary>
    public Func<int> Respond { get; set; } = () => 200;

    /// <summary>How long to stall before answering; lets a test exceed the sender's timeout.</summary>
    public Func<TimeSpan> Stall { get; set; } = () => TimeSpan.Zero;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/{**path}", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            var webhook = new ReceivedWebhook(headers, buffer.ToArray(), DateTimeOffset.UtcNow);
            receiver!.All.Enqueue(webhook);
            await receiver._received.Writer.WriteAsync(webhook);
            var stall = receiver.Stall();
            if (stall > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(stall, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            http.Response.StatusCode = receiver.Respond();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver = new WebhookReceiver(app, new Uri(address + "/webhooks"));
        return receiver;
    }

    public async Task<ReceivedWebhook> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await _received.Reader.ReadAsync(cts.Token);
    }

    public async Task<IReadOnlyList<ReceivedWebhook>> TakeAsync(int count, TimeSpan? timeout = null)
    {
        var list = new List<ReceivedWebhook>();
        for (var i = 0; i < count; i++)
        {
            list.Add(await NextAsync(timeout));
        }

        return list;
    }

    /// <summary>True when nothing else arrives within the quiet period.</summary>
    public async Task<bool> StaysQuietAsync(TimeSpan period)
    {
        using var cts = new CancellationTokenSource(period);
        try
        {
            await _received.Reader.WaitToReadAsync(cts.Token);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
