using Microsoft.Extensions.Hosting;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>
/// Moves webhook deliveries stored in this node's inbox file into the work queue (SQLite or PostgreSQL) as soon as they
/// are stored (see <see cref="SqliteInboxFile"/>). Runs whether or not this node's workers do, so the queue, the
/// statistics, the health check and the other nodes see every stored delivery. Does nothing on in-memory SQLite, where
/// deliveries are stored in the queue itself.
/// </summary>
internal sealed class InboxMoveWorker(WebhookInbox inbox) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await inbox.RunMoverAsync(stoppingToken);
    }
}
