using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using OrchardShopify.Core.Customers;
using OrchardShopify.Core.Ports;

namespace OrchardShopify.AspNetCore.Persistence;

/// <summary><see cref="ICustomerLinkStore"/> with (store, customer) as key and a unique index on (store, user).</summary>
internal sealed class EfCustomerLinkStore(SyncDatabase database) : ICustomerLinkStore, IBulkCustomerLinkStore
{
    public async Task<IReadOnlySet<long>> FindLinkedAsync(string storeHandle, IReadOnlyCollection<long> customerIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(customerIds);
        await using var unit = await database.JoinAsync(cancellationToken);
        var ids = customerIds.ToArray();
        var db = unit.Db;
        var linked = await db.Links.AsNoTracking()
            .Where(l => l.StoreHandle == storeHandle && ids.Contains(l.CustomerId))
            .Select(l => l.CustomerId)
            .Concat(db.DeletedCustomers.Where(d => d.StoreHandle == storeHandle && ids.Contains(d.CustomerId)).Select(d => d.CustomerId))
            .ToListAsync(cancellationToken);
        return linked.ToHashSet();
    }

    public async Task AddNewAsync(IReadOnlyList<CustomerLink> links, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(links);
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
        unit.Db.Links.AddRange(links.Select(ToRow));
        await AddedRowWriter.SaveAsync(unit.Db, cancellationToken);
    }

    public async Task<CustomerLink?> FindByCustomerAsync(string storeHandle, long customerId, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinAsync(cancellationToken);
        var db = unit.Db;
        var row = await db.Links.AsNoTracking().FirstOrDefaultAsync(l => l.StoreHandle == storeHandle && l.CustomerId == customerId, cancellationToken);
        return row is null ? null : ToLink(row);
    }

    public async Task<IReadOnlyList<CustomerLink>> FindByUserAsync(string userId, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinAsync(cancellationToken);
        var db = unit.Db;
        var rows = await db.Links.AsNoTracking().Where(l => l.UserId == userId).ToListAsync(cancellationToken);
        return rows.Select(ToLink).ToList();
    }

    public async Task<LinkAttempt> TryAddAsync(CustomerLink link, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(link);
        await using (var unit = await database.JoinToWriteAsync(cancellationToken))
        {
            // Two linkers racing (a push and the webhook Shopify sends back about it, two nodes) is ordinary: the loser
            // inserts nothing and reads the winner's link. ON CONFLICT DO NOTHING covers both unique keys, (store, customer)
            // and (store, user), on SQLite and PostgreSQL alike, without a failed statement (which the database provider
            // would log as an error, and which aborts a PostgreSQL transaction).
            var row = ToRow(link);
            await using var command = unit.Db.Database.GetDbConnection().CreateCommand();
            object[] values =
            [
                Parameter(command, 0, DbType.String, row.StoreHandle), Parameter(command, 1, DbType.Int64, row.CustomerId),
                Parameter(command, 2, DbType.String, row.UserId), Parameter(command, 3, DbType.Int64, row.LinkedAt),
                Parameter(command, 4, DbType.Int64, row.AppliedUpdatedAt), Parameter(command, 5, DbType.Int64, row.AppliedTriggeredAt),
                Parameter(command, 6, DbType.Boolean, row.HasSyncedProfile), Parameter(command, 7, DbType.String, row.SyncedFirstName),
                Parameter(command, 8, DbType.String, row.SyncedLastName), Parameter(command, 9, DbType.String, row.SyncedEmail),
                Parameter(command, 10, DbType.String, row.SyncedPhone), Parameter(command, 11, DbType.String, row.Signals),
            ];
            var inserted = await unit.Db.Database.ExecuteSqlRawAsync(
                $"INSERT INTO {ShopifySyncDbContext.LinksTable} (store, customer_id, user_id, linked_at, applied_updated_at, applied_triggered_at, " +
                "has_synced_profile, synced_first_name, synced_last_name, synced_email, synced_phone, signals) " +
                "VALUES ({0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10}, {11}) ON CONFLICT DO NOTHING",
                values,
                cancellationToken);
            if (inserted == 1)
            {
                return new LinkAttempt(true, link);
            }
        }

        var existing = await FindByCustomerAsync(link.StoreHandle, link.CustomerId, cancellationToken)
            ?? (await FindByUserAsync(link.UserId, cancellationToken)).FirstOrDefault(l => l.StoreHandle == link.StoreHandle)
            ?? throw new InvalidOperationException($"Link ({link.StoreHandle}, {link.CustomerId}) conflicted but no conflicting link was found.");
        return new LinkAttempt(false, existing);
    }

