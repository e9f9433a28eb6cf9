using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace OrchardShopify.Core.Configuration;

/// <summary>
/// An <see cref="IOptionsMonitor{TOptions}"/> that keeps each name's last valid value when the configuration changes to
/// values that do not bind or do not validate (a running site's <c>appsettings.json</c> edited with a mistake). The
/// runtime's own monitor throws from every read of such values, and from the configuration's reload: a worker reading
/// its poll interval would stop, and the host with it. Here the change is refused with an error naming what is wrong,
/// every reader goes on with the previous values, and the next change that is valid applies as usual (and says so).
/// The first read of a name still throws when its values are not valid: that is the site's start, which has to fail
/// (<c>ValidateOnStart</c>).
/// </summary>
internal sealed partial class LastValidOptionsMonitor<TOptions> : IOptionsMonitor<TOptions>, IDisposable
    where TOptions : class
{
    private readonly IOptionsFactory<TOptions> _factory;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, TOptions> _values = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _refused = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _registrations = [];
    private readonly Lock _gate = new();
    private volatile Action<TOptions, string?>[] _listeners = [];

    public LastValidOptionsMonitor(IOptionsFactory<TOptions> factory, IEnumerable<IOptionsChangeTokenSource<TOptions>> sources, ILogger<LastValidOptionsMonitor<TOptions>> logger)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(logger);
        _factory = factory;
        _logger = logger;
        foreach (var source in sources)
        {
            _registrations.Add(ChangeToken.OnChange(source.GetChangeToken, Changed, source.Name));
        }
    }

    public TOptions CurrentValue => Get(Options.DefaultName);

    public TOptions Get(string? name) => _values.GetOrAdd(name ?? Options.DefaultName, static (n, factory) => factory.Create(n), _factory);

    public IDisposable OnChange(Action<TOptions, string?> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_gate)
        {
            _listeners = [.. _listeners, listener];
        }

        return new Subscription(this, listener);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _registrations.Clear();
    }

    /// <summary>Builds the changed names' values again; keeps a name's previous values when the new ones are not valid.</summary>
    private void Changed(string? sourceName)
    {
        foreach (var name in _values.Keys)
        {
            if (sourceName is not null && !string.Equals(sourceName, name, StringComparison.Ordinal))
            {
                continue;
            }

            TOptions value;
            try
            {
                value = _factory.Create(name);
            }
            catch (OptionsValidationException ex)
            {
                _refused[name] = true;
                Log.Refused(_logger, typeof(TOptions).Name, string.Join(" ", ex.Failures));
                continue;
            }
            catch (InvalidOperationException ex)
            {
                // The binder's: a value that does not convert to its setting's type (it names the key and the type).
                _refused[name] = true;
                Log.Refused(_logger, typeof(TOptions).Name, ex.Message);
                continue;
            }

            _values[name] = value;
            if (_refused.TryRemove(name, out _))
            {
                Log.Accepted(_logger, typeof(TOptions).Name);
            }

            foreach (var listener in _listeners)
            {
                listener(value, name);
            }
        }
    }

    private void Remove(Action<TOptions, string?> listener)
    {
        lock (_gate)
        {
            _listeners = [.. _listeners.Where(l => l != listener)];
        }
    }

    private sealed class Subscription(LastValidOptionsMonitor<TOptions> monitor, Action<TOptions, string?> listener) : IDisposable
    {
        public void Dispose() => monitor.Remove(listener);
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "The configuration changed, but its new {Options} values are not valid, so the site goes on with the previous ones until they are corrected: {Errors}")]
        public static partial void Refused(ILogger logger, string options, string errors);

        [LoggerMessage(Level = LogLevel.Information, Message = "The configuration's {Options} values are valid again and apply")]
        public static partial void Accepted(ILogger logger, string options);
    }
}
