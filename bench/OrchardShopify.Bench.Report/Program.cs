// Writes docs/benchmarks.md and its charts (docs/benchmarks/*.png) from the results bench/run.sh collected:
// {name}.json (figures and series, written by each benchmark), {name}.txt (its console output) and {name}.skipped
// (why it did not run).
//
//   dotnet run -c Release --project bench/OrchardShopify.Bench.Report -- <results folder> <repository root>
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using OrchardShopify.Bench.Report;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: <results folder> <repository root>");
    return 2;
}

var results = args[0];
var root = args[1];
var charts = Path.Combine(root, "docs", "benchmarks");
Directory.CreateDirectory(charts);
var runs = new Runs(results);
var md = new StringBuilder();
void L(string line = "") => md.Append(line).Append('\n');
string N(double v, int d = 0) => v.ToString("N" + d.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
string Verdict(bool met) => met ? "met" : "**not met**";
string LagText(double ms) => ms >= 1000 ? $"{ms / 1000:0.0} s" : $"{ms:0} ms";

L("# Benchmarks");
L();
L("This page is written by `bash bench/run.sh` (from the repository root), which builds and runs every benchmark");
L("under `bench/` and then writes this file and its charts (`docs/benchmarks/*.png`) from their results; rerun it");
L("rather than editing the figures by hand. The benchmarks are console programs run on demand: they are not part of");
L("`OrchardShopify.sln` and do not run in CI. Each one can also be run on its own (commands below). The charts are drawn");
L("with ScottPlot, which needs a font installed on the machine (on Debian: `apt-get install fonts-dejavu-core`).");
L();
L("```sh");
L("bash bench/run.sh                 # all benchmarks, then this page (30 to 40 minutes on a quiet 2-core machine, more under load; what each benchmark took in this page's run is in the machine table)");
L("BENCH_IMPORT_CUSTOMERS=20000 BENCH_IMPORT_LARGE_CUSTOMERS=200000 BENCH_POSTGRES_DELIVERIES=1000 bash bench/run.sh   # smaller runs");
L("BENCH_IMPORT_LARGE_CUSTOMERS=0 bash bench/run.sh   # without the large import");
L("```");
L();
L("The PostgreSQL run needs a server: `run.sh` starts the local one with `bash scripts/postgres.sh` (the same as the");
L("tests) and skips that run, saying why, when it cannot.");
L();
L("## Machine");
L();
L("| | |");
L("|---|---|");
L($"| processors | {Environment.ProcessorCount} (`nproc`), {Machine.CpuModel()} |");
L($"| memory | {Machine.Memory()} |");
L($"| operating system | {Machine.OperatingSystem()}, kernel {Machine.Kernel()}, {RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()} |");
L($"| .NET | runtime {Environment.Version} (SDK {Environment.GetEnvironmentVariable("BENCH_DOTNET_SDK") ?? "?"}), server GC in the ingest and apply benchmarks |");
L($"| run | {Environment.GetEnvironmentVariable("BENCH_STARTED") ?? "?"} to {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, commit {Environment.GetEnvironmentVariable("BENCH_COMMIT") ?? "?"} |");
L($"| load average (1 min) | {Environment.GetEnvironmentVariable("BENCH_LOAD_START") ?? "?"} at the start, {Machine.LoadAverage()} at the end |");
var pausesStart = runs.Figures("pauses-start");
var pausesEnd = runs.Figures("pauses-end");
string PauseText(Dictionary<string, double>? p) => p is null
    ? "not measured"
    : $"longest {p["longest_ms"]:0} ms; {p["over50"]:0} gaps over 50 ms ({(p["over50_min_per_thread"] == p["over50_max_per_thread"] ? $"{p["over50_min_per_thread"]:0}" : $"{p["over50_min_per_thread"]:0}–{p["over50_max_per_thread"]:0}")} per thread); {N(p["paused_ms"])} ms lost in gaps over 10 ms";
var pauseSeconds = pausesStart?["seconds"] ?? pausesEnd?["seconds"];
L($"| time each benchmark took | {runs.Durations()} |");
L($"| processor pauses{(pauseSeconds is { } ps ? $" ({ps:0} s, one thread per processor reading the clock)" : "")} | before the benchmarks: {PauseText(pausesStart)}; after them: {PauseText(pausesEnd)} |");
L();
L("The load average counts every process on the machine, other people's builds and tests included: above the");
L("processor count, the benchmarks shared their 2 processors and every figure below is lower (and noisier) than on an");
L("idle machine. Ratios against a baseline measured in the same run (ingest against bare Kestrel, apply against the");
L("engine alone) are the figures to compare across runs.");
L();
L("The processor pauses are measured with nothing else of the benchmarks running (`pauses` in the benchmark program,");
L("`dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- pauses 30`): every gap between two readings of");
L("the clock is time the machine did not run that thread, whether another process had the processor or the machine");
L("paused it under the operating system (which the load average does not show). A request in flight during such a");
L("pause waits it out: the latency tails below (p99) include the pauses their run met, and how many a run meets varies");
L("(how much they explain is measured in \"The tail under wrk is not the machine's pauses\" below).");
L();

// Summary
var deployed = runs.Figures("deployed");
var siteWrk = runs.Figures("site-wrk");
var ingest = runs.Figures("ingest");
var applySqlite = runs.Figures("apply-sqlite");
var applyPostgres = runs.Figures("apply-postgres");
var twoNodes = runs.Figures("two-nodes");
var import = runs.Figures("import");
var importLarge = runs.Figures("import-large");
var importWorkstation = runs.Figures("import-workstation");
var importNoPgo = runs.Figures("import-nopgo");
var importPostgres = runs.Figures("import-postgres");
var importAcks = runs.Figures("import-acks");
var importAcksPostgres = runs.Figures("import-acks-postgres");
var outbound = runs.Figures("outbound");
L("## Summary");
L();
L("| target | measured | |");
L("|---|---|---|");
if (deployed is not null)
{
    L($"| **as deployed** (workers on, a new customer per delivery): ack throughput ≥ 0.9 × the same site with workers off (same run) | {deployed["ratio"]:0.000} ({N(deployed["on_rps"])} vs {N(deployed["off_rps"])} requests/s) | {Verdict(deployed["ratio"] >= 0.9)} |");
    L($"| as deployed: ≥ 4,000 deliveries/s closed loop ({deployed["connections"]:0} connections) | {N(deployed["on_rps"])} requests/s (p99 {deployed["on_p99_ms"]:0.0} ms) | {Verdict(deployed["on_rps"] >= 4000)} |");
    L($"| as deployed, 1,000 deliveries/s open loop: ack p99 < 10 ms | {deployed["paced_p99_ms"]:0.0} ms (p50 {deployed["paced_p50_ms"]:0.00} ms) | {Verdict(deployed["paced_p99_ms"] < 10)} |");
    L($"| as deployed, 1,000 deliveries/s: lag acknowledged → user written, p99 < 1 s | {N(deployed["lag_p99_ms"])} ms (p50 {N(deployed["lag_p50_ms"])} ms) | {Verdict(deployed["lag_p99_ms"] < 1000)} |");
    L($"| as deployed, 1,000 deliveries/s: backlog 0 within 2 s of the burst's end | {N(deployed["backlog_end"])} left at the end, empty after {deployed["drain_s"]:0.00} s | {Verdict(deployed["drain_s"] <= 2)} |");
}

if (siteWrk is not null)
{
    var clean = siteWrk["failures"] == 0 && siteWrk["site_errors"] == 0 && siteWrk["applied_all"] == 1;
    L($"| **the sample site under wrk -t2 -c32** (the sample site's own processes, one store, sync on): ack throughput ≥ 0.9 × the same site with `Shopify:Enabled=false` (median of {siteWrk["rounds"]:0} alternating rounds) | {siteWrk["ratio"]:0.000} ({N(siteWrk["on_rps"])} vs {N(siteWrk["off_rps"])} requests/s; rounds {siteWrk["ratio_min"]:0.00}–{siteWrk["ratio_max"]:0.00}) | {Verdict(siteWrk["ratio"] >= 0.9 && clean)} |");
    L($"| the sample site under wrk, sync on: ≥ 4,000 deliveries/s and ≥ 1.5 × the official Node library's receiver (same rounds) | {N(siteWrk["on_rps"])} requests/s, {siteWrk["on_vs_node"]:0.00} × the Node receiver ({N(siteWrk["node_rps"])}) | {Verdict(siteWrk["on_rps"] >= 4000 && siteWrk["on_vs_node"] >= 1.5 && clean)} |");
}

if (ingest is not null)
{
    L($"| webhook ingest ≥ 0.5 × bare Kestrel (requests/s, same run) | {ingest["ratio"]:0.000} ({N(ingest["site_rps"])} vs {N(ingest["bare_rps"])}) | {Verdict(ingest["ratio"] >= 0.5)} |");
    L($"| p99 < 10 ms at 1,000 requests/s | {ingest["paced_p99_ms"]:0.0} ms | {Verdict(ingest["paced_p99_ms"] < 10)} |");
}

if (applySqlite is not null)
{
    L($"| inbound apply ≥ 3,000 customers/s on SQLite (after warm-up rounds) | {N(applySqlite["site_rate"])} customers/s (first round in the process: {N(applySqlite["first_round_rate"])}/s) | {Verdict(applySqlite["site_rate"] >= 3000 && applySqlite["complete"] == 1)} |");
}

if (applyPostgres is not null)
{
    L($"| inbound apply on PostgreSQL ≥ 2,000 customers/s on one node | {N(applyPostgres["site_rate"])} customers/s | {Verdict(applyPostgres["site_rate"] >= 2000)} |");
}

if (twoNodes is not null)
{
    L($"| PostgreSQL, one site process applying (two-node benchmark, own process, warmed up) ≥ 2,000 customers/s | {N(twoNodes["one_rate"])} customers/s | {Verdict(twoNodes["one_rate"] >= 2000 && twoNodes["complete"] == 1)} |");
    L($"| PostgreSQL: two nodes ≥ 1.6 × one node (apply, same run) | {twoNodes["ratio"]:0.00} ({N(twoNodes["two_rate"])} vs {N(twoNodes["one_rate"])} customers/s){Ceiling(twoNodes)} | {Verdict(twoNodes["ratio"] >= 1.6 && twoNodes["complete"] == 1)} |");
    L($"| PostgreSQL: ack p99 < 20 ms at 1,000 deliveries/s with both nodes applying | {twoNodes["paced_p99_ms"]:0.0} ms (p50 {twoNodes["paced_p50_ms"]:0.00} ms; workers off, same run: p99 {twoNodes["baseline_p99_ms"]:0.0} ms) | {Verdict(twoNodes["paced_p99_ms"] < 20 && twoNodes["paced_failures"] == 0)} |");
}
else
{
    L("| PostgreSQL: two nodes ≥ 1.6 × one node; ack p99 < 20 ms at 1,000/s with both nodes applying | not measured (the two-node run did not run) | **not met** |");
}

if (import is not null)
{
    L($"| bulk import of {N(import["customers"])} customers < 15 s | {import["seconds"]:0.0} s{(import["complete"] == 1 ? "" : $" (stopped at the time limit after {N(import["applied"])})")} (export ready {import.GetValueOrDefault("export_ready_seconds"):0.0} s, apply {import.GetValueOrDefault("apply_seconds"):0.0} s at {N(import["rate"])} customers/s{(import.GetValueOrDefault("dynamic_pgo", 1) == 1 ? ", Dynamic PGO on as the runtime's default" : "")}){(importNoPgo is null ? "" : $"; the same import with Dynamic PGO off: {importNoPgo["seconds"]:0.0} s")} | {Verdict(import["complete"] == 1 && import["seconds"] < 15)} |");
    L($"| bulk import peak memory < 200 MB | {N(import["peak_working_set_mb"])} MB (peak working set{(import.GetValueOrDefault("server_gc") == 1 ? ", server GC as ASP.NET Core sites have by default" : "")}{(importWorkstation is null ? "" : $"; the same import with workstation GC: {N(importWorkstation["peak_working_set_mb"])} MB in {importWorkstation["seconds"]:0.0} s")}{(importNoPgo is null ? "" : $"; with Dynamic PGO off: {N(importNoPgo["peak_working_set_mb"])} MB")}) | {Verdict(import["peak_working_set_mb"] < 200)} |");
    if (importLarge is not null)
    {
        var growth = (importLarge["peak_working_set_mb"] / import["peak_working_set_mb"]) - 1;
        L($"| a {N(importLarge["customers"])}-customer import peaks within 10 % of the {N(import["customers"])} one | {N(importLarge["peak_working_set_mb"])} MB vs {N(import["peak_working_set_mb"])} MB ({growth * 100:+0.0;-0.0} %; {importLarge["seconds"]:0} s{(importLarge["complete"] == 1 ? "" : $", stopped at the time limit after {N(importLarge["applied"])}")}) | {Verdict(importLarge["complete"] == 1 && growth <= 0.10)} |");
    }
    else
    {
        L($"| a 1,000,000-customer import peaks within 10 % of the 100,000 one | not measured{(runs.Skipped().FirstOrDefault(r => r.Name == "import-large").Reason is { } why ? $" ({why})" : " (BENCH_IMPORT_LARGE_CUSTOMERS=0)")} | **not met** |");
    }
}

if (importPostgres is not null)
{
    L($"| bulk import of {N(importPostgres["customers"])} customers < 15 s, on PostgreSQL | {importPostgres["seconds"]:0.0} s{(importPostgres["complete"] == 1 ? "" : $" (stopped at the time limit after {N(importPostgres["applied"])})")} (export ready {importPostgres.GetValueOrDefault("export_ready_seconds"):0.0} s, apply {importPostgres.GetValueOrDefault("apply_seconds"):0.0} s at {N(importPostgres["rate"])} customers/s; peak working set {N(importPostgres["peak_working_set_mb"])} MB) | {Verdict(importPostgres["complete"] == 1 && importPostgres["seconds"] < 15)} |");
}

foreach (var (acks, kind, target) in new[] { (importAcks, "SQLite", 10.0), (importAcksPostgres, "PostgreSQL", 20.0) })
{
    if (acks is not null)
    {
        L($"| during an import of {N(acks["customers"])} customers on {kind}, 1,000 new customers/s: ack p99 < {target:0} ms and lag p99 < 1 s, as without an import | ack p99 {acks["busy_p99_ms"]:0.0} ms (without an import, same run: {acks["quiet_p99_ms"]:0.0} ms); lag p99 {LagText(acks["busy_lag_p99_ms"])} (p50 {LagText(acks["busy_lag_p50_ms"])}){(acks["overlapped"] == 1 ? "" : "; the import finished before the open loop did")} | {Verdict(acks["overlapped"] == 1 && acks["complete"] == 1 && acks["failures"] == 0 && acks["busy_p99_ms"] < target && acks["busy_lag_p99_ms"] < 1000)} |");
    }
}

if (outbound is not null)
{
    L($"| outbound: ≥ 0.95 of Shopify's rate limit after warm-up, no THROTTLED after warm-up | {outbound["utilization_after_empty"]:0.000}, {outbound["throttled_after_warmup"]:0} THROTTLED | {Verdict(outbound["utilization_after_empty"] >= 0.95 && outbound["throttled_after_warmup"] == 0)} |");
}

L();
foreach (var skipped in runs.Skipped())
{
    L($"Not run: **{skipped.Name}**: {skipped.Reason}");
    L();
}

// Ingest as deployed
L("## Webhook ingest as deployed (workers on)");
L();
L("`dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- deployed [deliveries] [connections] [rounds] [seconds at 1,000/s]`");
L();
L("The site as it is deployed: the same host as below (Identity users and the sync on SQLite files, `MapShopifyWebhooks()`),");
L("`CreateUsersFromShopify` on and its workers on, so while it acknowledges deliveries it also applies them: every");
L("delivery is a `customers/create` of a new customer (own id, email and phone), and applying it creates the Identity");
L("user, its claims, the link and a sync log row. Beside it, in the same process, the same site with its workers off");
L("(verify + store only) is the baseline. Both get the same `HttpClient` load over loopback connections, closed loop,");
L("in turns (a warm-up round each, then the measured rounds); after each round of the site with workers on, the next");
L("round waits until its workers have applied everything (the time is printed), so the baseline never runs beside the");
L("other site's apply. The round with the median ratio is reported. Then the site with workers on gets an open loop at");
L("1,000 deliveries/s (sent on schedule whatever the answers): ack latency from send, the lag from receipt to the");
L("user written (the work item's `received_at` to its `processed_at`, both set by the site; receipt is a fraction of a");
L("millisecond before the acknowledgement), and what is left to apply when the last delivery has been answered (work");
L("items pending or claimed plus deliveries not yet moved out of the inbox file) and how long until it is empty");
L("(polled every 50 ms).");
L();
if (deployed is not null)
{
    Charts.Bars(Path.Combine(charts, "deployed-throughput.png"), $"Webhook acknowledgements, workers on vs off ({deployed["connections"]:0} connections, closed loop)", "throughput (requests/s)",
    [
        new Bar("workers off", deployed["off_rps"], N(deployed["off_rps"]), Charts.Grey, "site, workers off (baseline)"),
        new Bar("workers on", deployed["on_rps"], $"{N(deployed["on_rps"])} ({deployed["ratio"]:0.00}× off)", Charts.Blue, "site, workers on (as deployed)"),
    ],
    new Target(deployed["off_rps"] * 0.9, "target: 0.9 × workers off"));
    Charts.Bars(Path.Combine(charts, "deployed-latency.png"), "Workers on at 1,000 deliveries/s: acknowledgement latency and lag until the user is written", "time (ms)",
    [
        new Bar("ack p50", deployed["paced_p50_ms"], $"{deployed["paced_p50_ms"]:0.00} ms", Charts.Blue, "acknowledgement (from send)"),
        new Bar("ack p99", deployed["paced_p99_ms"], $"{deployed["paced_p99_ms"]:0.00} ms", Charts.Blue, "acknowledgement (from send)"),
        new Bar("lag p50", deployed["lag_p50_ms"], $"{N(deployed["lag_p50_ms"])} ms", Charts.Green, "lag, received → user written"),
        new Bar("lag p99", deployed["lag_p99_ms"], $"{N(deployed["lag_p99_ms"])} ms", Charts.Green, "lag, received → user written"),
    ],
    new Target(10, "target: ack p99 < 10 ms"));
    L("![Acknowledgements with workers on and off](benchmarks/deployed-throughput.png)");
    L();
    L("![Ack latency and lag at 1,000 deliveries/s](benchmarks/deployed-latency.png)");
    L();
    L("| | requests/s | ack p50 | ack p99 |");
    L("|---|---|---|---|");
    L($"| site, workers off (baseline) | {N(deployed["off_rps"])} | {deployed["off_p50_ms"]:0.00} ms | {deployed["off_p99_ms"]:0.00} ms |");
    L($"| site, workers on (as deployed) | {N(deployed["on_rps"])} | {deployed["on_p50_ms"]:0.00} ms | {deployed["on_p99_ms"]:0.00} ms |");
    L($"| ratio on / off | {deployed["ratio"]:0.000} | | |");
    L($"| workers on, 1,000 deliveries/s for {deployed["paced_seconds"]:0} s (open loop) | | {deployed["paced_p50_ms"]:0.00} ms | {deployed["paced_p99_ms"]:0.00} ms (max {deployed["paced_max_ms"]:0.0} ms) |");
    L();
    L($"At 1,000 deliveries/s: lag from receipt to the user written p50 {N(deployed["lag_p50_ms"])} ms, p99 {N(deployed["lag_p99_ms"])} ms; {N(deployed["backlog_end"])} deliveries left to apply when the burst ended, none after {deployed["drain_s"]:0.00} s. After a closed-loop round of {N(deployed["round_deliveries"])} the workers needed {deployed["drain_round_s"]:0.0} s (median) more to apply everything. Every delivery was applied (a user and a succeeded work item each): {(deployed["applied_all"] == 1 ? "yes" : "**NO**")}.");
    L();
}

L(runs.Output("deployed"));

// The sample site under wrk
L("## The sample site under wrk");
L();
L("`dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- site-wrk [rounds] [seconds]` (first: `dotnet build -c Release src/OrchardShopify.Web`, `npm install --prefix bench/wrk`, and wrk: `apt-get install wrk`)");
L();
L("The sample site itself (`src/OrchardShopify.Web`, built in Release), each instance a process of its own on its own data");
L("folder, configured for one real store as [docs/site.md](site.md) says (`Shopify__Stores__uk__…`, `CreateUsersFromShopify` on,");
L("workers on, its default logging: a line per delivery stored and per customer applied), driven by `wrk -t2 -c32` with");
L("`bench/wrk/deliveries.lua`: signed `customers/create` deliveries, each a new customer with its own webhook id, each");
L("request built before the round starts, so the script does no work per request during it (see the notes). Three");
L("targets in turns, in rounds of the same length (a shorter warm-up round first): a receiver written with Shopify's official");
L("Node library (`bench/wrk/receiver.mjs`, `@shopify/shopify-api`: validate, append to a file, answer 200), the site with");
L("`Shopify:Enabled=false` (verify and store only) and the site with the sync on. After each round of a site, the next round");
L("waits until that site has processed everything it acknowledged (the site with the sync on applies it; the site with the sync");
L("off moves it into its work queue and records each delivery in its sync log), so every round starts on a quiet machine and");
L("no site's deferred work runs in another target's round. wrk runs in its own process on the same 2 processors. The round");
L("with the median ratio is reported.");
L();
if (siteWrk is not null)
{
    Charts.Bars(Path.Combine(charts, "site-wrk-throughput.png"), "The sample site under wrk -t2 -c32 (median round)", "throughput (requests/s)",
    [
        new Bar("Node receiver", siteWrk["node_rps"], N(siteWrk["node_rps"]), Charts.Grey, "official Node library"),
        new Bar("sync off", siteWrk["off_rps"], N(siteWrk["off_rps"]), Charts.Grey, "site, Shopify:Enabled=false"),
        new Bar("sync on", siteWrk["on_rps"], $"{N(siteWrk["on_rps"])} ({siteWrk["ratio"]:0.00}× off)", Charts.Blue, "site, sync on (as deployed)"),
    ],
    new Target(siteWrk["off_rps"] * 0.9, "target: 0.9 × sync off"));
    L("![The sample site under wrk](benchmarks/site-wrk-throughput.png)");
    L();
    L("| median round | requests/s | p50 | p99 |");
    L("|---|---|---|---|");
    L($"| Node receiver, official library | {N(siteWrk["node_rps"])} | {siteWrk["node_p50_ms"]:0.00} ms | {siteWrk["node_p99_ms"]:0.00} ms |");
    L($"| site, `Shopify:Enabled=false` | {N(siteWrk["off_rps"])} | {siteWrk["off_p50_ms"]:0.00} ms | {siteWrk["off_p99_ms"]:0.00} ms |");
    L($"| site, sync on (as deployed) | {N(siteWrk["on_rps"])} | {siteWrk["on_p50_ms"]:0.00} ms | {siteWrk["on_p99_ms"]:0.00} ms |");
    L();
    L($"After a round the site with the sync off needed {siteWrk.GetValueOrDefault("off_drain_s"):0.0} s (median) to move and record what it had acknowledged, and the site with the sync on {siteWrk["drain_s"]:0.0} s to apply it: its workers apply below the acknowledgements' priority (see \"The workers apply below the acknowledgements' priority\" in [docs/aspnetcore.md](aspnetcore.md#storage)), so during a round that keeps the processors busy they take only what is left. Failed requests: {N(siteWrk["failures"])}; error lines in the sites' logs: {N(siteWrk["site_errors"])}; every delivery answered by the site with the sync on became a user and a link: {(siteWrk["applied_all"] == 1 ? "yes" : "**NO**")}.");
    L();
}

L(runs.Output("site-wrk"));

// Ingest
L("## Webhook ingest");
L();
L("`dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- ingest [deliveries] [connections]`");
L();
L("The ASP.NET Core host as a site sets it up (Identity users on SQLite, `AddShopifyCustomerSync(...).UseSqlite(cs)");
L(".UseIdentityUsers<IdentityUser>()`, `MapShopifyWebhooks()`), on temporary SQLite files, on Kestrel at");
L("`127.0.0.1`, workers off so only verification and the inbox append are measured (the baseline of the section above). Every delivery is Shopify's");
L("example `customers/create` payload (1,861 bytes) with its own customer id, email and phone, signed with the store's");
L("secret, with the full set of Shopify headers and a unique `X-Shopify-Webhook-Id`; bodies and signatures are made");
L("before any timing. The baseline is a bare Kestrel endpoint on the same URL that reads the body and answers 200.");
L("The bare endpoint, the site and a second site with `Storage:SqliteSynchronous=Full` run side by side in one process");
L("and get the same `HttpClient` load over 32 loopback connections: three warm-up rounds of 10,000 deliveries each (the");
L("site runs far more code than the bare endpoint, and the runtime optimizes code only once it has run a while), then");
L("nine measured rounds of 20,000, each server in turn, so a disturbance of the shared machine falls on one round");
L("rather than on one server (the bare endpoint's own rate varies by a third from round to round on this machine).");
L("A pause of 0.75 s separates two servers' rounds, so the checkpoint a site runs after its round (copying the last");
L("of that round's log into the database file) does not land on the next server's round; checkpoints during a site's");
L("own round count against it, the one after it in no round.");
L("The round with the median ratio is reported; the output lists every round. The site");
L("then gets an open-loop run of 10,000 deliveries sent at 1,000 requests/s whatever the answers. The load generator,");
L("the baseline and the sites share");
L("one process; \"CPU per request\" is that process's processor time divided by the requests.");
L();
if (ingest is not null)
{
    Charts.Bars(Path.Combine(charts, "ingest-throughput.png"), "Webhook ingest, workers off (32 connections, closed loop)", "throughput (requests/s)",
    [
        new Bar("bare Kestrel", ingest["bare_rps"], N(ingest["bare_rps"]), Charts.Grey, "bare Kestrel (baseline)"),
        new Bar("site, Normal", ingest["site_rps"], $"{N(ingest["site_rps"])} ({ingest["ratio"]:0.00}× bare)", Charts.Blue, "site, SqliteSynchronous=Normal (default)"),
        new Bar("site, Full", ingest["full_rps"], $"{N(ingest["full_rps"])} ({ingest["full_ratio"]:0.00}× bare)", Charts.Purple, "site, SqliteSynchronous=Full"),
    ],
    new Target(ingest["bare_rps"] * 0.5, "target: 0.5 × bare Kestrel"));
    Charts.Bars(Path.Combine(charts, "ingest-latency.png"), "Webhook ingest latency, workers off", "latency (ms)",
    [
        new Bar("bare p50", ingest["bare_p50_ms"], $"{ingest["bare_p50_ms"]:0.00} ms", Charts.Grey, "bare Kestrel, closed loop"),
        new Bar("bare p99", ingest["bare_p99_ms"], $"{ingest["bare_p99_ms"]:0.00} ms", Charts.Grey, "bare Kestrel, closed loop"),
        new Bar("site p50", ingest["site_p50_ms"], $"{ingest["site_p50_ms"]:0.00} ms", Charts.Blue, "site, closed loop"),
        new Bar("site p99", ingest["site_p99_ms"], $"{ingest["site_p99_ms"]:0.00} ms", Charts.Blue, "site, closed loop"),
        new Bar("1,000/s p50", ingest["paced_p50_ms"], $"{ingest["paced_p50_ms"]:0.00} ms", Charts.Green, "site, 1,000 requests/s open loop"),
        new Bar("1,000/s p99", ingest["paced_p99_ms"], $"{ingest["paced_p99_ms"]:0.00} ms", Charts.Green, "site, 1,000 requests/s open loop"),
    ],
    new Target(10, "target: p99 < 10 ms at 1,000/s"));
    L("![Webhook ingest throughput](benchmarks/ingest-throughput.png)");
    L();
    L("![Webhook ingest latency](benchmarks/ingest-latency.png)");
    L();
    L("| | requests/s | p50 | p99 | CPU per request |");
    L("|---|---|---|---|---|");
    L($"| bare Kestrel | {N(ingest["bare_rps"])} | {ingest["bare_p50_ms"]:0.00} ms | {ingest["bare_p99_ms"]:0.00} ms | {N(ingest["bare_cpu_us"])} µs |");
    L($"| site, `SqliteSynchronous=Normal` (default) | {N(ingest["site_rps"])} | {ingest["site_p50_ms"]:0.00} ms | {ingest["site_p99_ms"]:0.00} ms | {N(ingest["site_cpu_us"])} µs |");
    L($"| site, `SqliteSynchronous=Full` | {N(ingest["full_rps"])} | {ingest["full_p50_ms"]:0.00} ms | {ingest["full_p99_ms"]:0.00} ms | |");
    L($"| site at 1,000 requests/s (open loop) | | {ingest["paced_p50_ms"]:0.00} ms | {ingest["paced_p99_ms"]:0.00} ms (max {ingest["paced_max_ms"]:0.0} ms) | |");
    L();
    L($"Every delivery was answered 200 and stored exactly once: {(ingest["stored_all"] == 1 ? "yes" : "**NO**")} (rows and distinct webhook ids counted in the SQLite file).");
    L();
}

L(runs.Output("ingest"));

// Apply
L("## Inbound apply");
L();
L("`dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- apply [deliveries]` (SQLite files) and");
L("`-- apply-postgres [deliveries]` (a scratch database on the server named by `ORCHARDSHOPIFY_TEST_POSTGRES`, dropped");
L("afterwards; Identity users in the same database). `run.sh` stores 10,000 deliveries for SQLite and 10,000 for");
L("PostgreSQL (`BENCH_POSTGRES_DELIVERIES`; 3,000 before, when the measured round lasted about 2 s from the host's start,");
L("so starting the host weighed on it as much as applying). On PostgreSQL the Identity context joins the sync's connection, so a claimed");
L("batch is applied in one transaction there too (users, claims, links, log rows and outcomes commit together).");
L("Either run stops after 10 minutes and says so.");
L();
L("The `customers/create` deliveries (new customer each) are stored through the site with workers off; the site is");
L("stopped and a second host on the same data starts with workers on and default queue settings. The time runs from");
L("that host's start until every inbox row is succeeded or dead-lettered; users, `shopify_id` claims, links and log");
L("rows are counted at the end. Before the measured round, the same steps run on other customers and databases of");
L("their own in the same process (warm-up rounds, until one in which the JIT compiled fewer than 500 methods; at most");
L("6): a process's first rounds run code the runtime compiles quickly, then instruments and");
L("recompiles optimized on the same two cores, which on SQLite costs more than the work itself; the measured round is");
L("what a site does once that is over. Each round prints its JIT compilations, and the first round's rate is kept in");
L("the summary. Each new customer is an Identity user created without a password, its name claims,");
L("a `shopify_id` claim, a link row, a sync log row and the item marked succeeded. The baseline is the engine alone");
L("(`InboundCustomerSync` over the in-memory ports of `tests/OrchardShopify.Testing`) applying the same deliveries one");
L("after another; it slows down as users accumulate, because the in-memory directory scans every user for the phone");
L("lookup.");
L();
if (applySqlite is not null || applyPostgres is not null)
{
    var bars = new List<Bar>();
    var engine = applySqlite ?? applyPostgres!;
    bars.Add(new Bar("engine alone", engine["engine_rate"], N(engine["engine_rate"]), Charts.Grey, "engine alone, in-memory ports (baseline)"));
    if (applySqlite is not null)
    {
        bars.Add(new Bar("site, SQLite", applySqlite["site_rate"], N(applySqlite["site_rate"]), Charts.Blue, "site on SQLite files"));
    }

    if (applyPostgres is not null)
    {
        bars.Add(new Bar("site, PostgreSQL", applyPostgres["site_rate"], N(applyPostgres["site_rate"]), Charts.Orange, "site on PostgreSQL"));
    }

    Charts.Bars(Path.Combine(charts, "apply-rate.png"), "Inbound apply of new customers (after warm-up rounds)", "apply rate (customers/s)", bars, new Target(3000, "target: 3,000/s on SQLite"));
    L("![Inbound apply rate](benchmarks/apply-rate.png)");
    L();
    L("| | customers/s | CPU per customer | first warm-up round | users / claims / links | ratio to the engine alone |");
    L("|---|---|---|---|---|---|");
    foreach (var (name, figures) in new[] { ("SQLite", applySqlite), ("PostgreSQL", applyPostgres) })
    {
        if (figures is not null)
        {
            L($"| {name} | {N(figures["site_rate"])}{(figures["complete"] == 1 ? "" : " (stopped at the time limit)")} | {N(figures["cpu_us_per_customer"])} µs | {N(figures["first_round_rate"])}/s, {N(figures["first_round_cpu_us_per_customer"])} µs | {N(figures["users"])} / {N(figures["claims"])} / {N(figures["links"])} | {figures["site_rate"] / figures["engine_rate"]:0.000} |");
        }
    }

    L();
}

L(runs.Output("apply-sqlite"));
L(runs.Output("apply-postgres"));

static string Ceiling(Dictionary<string, double> twoNodes)
    => twoNodes.TryGetValue("ceiling_ratio", out var ceiling) && !double.IsNaN(ceiling)
        ? $"; the processors allow at most {ceiling:0.00} × here: one node and PostgreSQL kept {twoNodes["one_node_cores"] + twoNodes["one_postgres_cores"]:0.00} of {Environment.ProcessorCount} busy"
        : "";

// Two nodes
L("## Two nodes on PostgreSQL");
L();
L("`dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- two-nodes [deliveries] [warm-up round per node] [seconds at 1,000/s]`");
L("(`ORCHARDSHOPIFY_TEST_POSTGRES` set; `run.sh`: `BENCH_TWO_NODE_DELIVERIES`, default 10,000, and `BENCH_TWO_NODE_WARM_UP`, default 10,000).");
L();
L("Each node is a site process of its own (the benchmark program started again in `node` mode: the same host as the");
L("apply benchmark, Identity and the sync on one PostgreSQL database, workers on, default queue settings: one inbound");
L("worker per node, `Queue:InboundWorkers`). A node first warms up on a scratch database of its own the way it is then");
L("measured – rounds of new customers stored through a site with its workers off, then applied from the backlog by a new");
L("site with its workers on, until a round in which the JIT compiled fewer than 500 methods, at most 6 (each node prints");
L("its rounds) – then waits. The");
L("deliveries (`customers/create`, a new customer each) are stored through a site with workers off in a new database;");
L("then one node is told to start on it and is timed until every delivery is finished (the *one node* rate). The same");
L("number of other deliveries is stored in another database and two nodes, warmed up the same way, are started on it");
L("together (the *two nodes* rate): the ratio compares two rates measured side by side in one run. Both rates count");
L("from the nodes' start (host start-up included) to the last delivery finished; the first to last `processed_at`");
L("window is printed beside them, with the node processes' CPU time per customer and the methods their JIT compiled");
L("meanwhile. Then, with both nodes still running,");
L("an open loop sends 1,000 new deliveries/s to the two nodes in turn (each applies what it and the other receive):");
L("acknowledgement latency, lag from receipt to applied, and the backlog after the burst; beside it, the same open");
L("loop against a site with its workers off on a database of its own (in the benchmark's process). The machine has 2");
L("processors shared by the PostgreSQL server, the node processes, the load generator and other people's work:");
L("the absolute figures are from a loaded machine; compare the ratio.");
L();
if (twoNodes is not null)
{
    Charts.Bars(Path.Combine(charts, "two-nodes.png"), "Inbound apply on PostgreSQL, one node vs two nodes (same run)", "apply rate (customers/s)",
    [
        new Bar("one node", twoNodes["one_rate"], N(twoNodes["one_rate"]), Charts.Grey, "one site process"),
        new Bar("two nodes", twoNodes["two_rate"], N(twoNodes["two_rate"]), Charts.Orange, "two site processes, one database"),
    ], new Target(2000, "target: 2,000/s on one node"));
    L("![Two nodes](benchmarks/two-nodes.png)");
    L();
    string Jit(string key) => twoNodes.TryGetValue(key, out var methods) ? N(methods) : "not measured";
    L("| | customers/s from the nodes' start | first to last processed | node CPU per customer | methods the nodes' JIT compiled meanwhile |");
    L("|---|---|---|---|---|");
    L($"| one node | {N(twoNodes["one_rate"])} | {N(twoNodes["one_window_rate"])}/s | {N(twoNodes["one_cpu_us_per_customer"])} µs | {Jit("one_jit_methods")} |");
    L($"| two nodes | {N(twoNodes["two_rate"])} | {N(twoNodes["two_window_rate"])}/s | {N(twoNodes["two_cpu_us_per_customer"])} µs | {Jit("two_jit_methods")} |");
    L($"| ratio | {twoNodes["ratio"]:0.00} | {twoNodes["window_ratio"]:0.00} | | |");
    L();
    if (twoNodes.TryGetValue("ceiling_ratio", out var ceiling) && !double.IsNaN(ceiling))
    {
        L($"What the machine's processors allow: while one node applied, its process kept {twoNodes["one_node_cores"]:0.00} processors busy and the");
        L($"PostgreSQL server {twoNodes["one_postgres_cores"]:0.00} (every processor busy: {twoNodes["one_machine_cores"]:0.00} of {Environment.ProcessorCount}; read from `/proc`). At the same processor time");
        L($"per customer, all {Environment.ProcessorCount} processors give at most **{ceiling:0.00} ×** the one-node rate, however many nodes apply: a ratio of 1.6");
        L($"needs at least {Math.Ceiling(1.6 * (twoNodes["one_node_cores"] + twoNodes["one_postgres_cores"])):0} processors here. With two nodes the processors were {twoNodes["two_machine_cores"]:0.00} busy (nodes {twoNodes["two_node_cores"]:0.00},");
        L($"PostgreSQL {twoNodes["two_postgres_cores"]:0.00}), and each customer cost the nodes {twoNodes["two_cpu_us_per_customer"] / twoNodes["one_cpu_us_per_customer"]:0.00} × and the server {twoNodes["two_postgres_cores"] / twoNodes["two_rate"] / (twoNodes["one_postgres_cores"] / twoNodes["one_rate"]):0.00} × the processor time it cost with one node.");
        L();
    }

    L($"At 1,000 deliveries/s to both nodes: ack p50 {twoNodes["paced_p50_ms"]:0.00} ms, p99 {twoNodes["paced_p99_ms"]:0.0} ms (the same open loop against a site with its workers off, same run: p50 {twoNodes["baseline_p50_ms"]:0.00} ms, p99 {twoNodes["baseline_p99_ms"]:0.0} ms); lag to applied p50 {N(twoNodes["lag_p50_ms"])} ms, p99 {N(twoNodes["lag_p99_ms"])} ms; {N(twoNodes["backlog_end"])} left to apply at the burst's end, none after {twoNodes["drain_s"]:0.00} s. Every delivery applied once: {(twoNodes["complete"] == 1 ? "yes" : "**no**")}.{(twoNodes.TryGetValue("paced_gc_collections", out var gcs) ? $" The nodes' garbage collections meanwhile: {N(gcs)}, pausing their node (request threads included) {N(twoNodes["paced_gc_pause_ms"])} ms in all." : "")}");
    L();
}

L(runs.Output("two-nodes"));

// Import
L("## Bulk import");
L();
L("`dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- import [customers] [result name]` (build the emulator first:");
L("`dotnet build -c Release tools/OrchardShopify.Emulator`). `run.sh` runs it with `BENCH_IMPORT_CUSTOMERS` (default 100,000)");
L("and again with `BENCH_IMPORT_LARGE_CUSTOMERS` (default 1,000,000; 0 skips it) as `import-large`; the first size also");
L("runs in a process with workstation GC (`DOTNET_gcServer=0`) as `import-workstation`, beside the server GC of the others,");
L("and in a process with Dynamic PGO off (`DOTNET_TieredPGO=0`) as `import-nopgo`, beside the runtime's default of the others.");
L();
L("The Shopify emulator runs in its own process with the seeded customers, so its data (and the export file it builds) is");
L("not counted in the site's memory. The site is the host of docs/aspnetcore.md (Identity on SQLite, sync on SQLite,");
L("workers off), and the import is the one \"Sync now\" starts (`CustomerImportService`): a bulk operation, polled; the");
L("JSONL file streamed row by row into a bounded channel; one applier storing the customers in the host's batch");
L("transactions, the new ones of each batch created, linked and given their claims together; a sync-log row per customer.");
L("The headline runs from \"Sync now\" to the job's end, as a user sees it. Its parts: *export ready* (the emulator runs the");
L("bulk operation and the site polls it, 1 s then doubling: on a real store this is Shopify's time), *apply* (first row to");
L("the end, download and parse overlapping it) and, measured separately after the import, *download + parse alone* (the");
L("same export read again without applying). Memory is the site process's peak working set (the OS's figure, start-up");
L("included), with the idle site's working set, the GC heap's committed memory, the largest managed heap a collection");
L("left and the bytes allocated per customer beside it: what the peak is made of.");
L();
if (import is not null)
{
    Charts.Bars(Path.Combine(charts, "import-time.png"), $"Bulk import of {N(import["customers"])} customers", "time (s)",
    [
        new Bar("whole import", import["seconds"], $"{import["seconds"]:0.0} s{(import["complete"] == 1 ? "" : " (stopped at the time limit)")}", Charts.Blue, "Sync now → finished"),
        new Bar("export ready", import.GetValueOrDefault("export_ready_seconds"), $"{import.GetValueOrDefault("export_ready_seconds"):0.0} s", Charts.Green, "bulk operation run and polled"),
        new Bar("apply", import.GetValueOrDefault("apply_seconds"), $"{import.GetValueOrDefault("apply_seconds"):0.0} s", Charts.Green, $"{N(import["rate"])} customers/s"),
        new Bar("download + parse", import.GetValueOrDefault("parse_seconds"), $"{import.GetValueOrDefault("parse_seconds"):0.0} s", Charts.Green, "alone, no apply"),
    ],
    new Target(15, "target: < 15 s"));
    var memory = new List<Bar>
    {
        new($"peak, {N(import["customers"])}", import["peak_working_set_mb"], $"{N(import["peak_working_set_mb"])} MB", Charts.Blue, "peak working set of the site"),
    };
    if (importLarge is not null)
    {
        memory.Add(new($"peak, {N(importLarge["customers"])}", importLarge["peak_working_set_mb"], $"{N(importLarge["peak_working_set_mb"])} MB", Charts.Blue, "peak working set of the site"));
    }

    memory.Add(new("idle site", import.GetValueOrDefault("idle_working_set_mb"), $"{N(import.GetValueOrDefault("idle_working_set_mb"))} MB", Charts.Green, "working set before the import"));
    memory.Add(new("GC committed", import.GetValueOrDefault("peak_committed_mb"), $"{N(import.GetValueOrDefault("peak_committed_mb"))} MB", Charts.Green, "largest sampled"));
    Charts.Bars(Path.Combine(charts, "import-memory.png"), "Bulk import, peak memory of the site", "memory (MB)", memory, new Target(200, "target: < 200 MB"));
    L("![Bulk import time](benchmarks/import-time.png)");
    L();
    L("![Bulk import memory](benchmarks/import-memory.png)");
    L();
}

if (import is not null && importWorkstation is not null)
{
    L($"The same {N(importWorkstation["customers"])}-customer import in a process with workstation GC (`DOTNET_gcServer=0`; `<ServerGarbageCollection>false</ServerGarbageCollection>`");
    L($"in a site's project): peak working set {N(importWorkstation["peak_working_set_mb"])} MB against {N(import["peak_working_set_mb"])} MB, {importWorkstation["seconds"]:0.0} s against {import["seconds"]:0.0} s. The");
    L($"managed data a collection leaves is about the same in both ({N(importWorkstation.GetValueOrDefault("peak_after_collection_mb"))} and {N(import.GetValueOrDefault("peak_after_collection_mb"))} MB at most); server GC gives");
    L($"allocations more room between collections (committed heap up to {N(import["peak_committed_mb"])} MB against {N(importWorkstation["peak_committed_mb"])} MB).");
    L();
}

if (import is not null && importNoPgo is not null)
{
    L($"The same {N(importNoPgo["customers"])}-customer import in a process with Dynamic PGO off (`DOTNET_TieredPGO=0`; `<TieredPGO>false</TieredPGO>` in a");
    L($"site's project): {importNoPgo["seconds"]:0.0} s against {import["seconds"]:0.0} s, {importNoPgo.GetValueOrDefault("cpu_seconds"):0.0} s of processor time against {import.GetValueOrDefault("cpu_seconds"):0.0} s ({importNoPgo.GetValueOrDefault("jit_seconds"):0.0} s");
    L($"against {import.GetValueOrDefault("jit_seconds"):0.0} s of it compiling {N(importNoPgo.GetValueOrDefault("jit_methods"))} methods against {N(import.GetValueOrDefault("jit_methods"))}), peak working set {N(importNoPgo["peak_working_set_mb"])} MB against");
    L($"{N(import["peak_working_set_mb"])} MB. With it on, the runtime first runs hot methods instrumented, recording the types they see, then compiles");
    L("them again; a processor profile on a 2-core machine found the recompiling thread falling behind and the import running");
    L("instrumented code meanwhile (not measured by this run). Once warmed up,");
    L("the workers applied webhooks about 15 % slower with it off in earlier runs of `apply` (not measured by this run), so the");
    L("sample site keeps the default: see [the import's notes](backfill-and-reconciliation.md#import) for when to turn it off.");
    L();
}

L(runs.Output("import"));
L(runs.Output("import-workstation"));
L(runs.Output("import-nopgo"));
L(runs.Output("import-large"));

L("### The same import on PostgreSQL");
L();
L("`dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- import-postgres [customers]` (`ORCHARDSHOPIFY_TEST_POSTGRES` set;");
L("`run.sh`: `BENCH_IMPORT_CUSTOMERS`): the same import with Identity and the sync in one scratch PostgreSQL database,");
L("`Backfill:Parallelism` appliers (4) each storing a batch of customers per transaction.");
L();
L(runs.Output("import-postgres"));

L("## Acknowledgements during an import");
L();
L("`dotnet run -c Release --project bench/OrchardShopify.Bench.Ingest -- import-acks [customers] [seconds]` (SQLite files) and");
L("`import-acks-postgres` (`ORCHARDSHOPIFY_TEST_POSTGRES` set); `run.sh` runs both with `BENCH_IMPORT_CUSTOMERS` customers.");
L();
L("The site as deployed (workers on, users created from Shopify, the emulator's store) gets an open loop of 1,000 new");
L("customers/s (signed `customers/create` deliveries, each a customer of its own) for 10 s with nothing else running,");
L("then the same open loop while \"Sync now\" imports the store's customers (from the moment the export is ready): the");
L("acknowledgements' latency both ways, the lag from receipt to applied of the deliveries, and the import's own time");
L("with them arriving. Every delivery and every customer must end applied.");
L();
if (importAcks is not null || importAcksPostgres is not null)
{
    L("| | ack p50 / p99, no import | ack p50 / p99, during the import | lag p50 / p99, during the import | import, with the webhooks arriving |");
    L("|---|---|---|---|---|");
    foreach (var (acks, kind) in new[] { (importAcks, "SQLite"), (importAcksPostgres, "PostgreSQL") })
    {
        if (acks is not null)
        {
            L($"| {kind} | {acks["quiet_p50_ms"]:0.00} / {acks["quiet_p99_ms"]:0.0} ms | {acks["busy_p50_ms"]:0.00} / {acks["busy_p99_ms"]:0.0} ms | {LagText(acks["busy_lag_p50_ms"])} / {LagText(acks["busy_lag_p99_ms"])} | {N(acks["customers"])} customers in {acks["import_seconds"]:0.0} s |");
        }
    }

    L();
}

L(runs.Output("import-acks"));
L(runs.Output("import-acks-postgres"));

// Outbound
L("## Outbound pushes against Shopify's rate limit");
L();
L("`dotnet run -c Release --project bench/OrchardShopify.Bench.Outbound [-- <updates> <parallel callers>]`");
L();
L("1,000 customer updates (a `lastName` change each) through the real GraphQL Admin client,");
L("`IShopifyCustomerApi.UpdateCustomerAsync`, against the in-process emulator with the Standard plan's cost bucket:");
L("2,000 points, restored at 100 points/s. Sixteen parallel callers share the client's process-wide throttle bucket, so");
L("the client's throttle, not the callers, sets the pace. A handler reads every response's `extensions.cost`; the");
L("emulator's customers are checked at the end. Utilization is achieved points/s over the restore rate; \"after the");
L("bucket first emptied\" is the steady state (the first 2,000 points come from the full bucket).");
L();
if (outbound is not null && runs.Series("outbound", "points") is { } curve)
{
    var seconds = outbound["seconds"];
    Charts.Lines(Path.Combine(charts, "outbound-points.png"), "Outbound updates: Shopify cost points consumed over time", "time since the updates started (s)", "cost points consumed (cumulative)",
    [
        new Series($"plan limit ({N(outbound["bucket"])} + {N(outbound["restore_rate"])}/s)", [(0, outbound["bucket"]), (seconds, outbound["bucket"] + (outbound["restore_rate"] * seconds))], Charts.Red, Dashed: true),
        new Series("consumed (sum of actualQueryCost)", [.. curve.Select(p => (p[0], p[1]))], Charts.Blue),
    ]);
    L("![Outbound points over time](benchmarks/outbound-points.png)");
    L();
    L("| updates applied | time | points | utilization (after the bucket emptied) | THROTTLED | HTTP 429 |");
    L("|---|---|---|---|---|---|");
    L($"| {N(outbound["applied"])} of {N(outbound["updates"])} | {outbound["seconds"]:0.0} s | {N(outbound["points"])} | {outbound["utilization_after_empty"]:0.000} | {outbound["throttled"]:0} | {outbound["http_429"]:0} |");
    L();
}

L(runs.Output("outbound"));

L("## What the figures say");
L();
L(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Notes.md")).TrimEnd());
L();

File.WriteAllText(Path.Combine(root, "docs", "benchmarks.md"), md.ToString());
Console.WriteLine($"wrote docs/benchmarks.md and {Directory.GetFiles(charts, "*.png").Length} charts");
return 0;

/// <summary>The results folder: figures, series, console output and skip reasons by benchmark name.</summary>
internal sealed class Runs(string folder)
{
    public Dictionary<string, double>? Figures(string name)
    {
        var document = Load(name);
        return document?.RootElement.GetProperty("figures").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : double.NaN);
    }

    public List<double[]>? Series(string name, string series)
    {
        var document = Load(name);
        return document is not null && document.RootElement.TryGetProperty("series", out var all) && all.TryGetProperty(series, out var points)
            ? [.. points.EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetDouble()).ToArray())]
            : null;
    }

    public string Output(string name)
    {
        var file = Path.Combine(folder, name + ".txt");
        return File.Exists(file)
            ? $"Output of the run (`{name}`):\n\n```text\n{File.ReadAllText(file).TrimEnd()}\n```\n"
            : "";
    }

    /// <summary>What each run took (run.sh's NAME.seconds), in the order they ran, with the whole: "site-wrk 612 s, …; 31 min in all".</summary>
    public string Durations()
    {
        var runs = Directory.GetFiles(folder, "*.seconds")
            .Select(f => (Name: Path.GetFileNameWithoutExtension(f), Seconds: double.TryParse(File.ReadAllText(f).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : double.NaN, Written: File.GetLastWriteTimeUtc(f)))
            .Where(r => !double.IsNaN(r.Seconds))
            .OrderBy(r => r.Written)
            .ToList();
        return runs.Count == 0
            ? "not recorded"
            : string.Join(", ", runs.Select(r => $"{r.Name} {r.Seconds.ToString("0", CultureInfo.InvariantCulture)} s")) + $"; {(runs.Sum(r => r.Seconds) / 60).ToString("0", CultureInfo.InvariantCulture)} min in all";
    }

    public IEnumerable<(string Name, string Reason)> Skipped() => Directory.GetFiles(folder, "*.skipped")
        .Order(StringComparer.Ordinal)
        .Select(f => (Path.GetFileNameWithoutExtension(f), File.ReadAllText(f).Trim()));

    private JsonDocument? Load(string name)
    {
        var file = Path.Combine(folder, name + ".json");
        return File.Exists(file) ? JsonDocument.Parse(File.ReadAllText(file)) : null;
    }
}

internal static class Machine
{
    public static string CpuModel() => ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? RuntimeInformation.ProcessArchitecture.ToString();

    public static string Memory()
    {
        var line = ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line is null ? "?" : $"{long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024d / 1024d:0.0} GiB";
    }

    public static string OperatingSystem() => ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? RuntimeInformation.OSDescription;

    public static string Kernel() => ReadLines("/proc/sys/kernel/osrelease").FirstOrDefault() ?? "?";

    public static string LoadAverage() => ReadLines("/proc/loadavg").FirstOrDefault()?.Split(' ')[0] ?? "?";

    private static string[] ReadLines(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];
}

