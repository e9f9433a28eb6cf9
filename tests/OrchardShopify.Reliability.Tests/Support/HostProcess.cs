using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.Reliability.Tests.Support;

/// <summary>The stand-alone site (tests/OrchardShopify.Reliability.Host) as a child process that can be killed outright.</summary>
internal sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private HostProcess(Process process, StreamWriter log, Uri address)
    {
        _process = process;
        _log = log;
        Address = address;
    }

    public Uri Address { get; }

    public static string HostDll => typeof(HostProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ReliabilityHost").Value!;

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <param name="postgres">The sync's and Identity's PostgreSQL database; null: SQLite files in <paramref name="folder"/>.</param>
    public static async Task<HostProcess> StartAsync(string folder, int port, IReadOnlyDictionary<string, string> settings, string? postgres = null)
    {
        Assert.True(File.Exists(HostDll), $"The host is not built: {HostDll}");
        var address = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] database = postgres is null ? [] : ["--postgres", postgres];
        foreach (var argument in new[] { HostDll, "--folder", folder, "--urls", address.ToString().TrimEnd('/') }.Concat(database).Concat(settings.SelectMany(s => new[] { "--set", $"{s.Key}={s.Value}" })))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        // The host's console log, kept in its folder (left behind when a test fails) for whoever reads the failure.
        Directory.CreateDirectory(folder);
        var log = new StreamWriter(Path.Combine(folder, "host.log"), append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new HostProcess(process, log, address);
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            Assert.False(process.HasExited, $"The host exited with code {(process.HasExited ? process.ExitCode : 0)}.");
            try
            {
                using var health = await http.GetAsync("/health");
                if (health.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    return host;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "The host did not start within 60 s.");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Sends <paramref name="deliveries"/> with six senders and kills the process (<see cref="Kill"/>) once half of them
    /// are acknowledged – the workers busy applying them – noting each acknowledged webhook id in
    /// <paramref name="acknowledged"/>. Returns every answer received before the kill, and the failures after it.
    /// </summary>
    public async Task<IReadOnlyList<DeliveryResult>> SendAndKillMidwayAsync(IReadOnlyList<SignedDelivery> deliveries, ConcurrentDictionary<string, byte> acknowledged)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        using var stop = new CancellationTokenSource();
        var answered = 0;
        var sending = DeliverySender.SendAsync(http, deliveries, senders: 6, stop.Token, r =>
        {
            if (r.Acknowledged)
            {
                acknowledged.TryAdd(r.Delivery.WebhookId, 0);
                Interlocked.Increment(ref answered);
            }
        });
        while (!sending.IsCompleted && Volatile.Read(ref answered) < deliveries.Count / 2)
        {
            await Task.Delay(5);
        }

        Kill();
        await stop.CancelAsync();
        return await sending;
    }

    /// <summary>SIGKILL on Linux: no shutdown code runs, open transactions are cut off.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>A normal stop (SIGTERM): workers finish or release their items.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            using var terminate = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await terminate.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        // Also waits until the redirected output has been read to its end (into the log).
        _process.WaitForExit();
        _process.Dispose();
        lock (_log)
        {
            _log.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            if (log.BaseStream is not null)
            {
                log.WriteLine(line);
            }
        }
    }
}
