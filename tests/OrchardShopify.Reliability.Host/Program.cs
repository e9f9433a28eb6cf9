using OrchardShopify.Testing.Hosting.Sites;

// Usage: OrchardShopify.Reliability.Host --folder <dir> --urls <url> [--postgres <connection string>] [--set Key=Value]...
string? folder = null;
string? postgres = null;
var urls = "http://127.0.0.1:5090";
var settings = new Dictionary<string, string?>();
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--folder": folder = args[i + 1]; break;
        case "--urls": urls = args[i + 1]; break;
        case "--postgres": postgres = args[i + 1]; break;
        case "--set" when args[i + 1].IndexOf('=', StringComparison.Ordinal) is > 0 and var at: settings[args[i + 1][..at]] = args[i + 1][(at + 1)..]; break;
        default:
            await Console.Error.WriteLineAsync($"error: unexpected argument '{args[i]}'");
            return 2;
    }
}

if (folder is null)
{
    await Console.Error.WriteLineAsync("error: --folder is required");
    return 2;
}

var options = new SyncSiteOptions { Folder = folder, Urls = urls, Settings = settings, ConsoleLogs = true, PostgresConnectionString = postgres };
await using var app = SyncSite.Build(options);
await SyncSite.CreateIdentitySchemaAsync(app.Services);
await app.RunAsync();
return 0;
