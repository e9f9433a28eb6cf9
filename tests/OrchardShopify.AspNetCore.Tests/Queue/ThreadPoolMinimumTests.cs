using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OrchardShopify.Testing.Hosting.Sites;

namespace OrchardShopify.AspNetCore.Tests.Queue;

/// <summary>
/// A node whose workers apply raises the thread pool's minimum (<c>Queue:MinThreads</c>), so webhook requests get a
/// thread while the apply holds the others; a node that only receives webhooks leaves the pool as it is.
/// </summary>
public sealed class ThreadPoolMinimumTests
{
    [Fact]
    public async Task A_node_whose_workers_run_raises_the_thread_pools_minimum_and_a_receiving_node_leaves_it()
    {
        // Minimums no other test asks for: what the pool holds afterwards is these sites' doing.
        await using (await SyncSite.StartAsync(new SyncSiteOptions
        {
            Folder = SyncSite.NewFolder(),
            Settings = new Dictionary<string, string?> { ["Shopify:Queue:WorkersEnabled"] = "false", ["Shopify:Queue:MinThreads"] = "61" },
        }))
        {
            ThreadPool.GetMinThreads(out var workers, out _);
            Assert.True(workers < 61, $"a node without workers raised the thread pool's minimum to {workers}");
        }

        var logs = new FakeLogCollector();
        await using (await SyncSite.StartAsync(new SyncSiteOptions
        {
            Folder = SyncSite.NewFolder(),
            Logs = logs,
            Settings = new Dictionary<string, string?> { ["Shopify:Queue:MinThreads"] = "53" },
        }))
        {
            ThreadPool.GetMinThreads(out var workers, out _);
            Assert.True(workers >= 53, $"the thread pool keeps {workers} worker threads at least");
            Assert.Contains(logs.GetSnapshot(), e => e.Level == LogLevel.Information && e.Message.Contains("to 53 worker threads", StringComparison.Ordinal));
        }
    }
}
