using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrchardShopify.Core.Customers;

namespace OrchardShopify.Core.Sync;

/// <summary>What the sync did, as <see cref="IShopifySyncEventHandler"/>s hear it.</summary>
public enum ShopifySyncEventKind
{
    /// <summary>A Shopify customer was linked to an existing user (matched by email or phone); Shopify filled the user's blanks.</summary>
    Linked,

    /// <summary>A user was created for a Shopify customer and linked to it.</summary>
    Created,

    /// <summary>A linked user's fields were refreshed from Shopify (<see cref="ShopifySyncEvent.ChangedFields"/>).</summary>
    Updated,

    /// <summary>Shopify deleted the customer (<c>customers/delete</c>): the store's link is gone; the user remains.</summary>
    Unlinked,

    /// <summary>Shopify asked for the customer's data to be erased (<c>customers/redact</c>, or the whole store by <c>shop/redact</c>); the user remains.</summary>
    Redacted,

    /// <summary>A user was sent to Shopify: a customer updated, created or matched by email and linked.</summary>
    Pushed,

    /// <summary>Sending a user to Shopify failed for good: Shopify refused it, the data cannot be sent, or the retries ran out.</summary>
    PushFailed,
}

/// <summary>
/// One applied outcome of the sync, raised once it is stored. Carries ids and field names only, never values: read the
/// user from the site's user store when a handler needs more.
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="StoreHandle">The store's handle (<c>Shopify:Stores:{handle}</c>).</param>
/// <param name="CustomerId">The Shopify customer's id; null for a whole store's redaction, or a push that failed before a customer was known.</param>
/// <param name="UserId">The site user's id; null when no user was concerned (a redaction of an unlinked customer, a whole store's redaction).</param>
/// <param name="Changed">The profile fields the outcome wrote: on the user (Created, Linked, Updated) or in Shopify (Pushed).</param>
/// <param name="DeliveryId">The webhook's <c>X-Shopify-Webhook-Id</c> for inbound outcomes; null for pushes.</param>
/// <param name="At">When the outcome was applied.</param>
public sealed record ShopifySyncEvent(
    ShopifySyncEventKind Kind,
    string StoreHandle,
    long? CustomerId,
    string? UserId,
    ProfileFields Changed,
    string? DeliveryId,
    DateTimeOffset At)
{
    /// <summary>For <see cref="ShopifySyncEventKind.PushFailed"/>: why, in words (Shopify's message, or the last error's type); never a secret.</summary>
    public string? Detail { get; init; }

    /// <summary>The names of the <see cref="Changed"/> fields: <c>FirstName</c>, <c>LastName</c>, <c>Email</c>, <c>Phone</c>.</summary>
    public IReadOnlyList<string> ChangedFields
        => [.. new[] { ProfileFields.FirstName, ProfileFields.LastName, ProfileFields.Email, ProfileFields.Phone }
            .Where(f => Changed.HasFlag(f))
            .Select(f => f.ToString())];
}

/// <summary>
/// Site code that reacts to what the sync did (a welcome mail, a CRM hand-off, analytics). Register any number:
/// <c>AddSyncEventHandler&lt;T&gt;()</c> on the sync's builder, or <c>services.AddScoped&lt;IShopifySyncEventHandler, T&gt;()</c>
/// (in an Orchard Core module's Startup, per tenant). Each is called once per applied outcome, after it is stored,
/// in a service scope of its own; one that throws is logged and changes nothing for the sync or the other handlers.
/// </summary>
public interface IShopifySyncEventHandler
{
    Task HandleAsync(ShopifySyncEvent syncEvent, CancellationToken cancellationToken);
}

/// <summary>Where the handlers of one event are resolved and run: a fresh DI scope by default; a host with scopes of its own (an Orchard Core tenant) supplies its own.</summary>
public interface ISyncEventHandlerScope
{
    Task RunAsync(Func<IServiceProvider, Task> dispatch, CancellationToken cancellationToken);
}

/// <summary>The default <see cref="ISyncEventHandlerScope"/>: an async scope of the application's container.</summary>
internal sealed class ServiceScopeSyncEventHandlerScope(IServiceScopeFactory scopes) : ISyncEventHandlerScope
{
    public async Task RunAsync(Func<IServiceProvider, Task> dispatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dispatch);
        await using var scope = scopes.CreateAsyncScope();
        await dispatch(scope.ServiceProvider);
    }
}

/// <summary>
/// Raises <see cref="ShopifySyncEvent"/>s to the registered <see cref="IShopifySyncEventHandler"/>s. An event raised while
/// a <see cref="Defer"/> buffer is open on the flow (a host storing work in a transaction) is held in it and dispatched
/// by the host once the work is committed, or dropped when it is not; otherwise it is dispatched at once.
/// </summary>
public sealed partial class ShopifySyncEventDispatcher
{
    private static readonly AsyncLocal<SyncEventBuffer?> Open = new();

