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
        await using var unit = await database.JoinAsync(cancellationToken);
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
        await using (var unit = await database.JoinAsync(cancellationToken))
        {
            var db = unit.Db;
            db.Links.Add(ToRow(link));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new LinkAttempt(true, link);
            }
            catch (DbUpdateException ex) when (SyncDatabase.IsUniqueViolation(ex))
            {
                // Another linker won: fall through and report its link.
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
        await using var unit = await database.JoinAsync(cancellationToken);
        var db = unit.Db;
        db.Links.Update(ToRow(link));
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<bool> RemoveAsync(string storeHandle, long customerId, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinAsync(cancellationToken);
        var db = unit.Db;
        return await db.Links.Where(l => l.StoreHandle == storeHandle && l.CustomerId == customerId).ExecuteDeleteAsync(cancellationToken) > 0;
    }

    public async Task<IReadOnlyList<CustomerLink>> RemoveStoreAsync(string storeHandle, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinAsync(cancellationToken);
        var db = unit.Db;
        var rows = await db.Links.AsNoTracking().Where(l => l.StoreHandle == storeHandle).ToListAsync(cancellationToken);
        await db.Links.Where(l => l.StoreHandle == storeHandle).ExecuteDeleteAsync(cancellationToken);
        await db.DeletedCustomers.Where(d => d.StoreHandle == storeHandle).ExecuteDeleteAsync(cancellationToken);
        return rows.Select(ToLink).ToList();
    }

    public async Task MarkDeletedAsync(string storeHandle, long customerId, string? userId, DateTimeOffset deletedAt, CancellationToken cancellationToken)
    {
        await using var unit = await database.JoinAsync(cancellationToken);

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
        await using var unit = await database.JoinAsync(cancellationToken);
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
    };

    private static CustomerLink ToLink(CustomerLinkRow row) => new(
        row.StoreHandle,
        row.CustomerId,
        row.UserId,
        UnixTime.To(row.LinkedAt),
        UnixTime.To(row.AppliedUpdatedAt),
        UnixTime.To(row.AppliedTriggeredAt),
        row.HasSyncedProfile ? new CustomerProfile(row.SyncedFirstName, row.SyncedLastName, row.SyncedEmail, row.SyncedPhone) : null);
}
