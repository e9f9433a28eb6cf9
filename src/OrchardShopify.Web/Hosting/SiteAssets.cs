using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace OrchardShopify.Web.Hosting;

/// <summary>The stylesheet and the one small script, embedded in the assembly: the site needs no CDN and no wwwroot on disk.</summary>
internal sealed class SiteAssets
{
    private readonly ConcurrentDictionary<string, byte[]?> _cache = new(StringComparer.Ordinal);

    public IResult Serve(string name)
    {
        var type = Path.GetExtension(name) switch
        {
            ".css" => "text/css; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".svg" => "image/svg+xml",
            _ => null,
        };
        var bytes = type is null ? null : _cache.GetOrAdd(name, Load);
        return bytes is null ? Results.NotFound() : Results.Bytes(bytes, type);
    }

    private static byte[]? Load(string name)
    {
        using var stream = typeof(SiteAssets).Assembly.GetManifestResourceStream("assets/" + name);
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
