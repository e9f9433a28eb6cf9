using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.DependencyInjection;
using OrchardShopify.AspNetCore.Persistence;
using OrchardShopify.AspNetCore.Tests.Support;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.Testing.Hosting.Postgres;
using OrchardShopify.Testing.Hosting.Sites;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.AspNetCore.Tests.Queue;

/// <summary>
/// The workers apply on threads of their own, scheduled below the threads that acknowledge webhooks: on busy
/// processors the operating system runs the acknowledgements first. Checked through a site as a host sets it up, by
/// where its log lines are written: the apply's on the worker's thread at the configured nice value
/// (<see cref="ShopifyQueueOptions.WorkerNice"/>, 10 by default), the intake's at the process's own; and an import's
/// users are created on its applier's thread, at that nice value too.
/// </summary>
public sealed class WorkerThreadTests
{
    private static readonly int DefaultNice = new ShopifyQueueOptions().WorkerNice;

    [Fact]
    public async Task A_node_applies_webhooks_on_its_inbound_workers_thread_below_the_priority_of_the_threads_that_acknowledge_them()
    {
        var processNice = NiceOf("/proc/self/stat");
        var lines = await ApplyNewCustomersAsync(12, "nice", new Dictionary<string, string?>(), () =>
        {
            if (OperatingSystem.IsLinux())
            {
                // The workers' threads as the system lists them (names cut to 15 characters): this site's two, and those of
                // other tests' sites running in the process (which may be configured otherwise).
                var workers = Directory.GetDirectories("/proc/self/task")
                    .Select(ThreadOf)
                    .OfType<(string Name, int Nice)>()
                    .Where(t => t.Name.StartsWith("Shopify Inbound", StringComparison.Ordinal) || t.Name.StartsWith("Shopify Outboun", StringComparison.Ordinal))
                    .ToList();
                Assert.True(workers.Count(w => w.Nice == DefaultNice) >= 2, string.Join(", ", workers.Select(w => $"{w.Name} at nice {w.Nice}")));
            }
        });

        // Each new customer's "…: Created" line was written by the apply, on the inbound worker's thread.
        var applied = lines.Where(l => l.Category == "OrchardShopify.Core.Sync.InboundCustomerSync" && l.Message.EndsWith(": Created", StringComparison.Ordinal)).ToList();
        Assert.Equal(12, applied.Count);
        Assert.All(applied, l => Assert.Equal("Shopify InboundDelivery worker", l.Thread));

        // Each delivery's "stored" line was written by the intake, at the process's priority.
        var stored = lines.Where(l => l.Category == "OrchardShopify.AspNetCore.Webhooks.WebhookIntake" && l.Message.Contains("stored", StringComparison.Ordinal)).ToList();
        Assert.Equal(12, stored.Count);
        Assert.All(stored, l => Assert.NotEqual("Shopify InboundDelivery worker", l.Thread));

        // No claim failed: a worker thread that moved the inbox itself would have been refused (next test) and logged it.
        Assert.DoesNotContain(lines, l => l.Level >= LogLevel.Warning);

        var started = lines.Where(l => l.Category == "OrchardShopify.AspNetCore.Workers.SyncWorker" && l.Message.Contains("started", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, started.Count);
        if (OperatingSystem.IsLinux())
        {
            Assert.All(applied, l => Assert.Equal(DefaultNice, l.Nice));
            Assert.All(stored, l => Assert.Equal(processNice, l.Nice));
            Assert.All(started, l => Assert.EndsWith($"started (nice {DefaultNice})", l.Message, StringComparison.Ordinal));
        }
    }

    [PostgresFact]
    public async Task A_node_on_PostgreSQL_applies_on_its_inbound_workers_thread_after_each_wait_for_the_database_too()
    {
        // On PostgreSQL every step of the apply waits for the network; what follows each wait runs on the worker's thread
        // again, not on the thread pool at the request threads' priority.
        await using var database = await ScratchPostgresDatabase.CreateAsync();
        var lines = await ApplyNewCustomersAsync(12, "pgnice", new Dictionary<string, string?>(), () => { }, database.ConnectionString);

        var applied = lines.Where(l => l.Category == "OrchardShopify.Core.Sync.InboundCustomerSync" && l.Message.EndsWith(": Created", StringComparison.Ordinal)).ToList();
        Assert.Equal(12, applied.Count);
        Assert.All(applied, l => Assert.Equal("Shopify InboundDelivery worker", l.Thread));
        if (OperatingSystem.IsLinux())
        {
            Assert.All(applied, l => Assert.Equal(DefaultNice, l.Nice));
        }

        Assert.DoesNotContain(lines, l => l.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task The_inbox_is_never_moved_on_a_worker_thread_whose_lock_the_webhook_writer_would_wait_for()
    {
        await using var site = await SyncSite.StartAsync(new SyncSiteOptions
        {
            Folder = SyncSite.NewFolder(),
            Settings = new Dictionary<string, string?> { ["Shopify:Queue:WorkersEnabled"] = "false" },
        });
        var inbox = site.Services.GetRequiredService<WebhookInbox>();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => WorkerThread.Run("moving worker", DefaultNice, _ => inbox.MoveAsync(CancellationToken.None).GetAwaiter().GetResult()));
        Assert.Contains("not on a worker's low-priority thread", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, await inbox.MoveAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_import_on_SQLite_creates_its_users_on_the_import_applier_thread_below_the_request_threads_priority()
    {
        // Site code that runs as each user is created: a validator recording the thread that calls it.
        var calls = new ConcurrentQueue<(string? Thread, int Nice)>();
        await using var env = await EmulatorSite.StartAsync(
            40,
            configureServices: services => services.AddScoped<IUserValidator<IdentityUser>>(_ => new ThreadRecordingValidator(calls)));

        var started = await env.AdminJsonAsync(HttpMethod.Post, "/import?store=uk");
        var done = await env.WaitForJobAsync($"/import/{started.GetProperty("id").GetString()}");
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(40, done.GetProperty("progress").GetProperty("created").GetInt64());
        Assert.Equal(40, (await env.Site.WithUsersAsync(users => Task.FromResult(users.Users.Count()))));

        Assert.Equal(40, calls.Count);
        Assert.All(calls, c => Assert.Equal("Shopify import applier", c.Thread));
        if (OperatingSystem.IsLinux())
        {
            Assert.All(calls, c => Assert.Equal(DefaultNice, c.Nice));
        }
    }

    [Fact]
    public async Task A_loop_that_fails_fails_its_task_one_stopped_by_its_token_cancels_it_and_one_that_returns_completes_it()
    {
        var failed = WorkerThread.Run("failing loop", DefaultNice, _ => throw new InvalidOperationException("the database is gone"));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => failed);
        Assert.Equal("the database is gone", error.Message);

        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();
        var stopped = WorkerThread.Run("stopped loop", DefaultNice, _ => stop.Token.ThrowIfCancellationRequested());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopped);
        Assert.True(stopped.IsCanceled);

        string? name = null;
        WorkerThread.Priority? priority = null;
        await WorkerThread.Run("returning loop", DefaultNice, p =>
        {
            name = Thread.CurrentThread.Name;
            priority = p;
        });
        Assert.Equal("returning loop", name);
        Assert.True(priority?.Lowered, priority?.Description);
    }

    [Fact]
    public async Task An_asynchronous_loop_goes_on_on_its_own_thread_after_each_wait_and_a_synchronous_wait_outside_its_context_does_not_block_it()
    {
        var threads = new ConcurrentQueue<string?>();
        var value = 0;
        await WorkerThread.Run("async loop", DefaultNice, async _ =>
        {
            threads.Enqueue(Thread.CurrentThread.Name);
            await Task.Delay(10);
            threads.Enqueue(Thread.CurrentThread.Name);
            await Task.Run(() => Thread.Sleep(5));
            threads.Enqueue(Thread.CurrentThread.Name);

            // A one-off synchronous read (the saved settings' first read): its waits complete off the loop's context.
            value = WorkerThread.WithoutContext(() => LaterAsync().GetAwaiter().GetResult());
            threads.Enqueue(Thread.CurrentThread.Name);
        }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["async loop", "async loop", "async loop", "async loop"], threads);
        Assert.Equal(42, value);

        static async Task<int> LaterAsync()
        {
            await Task.Delay(10);
            return 42;
        }
    }

    [Fact]
    public async Task Workers_configured_at_nice_0_apply_at_the_priority_of_the_threads_that_acknowledge_webhooks()
    {
        var processNice = NiceOf("/proc/self/stat");
        var lines = await ApplyNewCustomersAsync(4, "nice0", new Dictionary<string, string?> { ["Shopify:Queue:WorkerNice"] = "0" }, () => { });

        var applied = lines.Where(l => l.Category == "OrchardShopify.Core.Sync.InboundCustomerSync" && l.Message.EndsWith(": Created", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, applied.Count);
        Assert.All(applied, l => Assert.Equal("Shopify InboundDelivery worker", l.Thread));
        var started = lines.Where(l => l.Category == "OrchardShopify.AspNetCore.Workers.SyncWorker" && l.Message.Contains("started", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, started.Count);
        Assert.All(started, l => Assert.EndsWith("started (the request threads' priority)", l.Message, StringComparison.Ordinal));
        if (OperatingSystem.IsLinux())
        {
            Assert.All(applied, l => Assert.Equal(processNice, l.Nice));
        }
    }

    /// <summary>
    /// Starts a site with <paramref name="settings"/>, has it apply <paramref name="customers"/> new customers' deliveries,
    /// runs <paramref name="whileRunning"/> and stops it. Returns every log line it wrote, with the thread that wrote it.
    /// </summary>
    private static async Task<ConcurrentQueue<LoggedOn>> ApplyNewCustomersAsync(int customers, string prefix, Dictionary<string, string?> settings, Action whileRunning, string? postgres = null)
    {
        var lines = new ConcurrentQueue<LoggedOn>();
        var options = new SyncSiteOptions
        {
            Folder = SyncSite.NewFolder(),
            PostgresConnectionString = postgres,
            Settings = settings,
            ConfigureServices = services => services.AddSingleton<ILoggerProvider>(new ThreadRecordingProvider(lines)),
        };
        var burst = CustomerBurst.Generate(new ShopifyWebhookSigner(SyncSite.ShopDomain, SyncSite.WebhookSecret), customers, versions: 1, prefix);
        await using var site = await SyncSite.StartAsync(options);
        var results = await DeliverySender.SendAsync(site.Http, burst.Deliveries, senders: 4, CancellationToken.None);
        Assert.All(results, r => Assert.True(r.Acknowledged, $"{r.Delivery.WebhookId}: {r.StatusCode} {r.Error}"));
        await SyncSite.EventuallyAsync(async () => await site.State.UnfinishedInboundAsync() == 0, "the node has applied the deliveries", TimeSpan.FromSeconds(30));
        Assert.Equal(customers, (await site.State.UsersAsync()).Count);
        whileRunning();
        return lines;
    }

    /// <summary>A thread's name and nice value, or null when it ended after the folder was listed (other tests' threads come and go).</summary>
    private static (string Name, int Nice)? ThreadOf(string task)
    {
        try
        {
            return (File.ReadAllText(Path.Combine(task, "comm")).Trim(), NiceOf(Path.Combine(task, "stat")));
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException or IOException)
        {
            return null;
        }
    }

    /// <summary>The nice value (19th field) of a <c>/proc</c> stat file.</summary>
    internal static int NiceOf(string statFile)
    {
        var stat = File.ReadAllText(statFile);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], CultureInfo.InvariantCulture);
    }

    private sealed class ThreadRecordingValidator(ConcurrentQueue<(string? Thread, int Nice)> calls) : IUserValidator<IdentityUser>
    {
        public Task<IdentityResult> ValidateAsync(UserManager<IdentityUser> manager, IdentityUser user)
        {
            calls.Enqueue((Thread.CurrentThread.Name, OperatingSystem.IsLinux() ? NiceOf("/proc/thread-self/stat") : 0));
            return Task.FromResult(IdentityResult.Success);
        }
    }

    private sealed record LoggedOn(LogLevel Level, string Category, string Message, string? Thread, int Nice);

    /// <summary>Records each log line with the thread that wrote it and that thread's nice value (Linux; 0 elsewhere).</summary>
    private sealed class ThreadRecordingProvider(ConcurrentQueue<LoggedOn> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Recorder(string category, ConcurrentQueue<LoggedOn> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (category.StartsWith("OrchardShopify", StringComparison.Ordinal))
                {
                    lines.Enqueue(new LoggedOn(logLevel, category, formatter(state, exception), Thread.CurrentThread.Name, OperatingSystem.IsLinux() ? NiceOf("/proc/thread-self/stat") : 0));
                }
            }
        }
    }
}
