using System.Runtime.InteropServices;
using Nito.AsyncEx;
using OrchardShopify.AspNetCore.DependencyInjection;

namespace OrchardShopify.AspNetCore.Workers;

/// <summary>
/// A dedicated thread for a worker's loop, scheduled below the threads that answer requests: when the processors are
/// busy, the operating system runs the webhook acknowledgements first and the apply in the time left; when they are
/// not, the apply runs at full speed. On Linux the thread's nice value is raised (<c>setpriority</c> on the thread's
/// id; .NET's <see cref="Thread.Priority"/> does nothing there); elsewhere <see cref="ThreadPriority.Lowest"/>.
/// </summary>
internal static class WorkerThread
{
    /// <summary>The highest nice value on Linux (0 is a request thread's).</summary>
    public const int MaxNice = 19;

    [ThreadStatic]
    private static bool _isWorker;

    /// <summary>
    /// Whether the calling code runs on such a thread. It must not take a lock that a request thread waits for (the
    /// inbox file's write lock): the system would run it last while the request waited.
    /// </summary>
    public static bool IsCurrent => _isWorker;

    /// <summary>Runs <paramref name="loop"/> on a new background thread; the task completes when it returns.</summary>
    /// <param name="nice">The thread's nice value on Linux (<see cref="ShopifyQueueOptions.WorkerNice"/>); 0 leaves the
    /// thread at the request threads' priority, on every system.</param>
    public static Task Run(string name, int nice, Action<Priority> loop)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            _isWorker = true;
            try
            {
                loop(Lower(nice));
                done.TrySetResult();
            }
#pragma warning disable CA1031 // Handed to the task.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // A loop stopped by its token ends as canceled, as an async loop's task would.
                if (ex is OperationCanceledException canceled)
                {
                    done.TrySetCanceled(canceled.CancellationToken);
                }
                else
                {
                    done.TrySetException(ex);
                }
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>
    /// Runs the asynchronous <paramref name="loop"/> on a new background thread that keeps it: a single-threaded
    /// context (<see cref="AsyncContext"/>) is that thread's, so what follows each of the loop's waits (for PostgreSQL,
    /// Shopify, a customer's lock) is queued back to it rather than run on the thread pool at the request threads'
    /// priority. Only code that gives up the context (libraries' <c>ConfigureAwait(false)</c>: the database driver's
    /// own reads, for one) runs on the thread pool until it returns to the loop's code. Nothing on this thread may block
    /// waiting for work queued to it; a synchronous wait for a task must leave the context first
    /// (<see cref="WithoutContext{T}"/>).
    /// </summary>
    public static Task Run(string name, int nice, Func<Priority, Task> loop) =>
        Run(name, nice, priority => AsyncContext.Run(() => loop(priority)));

    /// <summary>
    /// Runs <paramref name="blocking"/> with no synchronization context, so that the tasks it waits for synchronously
    /// never queue their continuations to the thread that waits (a worker's context, which would then never run them).
    /// </summary>
    public static T WithoutContext<T>(Func<T> blocking)
    {
        var context = SynchronizationContext.Current;
        if (context is null)
        {
            return blocking();
        }

        SynchronizationContext.SetSynchronizationContext(null);
        try
        {
            return blocking();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(context);
        }
    }

    /// <summary>What <see cref="Run(string, int, Action{Priority})"/> did to the thread's priority, for the log.</summary>
    public readonly record struct Priority(bool Lowered, string Description);

    private static Priority Lower(int nice)
    {
        if (nice <= 0)
        {
            return new Priority(false, "the request threads' priority");
        }

        if (OperatingSystem.IsLinux())
        {
            try
            {
                var tid = gettid();
                var value = Math.Min(nice, MaxNice);
                if (setpriority(PrioProcess, tid, value) == 0)
                {
                    return new Priority(true, $"nice {value}");
                }

                return new Priority(false, $"setpriority failed (errno {Marshal.GetLastPInvokeError()})");
            }
            catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
            {
                return new Priority(false, "setpriority unavailable: " + ex.Message);
            }
        }

        Thread.CurrentThread.Priority = ThreadPriority.Lowest;
        return new Priority(true, "lowest thread priority");
    }

    private const int PrioProcess = 0;

    // DllImport rather than LibraryImport: two int functions need no marshalling, and the library stays free of unsafe code.
#pragma warning disable SYSLIB1054
    [DllImport("libc", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int setpriority(int which, int who, int prio);

    [DllImport("libc")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int gettid();
#pragma warning restore SYSLIB1054
}
