using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OrchardShopify.AspNetCore.Tests.Support;

/// <summary>The SQL of the commands EF Core runs on one Identity database while it is alive.</summary>
internal sealed class IdentityCommands : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string _file;
    private readonly ConcurrentQueue<string> _sql = new();
    private readonly List<IDisposable> _subscriptions = [];

    public IdentityCommands(string file)
    {
        _file = file;
        _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
    }

    public int Count(Func<string, bool> predicate) => _sql.Count(predicate);

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == RelationalEventId.CommandExecuting.Name && value.Value is CommandEventData data
            && data.Context?.Database.GetConnectionString()?.Contains(_file, StringComparison.Ordinal) == true)
        {
            _sql.Enqueue(data.Command.CommandText);
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            _subscriptions.ForEach(s => s.Dispose());
        }
    }
}
