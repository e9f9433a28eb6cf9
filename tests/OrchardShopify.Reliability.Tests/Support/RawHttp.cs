using System.Globalization;
using System.Net.Sockets;
using System.Text;
using OrchardShopify.Testing.Hosting.Webhooks;

namespace OrchardShopify.Reliability.Tests.Support;

/// <summary>
/// Writes a request byte for byte on its own connection. HttpClient folds repeated headers into one line; this
/// sends each header on its own line, as a forged request (or a faulty proxy) would.
/// </summary>
internal static class RawHttp
{
    public static async Task<(int Status, string Response)> PostAsync(Uri address, SignedDelivery delivery)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        await using var stream = client.GetStream();
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"POST {delivery.Path} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {address.Authority}\r\n")
            .Append("Content-Type: application/json; charset=utf-8\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {delivery.Body.Length}\r\n")
            .Append("Connection: close\r\n");
        foreach (var (name, value) in delivery.Headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()));
        await stream.WriteAsync(delivery.Body);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync();
        var status = int.Parse(response.AsSpan(9, 3), CultureInfo.InvariantCulture);
        return (status, response);
    }
}
