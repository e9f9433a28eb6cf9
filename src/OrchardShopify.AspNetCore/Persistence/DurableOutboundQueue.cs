using Microsoft.EntityFrameworkCore;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary><see cref="IOutboundSyncQueue"/> in the sync database, worked by the outbound worker with the inbox's retry rules.</summary>
internal sealed class DurableOutboundQueue(SyncDatabase database, WorkSignals signals, TimeProvider time) : IOutboundSyncQueue
{
    public const string PushTopic = "user/push";

    /// <summary>The topic of a push an administrator asked for (<see cref="OutboundPush.Deliberate"/>).</summary>
    public const string SendTopic = "user/send";

    public async ValueTask EnqueueAsync(OutboundPush push, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(push);
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
        var db = unit.Db;

        // A push waiting to start already sends the user's latest state: one is enough (made deliberate when this one is).
        var waiting = await db.WorkItems.FirstOrDefaultAsync(
            w => w.Kind == WorkKind.OutboundPush && w.Status == WorkStatus.Pending && w.UserId == push.UserId && w.StoreHandle == push.StoreHandle,
            cancellationToken);
        if (waiting is not null)
        {
            if (push.Deliberate && waiting.Topic != SendTopic)
            {
                waiting.Topic = SendTopic;
                await db.SaveChangesAsync(cancellationToken);
            }
        }
        else
        {
            var now = UnixTime.From(time.GetUtcNow());
            db.WorkItems.Add(new WorkItem
            {
                Kind = WorkKind.OutboundPush,
                StoreHandle = push.StoreHandle,
                Topic = push.Deliberate ? SendTopic : PushTopic,
                UserId = push.UserId,
                Status = WorkStatus.Pending,
                NextAttemptAt = now,
                ReceivedAt = UnixTime.From(push.RequestedAt),
            });
            await db.SaveChangesAsync(cancellationToken);
        }

        signals.Wake(WorkKind.OutboundPush);
    }
}
