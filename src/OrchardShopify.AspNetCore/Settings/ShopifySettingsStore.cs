using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Workers;

namespace OrchardShopify.AspNetCore.Settings;

/// <summary>What administrators saved: plain values by key, and the keys of secrets that could not be decrypted.</summary>
internal sealed record SettingsSnapshot(IReadOnlyDictionary<string, string> Values, IReadOnlySet<string> UnreadableSecrets, string? Revision)
{
    public static SettingsSnapshot Empty { get; } = new(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase), new HashSet<string>(StringComparer.OrdinalIgnoreCase), null);
}

/// <summary>
/// The <c>shopify_settings</c> table: saves administrators' settings (secrets protected with ASP.NET Core Data
/// Protection), keeps the current snapshot, and signals a change so options are rebuilt without a restart.
/// </summary>
internal sealed partial class ShopifySettingsStore(SyncDatabase database, IDataProtectionProvider protection, TimeProvider time, ILogger<ShopifySettingsStore> logger) : IDisposable
{
    private readonly IDataProtector _protector = protection.CreateProtector("OrchardShopify.Settings.v1");
    private readonly Lock _gate = new();
    private SettingsSnapshot? _current;
    private CancellationTokenSource _changed = new();

    /// <summary>The saved settings; read from the database on first use (empty while its table does not exist yet).</summary>
    public SettingsSnapshot Current
    {
        get
        {
            if (_current is { } current)
            {
                return current;
            }

            // Options are first built before the hosted services run; a synchronous read here is a one-off. Before
            // the table's migration has run (the first start), configuration alone applies until the loader reads. Read
            // on a worker's thread, the waits leave its context (which the blocked thread could not run).
            var loaded = WorkerThread.WithoutContext(() => TryRead(() => TableExists() ? ReadAsync(CancellationToken.None).GetAwaiter().GetResult() : null));
            lock (_gate)
            {
                return _current ??= loaded ?? SettingsSnapshot.Empty;
            }
        }
    }

    public IChangeToken ChangeToken
    {
        get
        {
            lock (_gate)
            {
                return new CancellationChangeToken(_changed.Token);
            }
        }
    }

    /// <summary>Reads the table again and signals a change when another save (here or on another node) happened.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        var loaded = await ReadAsync(cancellationToken);
        if (_current is { } current && current.Revision == loaded.Revision && current.UnreadableSecrets.Count == loaded.UnreadableSecrets.Count)
        {
            return false;
        }

        Publish(loaded);
        return true;
    }

    /// <summary>The revision stored now; cheap enough to poll.</summary>
    public async Task<string?> ReadRevisionAsync(CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        return await db.Settings.AsNoTracking().Where(s => s.Key == SettingRow.RevisionKey).Select(s => s.Value).FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>Writes <paramref name="changes"/> in one transaction (a null value removes the key) and publishes the result.</summary>
    public async Task SaveAsync(IReadOnlyDictionary<string, string?> changes, CancellationToken cancellationToken)
    {
        var now = UnixTime.From(time.GetUtcNow());
        await using (var unit = await database.OpenToWriteAsync(cancellationToken))
        {
            var db = unit.Db;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Keys are matched ignoring case, as they are read: a row saved under another spelling of the key (a store
            // handle typed "UK" for the store "uk" before handles were saved as the store spells them) is replaced or
            // removed with it, never left to shadow the new value. The table holds a few dozen rows.
            var all = await db.Settings.ToListAsync(cancellationToken);
            foreach (var (key, value) in changes)
            {
                var row = all.FirstOrDefault(s => s.Key == key);
                foreach (var other in all.Where(s => s != row && string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase)))
                {
                    db.Settings.Remove(other);
                }

                if (value is null)
                {
                    if (row is not null)
                    {
                        db.Settings.Remove(row);
                    }

                    continue;
                }

                var secret = SettingKeys.IsSecret(key);
                var stored = secret ? _protector.Protect(value) : value;
                if (row is null)
                {
                    db.Settings.Add(new SettingRow { Key = key, Value = stored, IsSecret = secret, UpdatedAt = now });
                }
                else
                {
                    row.Value = stored;
                    row.IsSecret = secret;
                    row.UpdatedAt = now;
                }
            }

            var revision = Guid.NewGuid().ToString("N");
            if (all.FirstOrDefault(s => s.Key == SettingRow.RevisionKey) is { } revisionRow)
            {
                revisionRow.Value = revision;
                revisionRow.UpdatedAt = now;
            }
            else
            {
                db.Settings.Add(new SettingRow { Key = SettingRow.RevisionKey, Value = revision, UpdatedAt = now });
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        Publish(await ReadAsync(cancellationToken));
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _changed.Dispose();
        }
    }

    private void Publish(SettingsSnapshot snapshot)
    {
        CancellationTokenSource previous;
        lock (_gate)
        {
            _current = snapshot;
            previous = _changed;
            _changed = new CancellationTokenSource();
        }

        // Listeners (the options monitor) rebuild the options now, on this thread.
        previous.Cancel();
        previous.Dispose();
    }

    private async Task<SettingsSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        await using var db = await database.OpenAsync(cancellationToken);
        var rows = await db.Settings.AsNoTracking().ToListAsync(cancellationToken);
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var unreadable = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? revision = null;
        foreach (var row in rows)
        {
            if (row.Key == SettingRow.RevisionKey)
            {
                revision = row.Value;
                continue;
            }

            if (row.Value is null)
            {
                continue;
            }

            if (!row.IsSecret)
            {
                values[row.Key] = row.Value;
                continue;
            }

            try
            {
                values[row.Key] = _protector.Unprotect(row.Value);
            }
            catch (CryptographicException)
            {
                // Keys lost or not shared between nodes: the configured value (if any) applies until the secret is saved again.
                unreadable.Add(row.Key);
                Log.SecretUnreadable(logger, row.Key);
            }
        }

        return new SettingsSnapshot(values, unreadable, revision);
    }

    /// <summary>
    /// Whether the settings table exists yet, asked of the database's catalog: reading EF Core's migrations history
    /// instead fails (and is logged as an error) on a new PostgreSQL database, before the first migration.
    /// </summary>
    private bool TableExists()
    {
        using var db = database.OpenAsync(CancellationToken.None).GetAwaiter().GetResult();
        var sql = database.IsPostgres
            ? $"SELECT CASE WHEN to_regclass('{SettingRow.Table}') IS NULL THEN 0 ELSE 1 END AS \"Value\""
            : $"SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = '{SettingRow.Table}'";
        return db.Database.SqlQueryRaw<int>(sql).AsEnumerable().Single() > 0;
    }

    private SettingsSnapshot? TryRead(Func<SettingsSnapshot?> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // The table does not exist before the first migration, or the database is not reachable yet; the
            // loader reads again once the schema is in place.
            Log.NotReadYet(logger, ex);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Shopify setting {Key} could not be decrypted (Data Protection keys changed or are not shared); the configured value applies until it is saved again")]
        public static partial void SecretUnreadable(ILogger logger, string key);

        [LoggerMessage(Level = LogLevel.Debug, Message = "Shopify settings saved on the site are not readable yet; configuration applies until they are")]
        public static partial void NotReadYet(ILogger logger, Exception exception);
    }
}
