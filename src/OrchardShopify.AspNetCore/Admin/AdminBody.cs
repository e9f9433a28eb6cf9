using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace OrchardShopify.AspNetCore.Admin;

/// <summary>A bound admin body that may have been refused (too large, not JSON, not valid for the request).</summary>
internal interface IAdminBody
{
    ProblemHttpResult? Refusal { get; }
}

/// <summary>
/// The optional JSON body of an admin request, bound by minimal APIs (<see cref="BindAsync"/>) with the admin JSON's
/// options and a limit of <see cref="AdminJson.MaxBodyBytes"/>. An empty body gives <see cref="Value"/> = default; a body
/// that cannot be read is not thrown at the caller but kept as <see cref="Refusal"/>, which the admin group answers
/// after authorization (<see cref="AdminJson.AnswerRefusalsAsync"/>): 413 <c>body_too_large</c>, 415
/// <c>unsupported_media_type</c>, 400 <c>invalid_json</c> naming where.
/// </summary>
internal sealed class AdminBody<T> : IAdminBody, IBindableFromHttpContext<AdminBody<T>>
{
    private AdminBody(T? value, ProblemHttpResult? refusal)
    {
        Value = value;
        Refusal = refusal;
    }

    public T? Value { get; }

    public ProblemHttpResult? Refusal { get; }

    public static async ValueTask<AdminBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        if (request.ContentLength > AdminJson.MaxBodyBytes)
        {
            return TooLarge();
        }

        if (request.ContentLength is 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return new(default, null);
        }

        if (!request.HasJsonContentType())
        {
            return new(default, AdminJson.Problem("unsupported_media_type", $"The body must be application/json (was '{request.ContentType}').", StatusCodes.Status415UnsupportedMediaType));
        }

        // A body without a length (chunked) is cut off by the server at the limit.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = AdminJson.MaxBodyBytes;
        }

        try
        {
            return new(await request.ReadFromJsonAsync<T>(AdminJson.Options, context.RequestAborted), null);
        }
        catch (JsonException invalid)
        {
            var where = invalid.Path is { Length: > 1 } path ? $" at {path}" : "";
            return new(default, AdminJson.Problem("invalid_json", $"The request body is not valid{where}: {FirstSentence(invalid.Message)}"));
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }
    }

    private static AdminBody<T> TooLarge()
        => new(default, AdminJson.Problem("body_too_large", $"The request body is larger than {AdminJson.MaxBodyBytes} bytes.", StatusCodes.Status413PayloadTooLarge));

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }
}
