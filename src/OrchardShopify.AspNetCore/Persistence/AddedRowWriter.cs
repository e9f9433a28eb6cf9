using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary>
/// Saves a context whose only changes are new rows: one INSERT statement per table, prepared once and run for every
/// row – or, where the provider has batches (PostgreSQL), INSERTs of 64, 16, 4 and 1 rows sent as one
/// <see cref="DbBatch"/>, so a hundred rows are four statements, each text the same from one save to the next (a
/// connection that prepares statements plans each once) – instead of SaveChanges' per-entity command pipeline. The rows are the ones SaveChanges would write – every mapped column from the entry's current value
/// through the column's type mapping, store-generated columns left to the database when they hold no value – and
/// the written entries are detached: nothing is read back. Principal tables are written before their dependents,
/// inside the context's transaction (behind a savepoint when it uses them) or a transaction of its own.
/// <para>
/// Anything it cannot write exactly as SaveChanges would goes to SaveChanges unchanged: a modified or deleted entry,
/// an owned, complex, inherited, table-sharing or self-referencing entity type, a SaveChanges or command interceptor,
/// or a context type that overrides SaveChanges.
/// </para>
/// </summary>
internal static class AddedRowWriter
{
    private static readonly ConcurrentDictionary<IEntityType, TableShape?> Shapes = new();
    private static readonly ConcurrentDictionary<Type, bool> OverridesSaveChanges = new();
    private static readonly ConcurrentDictionary<IEntityType, bool> HasNavigations = new();
    private static readonly ConcurrentDictionary<(ISqlGenerationHelper Sql, int Count), string[]> ParameterNameLists = new();
    private const string Savepoint = "shopify_added_rows";

    /// <summary>Rows per INSERT where the provider has batches, largest first: any count is a sum of them.</summary>
    private static readonly int[] RunSizes = [64, 16, 4, 1];

    /// <summary>At most this many parameters in one statement (PostgreSQL allows 65,535).</summary>
    private const int MaxParameters = 32_000;

    /// <summary>Saves the context's changes; returns the number of rows written (as SaveChanges does).</summary>
    public static async Task<int> SaveAsync(DbContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var plan = Plan(context, out var tracked);
        if (plan is null)
        {
            return await context.SaveChangesAsync(cancellationToken);
        }

        var database = context.Database;
        await database.OpenConnectionAsync(cancellationToken);
        try
        {
            var owned = database.CurrentTransaction is null ? await database.BeginTransactionAsync(cancellationToken) : null;
            var transaction = owned ?? database.CurrentTransaction!;
            var savepoint = owned is null && database.AutoSavepointsEnabled && transaction.SupportsSavepoints;
            if (savepoint)
            {
                await transaction.CreateSavepointAsync(Savepoint, cancellationToken);
            }

            try
            {
                try
                {
                    await WriteAsync(context, transaction.GetDbTransaction(), plan, cancellationToken);
                }
                catch (DbException ex)
                {
                    throw new DbUpdateException("An error occurred while saving the entity changes. See the inner exception for details.", ex);
                }

                if (owned is not null)
                {
                    await owned.CommitAsync(cancellationToken);
                }
                else if (savepoint)
                {
                    await transaction.ReleaseSavepointAsync(Savepoint, cancellationToken);
                }
            }
            catch when (savepoint)
            {
                await transaction.RollbackToSavepointAsync(Savepoint, CancellationToken.None);
                throw;
            }
            finally
            {
                if (owned is not null)
                {
                    await owned.DisposeAsync();
                }
            }
        }
        finally
        {
            await database.CloseConnectionAsync();
        }

        var written = plan.Sum(rows => rows.Entries.Count);
        if (written == tracked)
        {
            // Nothing else is tracked: clearing forgets them far more cheaply than detaching one by one.
            context.ChangeTracker.Clear();
        }
        else
        {
            foreach (var entry in plan.SelectMany(rows => rows.Entries))
            {
                entry.State = EntityState.Detached;
            }
        }

        return written;
    }

