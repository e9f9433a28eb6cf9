using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>
/// A background loop that does one round of scheduled work (<see cref="RunOnceAsync"/>), then waits its poll interval
/// on the host's clock. A failed round is logged as a warning naming the work, and the next round tries again: the
/// database or Shopify may be briefly unavailable. Used by the scheduled catch-up, the scheduled reconciliation and the
/// webhook subscription check.
/// </summary>
internal abstract partial class PollingWorker(TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>The longest wait between rounds, whatever the interval: a shortened interval takes effect within it.</summary>
    protected static readonly TimeSpan MaxPoll = TimeSpan.FromMinutes(1);

    /// <summary>What the worker does, for the log: "Shopify catch-up".</summary>
    protected abstract string Work { get; }

    /// <summary>How long to wait after a round, read each time (settings may change while the site runs).</summary>
    protected abstract TimeSpan NextPoll();

    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The database or Shopify may be briefly unavailable; the next round tries again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.RoundFailed(logger, ex, Work);
            }

            await Task.Delay(NextPoll(), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Work} failed; the next round tries again")]
        public static partial void RoundFailed(ILogger logger, Exception exception, string work);
    }
}