    private readonly ISyncEventHandlerScope _scope;
    private readonly ILogger<ShopifySyncEventDispatcher> _logger;

    public ShopifySyncEventDispatcher(ISyncEventHandlerScope scope, ILogger<ShopifySyncEventDispatcher> logger)
    {
        _scope = scope ?? throw new ArgumentNullException(nameof(scope));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>
    /// Holds the events raised on the current flow until the caller dispatches them (<see cref="DispatchAsync(SyncEventBuffer, CancellationToken)"/>)
    /// after committing what raised them; disposing it without dispatching drops them. Call it in the async method that commits.
    /// </summary>
    internal static SyncEventBuffer Defer()
    {
        var buffer = new SyncEventBuffer(Open.Value);
        Open.Value = buffer;
        return buffer;
    }

    /// <summary>Dispatches <paramref name="syncEvent"/> now, or holds it in the flow's open <see cref="Defer"/> buffer.</summary>
    public Task RaiseAsync(ShopifySyncEvent syncEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(syncEvent);
        if (Open.Value is { } buffer)
        {
            buffer.Add(syncEvent);
            return Task.CompletedTask;
        }

        return DispatchAsync(syncEvent, cancellationToken);
    }

    /// <summary>Dispatches what <paramref name="buffer"/> holds (its work is committed), in order, and empties it.</summary>
    internal async Task DispatchAsync(SyncEventBuffer buffer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        foreach (var syncEvent in buffer.Take())
        {
            await DispatchAsync(syncEvent, cancellationToken);
        }
    }

    /// <summary>Calls every handler once. A handler that throws is logged; the others still run, and the caller never sees the failure.</summary>
    public async Task DispatchAsync(ShopifySyncEvent syncEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(syncEvent);
        try
        {
            await _scope.RunAsync(
                async services =>
                {
                    foreach (var handler in services.GetServices<IShopifySyncEventHandler>())
                    {
                        try
                        {
                            await handler.HandleAsync(syncEvent, cancellationToken);
                        }
#pragma warning disable CA1031 // Site code must never undo or block the sync: its failure is logged.
                        catch (Exception ex)
#pragma warning restore CA1031
                        {
                            Log.HandlerFailed(_logger, ex, handler.GetType().FullName ?? handler.GetType().Name, syncEvent.Kind, syncEvent.StoreHandle, syncEvent.CustomerId, syncEvent.UserId);
                        }
                    }
                },
                cancellationToken);
        }
#pragma warning disable CA1031 // Resolving the handlers (a handler's constructor) failed: logged, the sync goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.DispatchFailed(_logger, ex, syncEvent.Kind, syncEvent.StoreHandle, syncEvent.CustomerId, syncEvent.UserId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "Shopify sync event handler {Handler} failed on {Kind} (store {Store}, customer {CustomerId}, user {UserId}); the sync is unaffected")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, string handler, ShopifySyncEventKind kind, string store, long? customerId, string? userId);

        [LoggerMessage(Level = LogLevel.Error, Message = "Shopify sync event handlers could not be resolved for {Kind} (store {Store}, customer {CustomerId}, user {UserId}); the sync is unaffected")]
        public static partial void DispatchFailed(ILogger logger, Exception exception, ShopifySyncEventKind kind, string store, long? customerId, string? userId);
    }

    /// <summary>Clears the flow's buffer when the one opened before it is closed (restores the outer one).</summary>
    internal static void Close(SyncEventBuffer buffer)
    {
        if (ReferenceEquals(Open.Value, buffer))
        {
            Open.Value = buffer.Outer;
        }
    }
}

/// <summary>Events held by <see cref="ShopifySyncEventDispatcher.Defer"/> until what raised them is committed.</summary>
internal sealed class SyncEventBuffer : IDisposable
{
    private readonly List<ShopifySyncEvent> _events = [];
    private readonly Lock _gate = new();

    internal SyncEventBuffer(SyncEventBuffer? outer)
    {
        Outer = outer;
    }

    internal SyncEventBuffer? Outer { get; }

    /// <summary>How many events are held.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>Stops holding events on this flow (what it holds stays, for <see cref="ShopifySyncEventDispatcher.DispatchAsync(SyncEventBuffer, CancellationToken)"/>).</summary>
    public void Dispose() => ShopifySyncEventDispatcher.Close(this);

    /// <summary>Drops what is held: the work that raised it was not stored.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _events.Clear();
        }
    }

    internal void Add(ShopifySyncEvent syncEvent)
    {
        lock (_gate)
        {
            _events.Add(syncEvent);
        }
    }

    internal List<ShopifySyncEvent> Take()
    {
        lock (_gate)
        {
            var taken = new List<ShopifySyncEvent>(_events);
            _events.Clear();
            return taken;
        }
    }
}
