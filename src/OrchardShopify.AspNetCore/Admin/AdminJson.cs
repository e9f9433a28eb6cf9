using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OrchardShopify.AspNetCore.Customers;
using OrchardShopify.AspNetCore.Jobs;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>JSON of the admin operations: camelCase, enums as camelCase strings; refusals as <c>{ error, message }</c>.</summary>
internal static class AdminJson
{
    public static JsonSerializerOptions Options => SyncJobHost.Json;

    public static IResult Ok(object? value, int statusCode = StatusCodes.Status200OK) => Results.Json(value, Options, statusCode: statusCode);

    public static IResult Error(string code, string message, int statusCode = StatusCodes.Status400BadRequest)
        => Results.Json(new ApiError(code, message), Options, statusCode: statusCode);

    /// <summary>Reads an optional JSON body (up to 64 KiB); an empty body gives <paramref name="empty"/>.</summary>
    public static async Task<T> ReadBodyAsync<T>(HttpRequest request, T empty)
    {
        const int limit = 64 * 1024;
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                throw new AdminRequestException("body_too_large", $"The request body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
            }
        }

        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t'))
        {
            return empty;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(buffer.ToArray(), Options) ?? empty;
        }
        catch (JsonException invalid)
        {
            var where = invalid.Path is { Length: > 1 } path ? $" at {path}" : "";
            throw new AdminRequestException("invalid_json", $"The request body is not valid{where}: {FirstSentence(invalid.Message)}");
        }
    }

    /// <summary>Turns <see cref="AdminRequestException"/> into its JSON refusal.</summary>
    public static TBuilder WithAdminErrors<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
        => builder.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (AdminRequestException refused)
            {
                return Error(refused.Code, refused.Message, refused.StatusCode);
            }
        });

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
