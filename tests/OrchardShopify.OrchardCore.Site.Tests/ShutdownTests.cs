using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrchardShopify.AspNetCore.Workers;
using OrchardShopify.OrchardCore.Site.Tests.Support;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.OrchardCore.Site.Tests;

/// <summary>The site stops cleanly when its host shuts down: in this process, and as a process sent SIGTERM.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Host_shutdown_stops_the_tenant_workers_without_logging_an_error()
    {
        var site = new MultiStoreSiteFixture();
        ShopifySyncRunner runner;
        try
        {
            await ((IAsyncLifetime)site).InitializeAsync();

            // A delivery goes through the running workers.
            var customer = new ShopifyCustomerVersion(7_200_000_001, "grace.shutdown@example.com", "Grace", "Hopper", null, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(-1));
            using var http = site.CreateClient();
            using var request = new ShopifyWebhookSigner(OrchardSiteFixture.UkDomain, OrchardSiteFixture.UkSecret).Customer("customers/create", customer, "shutdown-1", customer.UpdatedAt).ToRequest();
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await OrchardSiteFixture.EventuallyAsync(() => site.FindUserByEmailAsync(customer.Email!), u => u is not null, "the delivery applied");

            runner = await site.InTenantAsync(services => Task.FromResult(services.GetRequiredService<ShopifySyncRunner>()));
            Assert.True(runner.IsRunning);
        }
        finally
        {
            await ((IAsyncLifetime)site).DisposeAsync();
        }

        Assert.False(runner.IsRunning);
        var errors = site.Logs.GetSnapshot().Where(e => e.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors.Select(e => $"{e.Category}: {e.Message} {e.Exception}")));
    }

    [Fact]
    public async Task The_site_process_exits_0_on_SIGTERM_with_nothing_logged_above_warning()
    {
        var dataPath = Path.Combine(Path.GetTempPath(), "orchardshopify-site-tests", Guid.NewGuid().ToString("N"));
        var output = new StringBuilder();
        var welcomed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = SiteProject.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(SiteProject.BuiltDll);
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Site__DataPath"] = dataPath;
        start.Environment["OrchardCore__OrchardCore_AutoSetup__Tenants__0__AdminPassword"] = OrchardSiteFixture.AdminPassword;
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        using var process = new Process { StartInfo = start };
        void Record(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }

            if (line.StartsWith("Demo member:", StringComparison.Ordinal))
            {
                welcomed.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        try
        {
            Assert.True(process.Start());
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            // Demo mode: the emulator, the setup from the recipe, webhooks registered, the demo member pushed to both stores.
            try
            {
                await welcomed.Task.WaitAsync(TimeSpan.FromSeconds(120));
            }
            catch (TimeoutException)
            {
                Assert.Fail("The site did not start:" + Environment.NewLine + Captured(output));
            }

            var site = new Uri(Captured(output).Split('\n').First(l => l.StartsWith("OrchardShopify Orchard Core sample site: ", StringComparison.Ordinal))["OrchardShopify Orchard Core sample site: ".Length..].Trim());
            using (var http = new HttpClient { BaseAddress = site })
            using (var account = await http.GetAsync(new Uri("/account", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, account.StatusCode);
            }

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            var stopping = Stopwatch.StartNew();
            using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
            {
                try
                {
                    await process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    Assert.Fail($"The site had not exited {stopping.Elapsed.TotalSeconds:0} s after SIGTERM:{Environment.NewLine}{Captured(output)}");
                }
            }

            process.WaitForExit();

            var log = Captured(output);
            Assert.True(process.ExitCode == 0, $"Exit code {process.ExitCode}:{Environment.NewLine}{log}");
            Assert.DoesNotContain("fail:", log, StringComparison.Ordinal);
            Assert.DoesNotContain("crit:", log, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
            Assert.Contains("Application is shutting down", log, StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            try
            {
                Directory.Delete(dataPath, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Captured(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
