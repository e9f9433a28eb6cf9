using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Users;

/// <summary>
/// Identity's side of a <see cref="WorkBatch"/>: one scope (UserManager and DbContext) and one transaction for the whole
/// run – its own (SQLite, users in another file), or none when the context joined the sync's transaction (PostgreSQL:
/// the batch's savepoints and commit are the users' too).
/// </summary>
internal sealed class IdentityUserBatch(object directory, AsyncServiceScope scope, DbContext context, IDbContextTransaction? transaction) : IUserWriteBatch
{
    private const string ItemSavepoint = "shopify_item";
    private bool _committed;

    /// <summary>The directory that began the batch: only its calls use the batch's scope.</summary>
    public object Directory { get; } = directory;

    public AsyncServiceScope Scope { get; } = scope;

    public Task BeginItemAsync(CancellationToken cancellationToken) => transaction?.CreateSavepointAsync(ItemSavepoint, cancellationToken) ?? Task.CompletedTask;

    public async Task EndItemAsync(bool succeeded, CancellationToken cancellationToken)
    {
        if (transaction is not null)
        {
            if (!succeeded)
            {
                await transaction.RollbackToSavepointAsync(ItemSavepoint, cancellationToken);
            }

            await transaction.ReleaseSavepointAsync(ItemSavepoint, cancellationToken);
        }

        // Users tracked by one item are read afresh by the next; a rolled-back insert is forgotten.
        context.ChangeTracker.Clear();
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (transaction is not null)
        {
            await transaction.CommitAsync(cancellationToken);
        }

        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (transaction is null)
        {
            // The sync's transaction and connection are not this context's to end: it lets go of both (a pooled context
            // goes back to its pool with a connection of its own again, made from its connection string).
            try
            {
                await context.Database.UseTransactionAsync(null, CancellationToken.None);
                context.Database.SetDbConnection(null, contextOwnsConnection: false);
            }
            finally
            {
                await Scope.DisposeAsync();
            }

            return;
        }

        try
        {
            if (!_committed)
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
        }
        finally
        {
            await transaction.DisposeAsync();
            await Scope.DisposeAsync();
        }
    }
}
