using System.Collections.Concurrent;
using OrchardShopify.AspNetCore.Jobs;
using OrchardShopify.Core.Sync;

namespace OrchardShopify.AspNetCore.Backfill;

/// <summary>Counters of a running import, updated by several appliers and read by the status endpoint. Bounded: counts and a few example ids per reason.</summary>
internal sealed class ImportProgress
{
    private const int ExamplesPerReason = 5;

    private readonly ConcurrentDictionary<string, ReasonGroup> _skipped = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReasonGroup> _failures = new(StringComparer.Ordinal);
    private long _processed;
    private long _total = -1;
    private long _created;
    private long _linked;
    private long _updated;
    private long _unchanged;
    private long _skippedCount;
    private long _failed;
    private long _consecutiveFailures;
    private volatile string _stage = "starting";

    public string Stage
    {
        get => _stage;
        set => _stage = value;
    }

    public long ConsecutiveFailures => Interlocked.Read(ref _consecutiveFailures);

    public void SetTotal(long total) => Interlocked.Exchange(ref _total, total);

    public void Record(InboundResult result, long customerId)
    {
        switch (result.Outcome)
        {
            case InboundOutcome.Created:
                Interlocked.Increment(ref _created);
                break;
            case InboundOutcome.Linked:
                Interlocked.Increment(ref _linked);
                break;
            case InboundOutcome.Updated:
                Interlocked.Increment(ref _updated);
                break;
            case InboundOutcome.Skipped:
                Interlocked.Increment(ref _skippedCount);
                var reason = result.Reason ?? "other";
                _skipped.GetOrAdd(reason, r => new ReasonGroup(InboundSkipReasons.Describe(r))).Add(customerId);
                break;
            default:
                Interlocked.Increment(ref _unchanged);
                break;
        }

        Interlocked.Exchange(ref _consecutiveFailures, 0);
        Interlocked.Increment(ref _processed);
    }

    public void RecordFailure(Exception exception, long customerId)
    {
        Interlocked.Increment(ref _failed);
        Interlocked.Increment(ref _consecutiveFailures);
        Interlocked.Increment(ref _processed);
        _failures.GetOrAdd(exception.GetType().Name, _ => new ReasonGroup(FailureText.Message(exception))).Add(customerId);
    }

    public CustomerImportSummary Snapshot()
    {
        var total = Interlocked.Read(ref _total);
        return new CustomerImportSummary(
            Stage,
            Interlocked.Read(ref _processed),
            total < 0 ? null : total,
            Interlocked.Read(ref _created),
            Interlocked.Read(ref _linked),
            Interlocked.Read(ref _updated),
            Interlocked.Read(ref _unchanged),
            Interlocked.Read(ref _skippedCount),
            Interlocked.Read(ref _failed),
            Groups(_skipped),
            Groups(_failures));
    }

    private static List<ImportReasonGroup> Groups(ConcurrentDictionary<string, ReasonGroup> groups)
        => groups.Select(pair => pair.Value.Snapshot(pair.Key)).OrderByDescending(g => g.Count).ThenBy(g => g.Reason, StringComparer.Ordinal).ToList();

    private sealed class ReasonGroup(string description)
    {
        private readonly List<long> _examples = [];
        private long _count;

        public void Add(long customerId)
        {
            Interlocked.Increment(ref _count);
            lock (_examples)
            {
                if (_examples.Count < ExamplesPerReason)
                {
                    _examples.Add(customerId);
                }
            }
        }

        public ImportReasonGroup Snapshot(string reason)
        {
            lock (_examples)
            {
                return new ImportReasonGroup(reason, description, Interlocked.Read(ref _count), [.. _examples]);
            }
        }
    }
}