    /// <summary>The added entries by table, principals first; null when SaveChanges must do the work.</summary>
    private static List<TableRows>? Plan(DbContext context, out int tracked)
    {
        tracked = 0;
        if (!context.Database.IsRelational()
            || OverridesSaveChanges.GetOrAdd(context.GetType(), HasSaveChangesOverride)
            || context.GetService<IInterceptors>() is not { } interceptors
            || interceptors.Aggregate<ISaveChangesInterceptor>() is not null
            || interceptors.Aggregate<IDbCommandInterceptor>() is not null)
        {
            return null;
        }

        var byType = new Dictionary<IEntityType, TableRows>();
        foreach (var entry in EntriesAsSaveChangesSees(context.ChangeTracker))
        {
            tracked++;
            switch (entry.State)
            {
                case EntityState.Unchanged or EntityState.Detached:
                    continue;
                case EntityState.Added:
                    break;
                default:
                    return null;
            }

            var type = entry.Metadata;
            if (!byType.TryGetValue(type, out var rows))
            {
                if (Shapes.GetOrAdd(type, ShapeOf) is not { } shape)
                {
                    return null;
                }

                byType[type] = rows = new TableRows(shape, []);
            }

            rows.Entries.Add(entry);
        }

        if (byType.Count == 0)
        {
            return null;
        }

        // Principals before dependents; a cycle between tables is left to SaveChanges.
        var ordered = new List<TableRows>(byType.Count);
        var pending = byType.Values.ToList();
        while (pending.Count > 0)
        {
            var ready = pending.FirstOrDefault(rows => !rows.Shape.Principals.Any(p => pending.Any(other => !ReferenceEquals(other, rows) && other.Shape.EntityType == p)));
            if (ready is null)
            {
                return null;
            }

            ordered.Add(ready);
            pending.Remove(ready);
        }

        // A new principal whose key the database is to generate holds a temporary key until it is written, and its new
        // dependents hold that temporary value: only SaveChanges carries the generated key over to them.
        foreach (var principal in ordered)
        {
            if (ordered.Any(rows => rows.Shape.Principals.Contains(principal.Shape.EntityType))
                && principal.Shape.EntityType.FindPrimaryKey() is { } key
                && principal.Entries.Any(entry => key.Properties.Any(p => entry.Property(p).IsTemporary)))
            {
                return null;
            }
        }

        return ordered;
    }

    /// <summary>
    /// The tracked entries, changes detected as SaveChanges would – unless every entry is an added row of an entity type
    /// without navigations: then detection could change nothing this writer does (it reads each column's current value
    /// when it writes the row, and no navigation can bring in another entity), and is skipped. It compares every
    /// property of every entry with its snapshot, which for a few hundred new users and their claims costs more than
    /// writing them.
    /// </summary>
    private static List<EntityEntry> EntriesAsSaveChangesSees(ChangeTracker tracker)
    {
        if (!tracker.AutoDetectChangesEnabled)
        {
            return [.. tracker.Entries()];
        }

        var entries = EntriesAsTracked(tracker);
        if (entries.Any(entry => entry.State != EntityState.Added || HasNavigations.GetOrAdd(entry.Metadata, NavigatesFrom)))
        {
            // As SaveChanges does (and it may start tracking more entities).
            tracker.DetectChanges();
            entries = EntriesAsTracked(tracker);
        }

        return entries;
    }

