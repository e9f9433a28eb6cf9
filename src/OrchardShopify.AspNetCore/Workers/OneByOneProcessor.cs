using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>
/// Works items outside a batch transaction, each committed and reported on its own. With a concurrency above one (inbound
/// deliveries on PostgreSQL that no batch transaction can hold: <c>Queue:Concurrency</c>), deliveries of different customers are worked that many at a time
/// (each item waits mostly on its own round trips and commits); deliveries of one customer stay in their order, and one
/// without a customer (shop/redact) waits for those before it and holds back those after it. SQLite has one writer, and
/// pushes go one at a time: there, items are worked one after another.
/// </summary>
internal sealed class OneByOneProcessor(WorkItemSteps steps, Func<int> concurrency) : IWorkProcessor
{
    public async Task ProcessAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken)
    {
        var lanes = concurrency();
        var segment = new List<(WorkItem Item, long Customer)>();
        foreach (var item in items)
        {
            var customer = lanes > 1 ? steps.Handler.CustomerOf(item) : null;
            if (customer is { } id)
            {
                segment.Add((item, id));
                continue;
            }

            await WorkLanesAsync(segment, lanes, cancellationToken);
            segment.Clear();
            await steps.WorkAsync(item, cancellationToken);
        }

        await WorkLanesAsync(segment, lanes, cancellationToken);
    }

    /// <summary>
    /// Works the items in up to <paramref name="concurrency"/> lanes: customers are dealt to the lanes in turn as they
    /// first appear, and all items of one customer go to that customer's lane, in order.
    /// </summary>
    private Task WorkLanesAsync(List<(WorkItem Item, long Customer)> items, int concurrency, CancellationToken cancellationToken)
    {
        if (items.Count == 0)
        {
            return Task.CompletedTask;
        }

        var lanes = new List<List<WorkItem>>(Math.Min(concurrency, items.Count));
        var laneOf = new Dictionary<(string Store, long Customer), List<WorkItem>>();
        foreach (var (item, customer) in items)
        {
            if (!laneOf.TryGetValue((item.StoreHandle, customer), out var lane))
            {
                var index = laneOf.Count % concurrency;
                if (index == lanes.Count)
                {
                    lanes.Add([]);
                }

                lane = lanes[index];
                laneOf.Add((item.StoreHandle, customer), lane);
            }

            lane.Add(item);
        }

        return Task.WhenAll(lanes.Select(lane => Task.Run(
            async () =>
            {
                foreach (var item in lane)
                {
                    await steps.WorkAsync(item, cancellationToken);
                }
            },
            CancellationToken.None)));
    }
}
