using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Users;

/// <summary>Identity's side of a <see cref="WorkBatch"/>: one scope (UserManager and DbContext) and one transaction for the whole run.</summary>
internal sealed class IdentityUserBatch(object directory, AsyncServiceScope scope, DbContext context, IDbContextTransaction transaction) : IUserWriteBatch
{
    private const string ItemSavepoint = "shopify_item";
    private bool _committed;

    /// <summary>The directory that began the batch: only its calls use the batch's scope.</summary>
    public object Directory { get; } = directory;

    public AsyncServiceScope Scope { get; } = scope;

    public Task BeginItemAsync(CancellationToken cancellationToken) => transaction.CreateSavepointAsync(ItemSavepoint, cancellationToken);

    public async Task EndItemAsync(bool succeeded, CancellationToken cancellationToken)
    {
        if (!succeeded)
        {
            await transaction.RollbackToSavepointAsync(ItemSavepoint, cancellationToken);
        }

        await transaction.ReleaseSavepointAsync(ItemSavepoint, cancellationToken);

        // Users tracked by one item are read afresh by the next; a rolled-back insert is forgotten.
        context.ChangeTracker.Clear();
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await transaction.CommitAsync(cancellationToken);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
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