    public async Task UpdateAsync(CustomerLink link, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(link);
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
        var db = unit.Db;
        db.Links.Update(ToRow(link));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> RemoveAsync(string storeHandle, long customerId, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
        var db = unit.Db;
        return await db.Links.Where(l => l.StoreHandle == storeHandle && l.CustomerId == customerId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<CustomerLink>> RemoveStoreAsync(string storeHandle, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
        var db = unit.Db;
        var rows = await db.Links.AsNoTracking().Where(l => l.StoreHandle == storeHandle).ToListAsync(cancellationToken);
        await db.Links.Where(l => l.StoreHandle == storeHandle).ExecuteDeleteAsync(cancellationToken);
        await db.DeletedCustomers.Where(d => d.StoreHandle == storeHandle).ExecuteDeleteAsync(cancellationToken);
        return rows.Select(ToLink).ToList();
    }

    public async Task MarkDeletedAsync(string storeHandle, long customerId, string? userId, DateTimeOffset deletedAt, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinToWriteAsync(cancellationToken);

        // The same statements on SQLite and PostgreSQL; a second deletion (a duplicate, another node) keeps the first time,
        // and the user named first.
        if (userId is null)
        {
            await unit.Db.Database.ExecuteSqlRawAsync(
                $"INSERT INTO {DeletedCustomerRow.Table} (store, customer_id, deleted_at) VALUES ({{0}}, {{1}}, {{2}}) ON CONFLICT (store, customer_id) DO NOTHING",
                [storeHandle, customerId, UnixTime.From(deletedAt)],
                cancellationToken);
            return;
        }

        await unit.Db.Database.ExecuteSqlRawAsync(
            $"INSERT INTO {DeletedCustomerRow.Table} (store, customer_id, deleted_at, user_id) VALUES ({{0}}, {{1}}, {{2}}, {{3}}) "
                + $"ON CONFLICT (store, customer_id) DO UPDATE SET user_id = COALESCE({DeletedCustomerRow.Table}.user_id, excluded.user_id)",
            [storeHandle, customerId, UnixTime.From(deletedAt), userId],
            cancellationToken);
    }

    public async Task<DeletedCustomer?> FindDeletedForUserAsync(string storeHandle, string userId, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinAsync(cancellationToken);
        var row = await unit.Db.DeletedCustomers.AsNoTracking()
            .Where(d => d.StoreHandle == storeHandle && d.UserId == userId)
            .OrderByDescending(d => d.DeletedAt)
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : new DeletedCustomer(row.StoreHandle, row.CustomerId, UnixTime.To(row.DeletedAt));
    }

    public async Task ForgetDeletedForUserAsync(string storeHandle, string userId, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinToWriteAsync(cancellationToken);
        await unit.Db.DeletedCustomers
            .Where(d => d.StoreHandle == storeHandle && d.UserId == userId)
            .ExecuteUpdateAsync(set => set.SetProperty(d => d.UserId, (string?)null), cancellationToken);
    }

    public async Task<DateTimeOffset?> FindDeletedAsync(string storeHandle, long customerId, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinAsync(cancellationToken);
        var at = await unit.Db.DeletedCustomers.AsNoTracking()
            .Where(d => d.StoreHandle == storeHandle && d.CustomerId == customerId)
            .Select(d => (long?)d.DeletedAt)
            .FirstOrDefaultAsync(cancellationToken);
        return UnixTime.To(at);
    }

    private static DbParameter Parameter(DbCommand command, int index, DbType type, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@p" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        return parameter;
    }

    private static CustomerLinkRow ToRow(CustomerLink link) => new()
    {
        StoreHandle = link.StoreHandle,
        CustomerId = link.CustomerId,
        UserId = link.UserId,
        LinkedAt = UnixTime.From(link.LinkedAt),
        AppliedUpdatedAt = UnixTime.From(link.AppliedUpdatedAt),
        AppliedTriggeredAt = UnixTime.From(link.AppliedTriggeredAt),
        HasSyncedProfile = link.SyncedProfile is not null,
        SyncedFirstName = link.SyncedProfile?.FirstName,
        SyncedLastName = link.SyncedProfile?.LastName,
        SyncedEmail = link.SyncedProfile?.Email,
        SyncedPhone = link.SyncedProfile?.Phone,
        Signals = CustomerSignalsJson.Write(link.Signals),
    };

    private static CustomerLink ToLink(CustomerLinkRow row) => new(
        row.StoreHandle,
        row.CustomerId,
        row.UserId,
        UnixTime.To(row.LinkedAt),
        UnixTime.To(row.AppliedUpdatedAt),
        UnixTime.To(row.AppliedTriggeredAt),
        row.HasSyncedProfile ? new CustomerProfile(row.SyncedFirstName, row.SyncedLastName, row.SyncedEmail, row.SyncedPhone) : null)
    {
        Signals = CustomerSignalsJson.Read(row.Signals),
    };
}
