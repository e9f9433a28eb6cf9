namespace OrchardShopify.AspNetCore.Jobs;

/// <summary>How a failure is told in the sync log, on a work item and in an import's reasons.</summary>
internal static class FailureText
{
    /// <summary>
    /// The exception's message, with its innermost cause when it wraps one: a wrapper's message ("see the inner
    /// exception") says nothing.
    /// </summary>
    public static string Message(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var cause = exception.GetBaseException();
        return ReferenceEquals(cause, exception) ? exception.Message : $"{exception.Message} ({cause.GetType().Name}: {cause.Message})";
    }

    /// <summary><see cref="Message"/> after the exception's type name.</summary>
    public static string Of(Exception exception) => $"{exception.GetType().Name}: {Message(exception)}";
}
