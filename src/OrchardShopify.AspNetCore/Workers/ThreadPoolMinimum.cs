using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>
/// Raises the .NET thread pool's minimum of worker threads to <see cref="ShopifyQueueOptions.MinThreads"/> on a node
/// whose workers run (never lowers it). Webhook requests and the workers' apply share the pool, which starts with one
/// thread per processor and adds more only slowly when work waits: while the workers apply a batch they hold those
/// threads, and a webhook's next step waits in the pool's queue behind theirs. With a few more threads than processors,
/// a webhook gets a thread at once and the operating system shares the processors between it and the apply.
/// </summary>
internal sealed partial class ThreadPoolMinimum(IOptionsMonitor<ShopifyHostOptions> options, ILogger<ThreadPoolMinimum> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var queue = options.CurrentValue.Queue;
        if (queue.WorkersEnabled && queue.MinThreads > 0)
        {
            ThreadPool.GetMinThreads(out var workers, out var completionPorts);
            if (workers < queue.MinThreads && ThreadPool.SetMinThreads(queue.MinThreads, completionPorts))
            {
                Log.Raised(logger, workers, queue.MinThreads);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Thread pool minimum raised from {Before} to {After} worker threads (the sync's Queue:MinThreads setting), so webhooks get a thread while the workers apply")]
        public static partial void Raised(ILogger logger, int before, int after);
    }
}
