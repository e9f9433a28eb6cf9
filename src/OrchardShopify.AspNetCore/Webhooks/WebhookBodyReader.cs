using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace OrchardShopify.AspNetCore.Webhooks;

/// <summary>Reads a request body into memory, refusing (without reading on) as soon as it passes the limit.</summary>
internal static class WebhookBodyReader
{
    /// <returns>The body, or null when it is larger than <paramref name="maxBytes"/>.</returns>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // One byte over the limit is enough to tell "too large" apart from "exactly the limit".
            limit.MaxRequestBodySize = maxBytes + 1L;
        }

        if (request.ContentLength is { } length)
        {
            // The declared length (within the limit) is all the server lets the body have: read it in place.
            var exact = new byte[length];
            int read;
            try
            {
                read = await request.Body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, cancellationToken);
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return null;
            }

            // A body that ends early is verified as it came (its signature or JSON then fails), as the unsized path does.
            return read == exact.Length ? exact : exact[..read];
        }

        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(request.ContentLength ?? 16 * 1024, maxBytes + 1L));
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(Math.Min(16 * 1024, maxBytes + 1 - buffer.WrittenCount));
                var read = await request.Body.ReadAsync(memory, cancellationToken);
                if (read == 0)
                {
                    return buffer.WrittenSpan.ToArray();
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }
}
