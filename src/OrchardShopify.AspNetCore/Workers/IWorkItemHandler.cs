using OrchardShopify.AspNetCore.Persistence;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>Does one claimed item's work. Throw <see cref="PermanentWorkException"/> (or let a known permanent error through) to dead-letter at once.</summary>
internal interface IWorkItemHandler
{
    WorkKind Kind { get; }

    Task<WorkResult> HandleAsync(WorkItem item, CancellationToken cancellationToken);

    /// <summary>True for errors that fail again however often they are retried.</summary>
    bool IsPermanent(Exception exception);
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
