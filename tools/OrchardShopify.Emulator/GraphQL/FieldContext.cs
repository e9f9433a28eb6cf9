using System.Globalization;

namespace OrchardShopify.Emulator.GraphQL;

public sealed class FieldContext
{
    internal FieldContext(object source, FieldSelection selection, IReadOnlyDictionary<string, object?> arguments, ExecutionContext execution)
    {
        Source = source;
        Selection = selection;
        Arguments = arguments;
        Execution = execution;
    }

    public object Source { get; }

    public FieldSelection Selection { get; }

    public IReadOnlyDictionary<string, object?> Arguments { get; }

    public ExecutionContext Execution { get; }

    public bool Has(string name) => Arguments.TryGetValue(name, out var value) && value is not null;

    public string? GetString(string name) => Arguments.GetValueOrDefault(name) switch
    {
        null => null,
        string s => s,
        EnumLiteral e => e.Name,
        IConvertible c => c.ToString(CultureInfo.InvariantCulture),
        var other => throw InvalidArgument(name, other),
    };

    public int? GetInt(string name) => Arguments.GetValueOrDefault(name) switch
    {
        null => null,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        int i => i,
        var other => throw InvalidArgument(name, other),
    };

    public bool? GetBool(string name) => Arguments.GetValueOrDefault(name) switch
    {
        null => null,
        bool b => b,
        var other => throw InvalidArgument(name, other),
    };

    public IReadOnlyDictionary<string, object?>? GetObject(string name) => Arguments.GetValueOrDefault(name) switch
    {
        null => null,
        IReadOnlyDictionary<string, object?> d => d,
        var other => throw InvalidArgument(name, other),
    };

    public IReadOnlyList<object?>? GetList(string name) => Arguments.GetValueOrDefault(name) switch
    {
        null => null,
        IReadOnlyList<object?> list => list,
        var single => [single],
    };

    private GraphQLException InvalidArgument(string name, object? value) =>
        new($"Argument '{name}' on Field '{Selection.Name}' has an invalid value ({value}).", Selection.Location, "argumentLiteralsIncompatible");
}

/// <summary>Per-request state handed to every resolver.</summary>
public sealed class ExecutionContext
{
    public ExecutionContext(object services, bool isBulk = false)
    {
        Services = services;
        IsBulk = isBulk;
    }

    public object Services { get; }

    /// <summary>In a bulk export, connections are unbounded and emitted as separate rows.</summary>
    public bool IsBulk { get; }

    public int ActualCost { get; internal set; }

    public List<GraphQLError> Errors { get; } = [];
}
