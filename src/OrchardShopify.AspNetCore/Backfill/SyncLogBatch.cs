using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Backfill;

/// <summary>Collects sync log rows of a job and writes them a few hundred per transaction (<see cref="AddedRowWriter"/>), so an import of many customers does not commit once per customer.</summary>
internal sealed class SyncLogBatch(SyncDatabase database, int size = 500) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private List<SyncLogRow> _pending = new(size);

    public async Task AddAsync(SyncLogRow row, CancellationToken cancellationToken)
    {
        List<SyncLogRow>? full = null;
        lock (_gate)
        {
            _pending.Add(row);
            if (_pending.Count >= size)
            {
                full = _pending;
                _pending = new List<SyncLogRow>(size);
            }
        }

        if (full is not null)
        {
            await WriteAsync(full, cancellationToken);
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        List<SyncLogRow> rest;
        lock (_gate)
        {
            rest = _pending;
            _pending = new List<SyncLogRow>(size);
        }

        if (rest.Count > 0)
        {
            await WriteAsync(rest, cancellationToken);
        }
    }

    public ValueTask DisposeAsync()
    {
        _writing.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task WriteAsync(List<SyncLogRow> rows, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken);
        try
        {
            await using var unit = await database.OpenToWriteAsync(cancellationToken);
            var db = unit.Db;
            db.SyncLog.AddRange(rows);

            // New rows only: one prepared INSERT run per row in one transaction, not SaveChanges' per-entity pipeline.
            await AddedRowWriter.SaveAsync(db, cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }
}