    /// <summary>The tracked entries as they stand, without detecting changes.</summary>
    private static List<EntityEntry> EntriesAsTracked(ChangeTracker tracker)
    {
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            return [.. tracker.Entries()];
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = true;
        }
    }

    private static bool NavigatesFrom(IEntityType type)
        => type.GetNavigations().Any() || type.GetSkipNavigations().Any() || type.GetComplexProperties().Any();

    private static async Task WriteAsync(DbContext context, DbTransaction transaction, List<TableRows> plan, CancellationToken cancellationToken)
    {
        var connection = context.Database.GetDbConnection();
        var timeout = context.Database.GetCommandTimeout();
        var sql = context.GetService<ISqlGenerationHelper>();
        await using var parameters = connection.CreateCommand();
        foreach (var (shape, entries) in plan)
        {
            // Rows leaving different store-generated columns to the database need different statements.
            foreach (var statement in entries.GroupBy(shape.ColumnsOf))
            {
                var columns = shape.Columns.Where((_, i) => (statement.Key & (1UL << i)) != 0).ToList();
                var text = shape.InsertSql(sql, statement.Key, columns);
                if (connection.CanCreateBatch && columns.Count > 0)
                {
                    // Several rows per INSERT, in runs of a few fixed sizes: a handful of distinct statements per
                    // table (each prepared once on connections that prepare) instead of one execution per row.
                    await using var batch = connection.CreateBatch();
                    batch.Transaction = transaction;
                    if (timeout is { } batchTimeout)
                    {
                        batch.Timeout = batchTimeout;
                    }

                    var rows = statement.ToList();
                    var expected = new List<int>();
                    for (var next = 0; next < rows.Count;)
                    {
                        var size = RunSizes.First(s => s <= rows.Count - next && s * columns.Count <= MaxParameters);
                        var names = ParameterNamesFor(sql, size * columns.Count);
                        var command = batch.CreateBatchCommand();
                        command.CommandText = shape.InsertSql(sql, statement.Key, columns, size);
                        for (var row = 0; row < size; row++)
                        {
                            Bind(command.Parameters, parameters, names, columns, rows[next + row], row * columns.Count);
                        }

                        batch.BatchCommands.Add(command);
                        expected.Add(size);
                        next += size;
                    }

                    await batch.ExecuteNonQueryAsync(cancellationToken);
                    for (var i = 0; i < expected.Count; i++)
                    {
                        ExpectRows(batch.BatchCommands[i].RecordsAffected, expected[i], shape);
                    }
                }
                else
                {
                    await using var command = connection.CreateCommand();
                    command.Transaction = transaction;
                    command.CommandText = text;
                    if (timeout is { } commandTimeout)
                    {
                        command.CommandTimeout = commandTimeout;
                    }

                    var names = ParameterNamesFor(sql, columns.Count);
                    foreach (var entry in statement)
                    {
                        command.Parameters.Clear();
                        Bind(command.Parameters, parameters, names, columns, entry);
                        ExpectOneRow(await command.ExecuteNonQueryAsync(cancellationToken), shape);
                    }
                }
            }
        }
    }

    /// <param name="first">The number of the row's first parameter (its columns are numbered on from it).</param>
    /// <param name="names">The parameters' names, as the provider writes them, by number.</param>
    private static void Bind(DbParameterCollection target, DbCommand factory, string[] names, List<Column> columns, EntityEntry entry, int first = 0)
    {
        var values = entry.CurrentValues;
        for (var i = 0; i < columns.Count; i++)
        {
            var column = columns[i];
            target.Add(column.Mapping.CreateParameter(factory, names[first + i], values[column.Property], column.Property.IsNullable));
        }
    }

    /// <summary>The names of a statement's first <paramref name="count"/> parameters as the provider writes them (made once per count).</summary>
    private static string[] ParameterNamesFor(ISqlGenerationHelper sql, int count)
        => ParameterNameLists.GetOrAdd((sql, count), key => [.. Enumerable.Range(0, key.Count).Select(i => key.Sql.GenerateParameterName(ParameterName(i)))]);

    private static void ExpectOneRow(int affected, TableShape shape) => ExpectRows(affected, 1, shape);

    private static void ExpectRows(int affected, int expected, TableShape shape)
    {
        if (affected != expected)
        {
            throw new DbUpdateException($"An insert into {shape.Table} affected {affected} rows instead of {expected}.");
        }
    }

    private static string ParameterName(int index) => "p" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool HasSaveChangesOverride(Type contextType)
        => contextType.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance)
            .Any(m => m.Name is nameof(DbContext.SaveChanges) or nameof(DbContext.SaveChangesAsync) && m.GetBaseDefinition().DeclaringType == typeof(DbContext) && m.DeclaringType != typeof(DbContext));

    /// <summary>How an entity type's rows are inserted, or null when only SaveChanges can write it.</summary>
    private static TableShape? ShapeOf(IEntityType type)
    {
        if (type.IsOwned() || type.BaseType is not null || type.GetDirectlyDerivedTypes().Any() || type.GetComplexProperties().Any()
            || type.GetNavigations().Any(n => n.TargetEntityType.IsOwned())
            || type.GetForeignKeys().Any(fk => fk.PrincipalEntityType == type)
            || type.GetTableMappings().ToList() is not [var mapping]
            || mapping.Table.EntityTypeMappings.Count() != 1)
        {
            return null;
        }

        var columns = mapping.ColumnMappings
            .Select(c => new Column(c.Property, c.Column.Name, c.TypeMapping, c.Property.ValueGenerated.HasFlag(ValueGenerated.OnAdd)))
            .ToList();
        if (columns.Count is 0 or > 64 || columns.Count != type.GetProperties().Count())
        {
            return null;
        }

        var table = mapping.Table;
        return new TableShape(type, table.Name, table.Schema, columns, type.GetForeignKeys().Select(fk => fk.PrincipalEntityType).Distinct().ToList());
    }

    private sealed record Column(IProperty Property, string Name, RelationalTypeMapping Mapping, bool StoreGenerated);

    private sealed record TableRows(TableShape Shape, List<EntityEntry> Entries);

    private sealed class TableShape(IEntityType entityType, string table, string? schema, List<Column> columns, List<IEntityType> principals)
    {
        private readonly ConcurrentDictionary<(ISqlGenerationHelper, ulong, int), string> _statements = new();

        public IEntityType EntityType { get; } = entityType;

        public string Table { get; } = table;

        public List<Column> Columns { get; } = columns;

        public List<IEntityType> Principals { get; } = principals;

        /// <summary>The columns the row writes, as bits: a store-generated column is left out while it holds a temporary value or its sentinel.</summary>
        public ulong ColumnsOf(EntityEntry entry)
        {
            var bits = 0UL;
            for (var i = 0; i < Columns.Count; i++)
            {
                var column = Columns[i];
                if (column.StoreGenerated)
                {
                    var property = entry.Property(column.Property);
                    if (property.IsTemporary || Equals(property.CurrentValue, column.Property.Sentinel))
                    {
                        continue;
                    }
                }

                bits |= 1UL << i;
            }

            return bits;
        }

        /// <param name="key">The written columns as bits (<see cref="ColumnsOf"/>); <paramref name="written"/> are those columns.</param>
        /// <param name="rows">Rows the statement inserts: row r's columns are parameters r × columns and on.</param>
        public string InsertSql(ISqlGenerationHelper sql, ulong key, List<Column> written, int rows = 1)
        {
            return _statements.GetOrAdd((sql, key, rows), _ =>
            {
                var names = string.Join(", ", written.Select(c => sql.DelimitIdentifier(c.Name)));
                var values = string.Join(", ", Enumerable.Range(0, rows).Select(r => "(" + string.Join(", ", written.Select((_, i) => sql.GenerateParameterNamePlaceholder(ParameterName((r * written.Count) + i)))) + ")"));
                var target = sql.DelimitIdentifier(Table, schema);
                return written.Count == 0 ? $"INSERT INTO {target} DEFAULT VALUES" : $"INSERT INTO {target} ({names}) VALUES {values}";
            });
        }
    }
}
