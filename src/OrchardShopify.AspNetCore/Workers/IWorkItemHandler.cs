using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>Does one claimed item's work. Throw <see cref="PermanentWorkException"/> (or let a known permanent error through) to dead-letter at once.</summary>
internal interface IWorkItemHandler
{
    WorkKind Kind { get; }

    Task<WorkResult> HandleAsync(WorkItem item, CancellationToken cancellationToken);

    /// <summary>True for errors that fail again however often they are retried.</summary>
    bool IsPermanent(Exception exception);

    /// <summary>The Shopify customer an item is about, read without working it (for an item that failed); null when unknown.</summary>
    long? CustomerOf(WorkItem item);
}

/// <summary>A handler that can work some of a claimed run at once, in one transaction, before the rest is worked item by item.</summary>
internal interface IBulkWorkItemHandler
{
    /// <returns>Per item, its result when it was worked here, or null when it is left to <see cref="IWorkItemHandler.HandleAsync"/>.</returns>
    Task<IReadOnlyList<WorkResult?>> HandleBulkAsync(IReadOnlyList<WorkItem> items, CancellationToken cancellationToken);
}

internal sealed record WorkResult(string Outcome, long? CustomerId, string? UserId, string? StoreHandle = null);

internal sealed class PermanentWorkException(string message) : Exception(message)
{
    public PermanentWorkException()
        : this("The item cannot be processed.")
    {
    }

    public PermanentWorkException(string message, Exception innerException)
        : this(message + " " + innerException?.Message)
    {
    }
}
