using System.Globalization;
using System.Text.Json;

namespace Coffer.Chat.Api;

/// <summary>
/// An expected failure of a chat request, answered as the seed's error shape (its FastAPI example):
/// HTTP status + <c>{"detail": "…"}</c>. Thrown by handlers and stores, turned into the answer in one place
/// (<see cref="ChatApi.CatchProblems"/>), so a rule failing inside a transaction also rolls it back.
/// </summary>
public sealed class ChatProblem(int status, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public static ChatProblem BadRequest(string detail) => new(StatusCodes.Status400BadRequest, detail);

    public static ChatProblem Forbidden(string detail) => new(StatusCodes.Status403Forbidden, detail);

    public static ChatProblem NotFound(string detail) => new(StatusCodes.Status404NotFound, detail);

    public static ChatProblem Conflict(string detail) => new(StatusCodes.Status409Conflict, detail);
}

public static class ChatApi
{
    /// <summary>Longest text field accepted (keys, encrypted contents): 64 KiB of base64.</summary>
    public const int MaxTextLength = 65536;

    public const int MaxNameLength = 255;

    public const int MaxUrlLength = 500;

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static IResult Ok(object value) => Results.Json(value, Json);

    public static IResult Message(string message) => Results.Json(new { message }, Json);

    /// <summary>Route-group filter: <see cref="ChatProblem"/> → status + detail; everything else propagates (a bug).</summary>
    public static async ValueTask<object?> CatchProblems(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ChatProblem problem)
        {
            return Results.Json(new { detail = problem.Message }, Json, statusCode: problem.Status);
        }
    }

    /// <summary>The request body as a JSON object; 400 when it is missing, not JSON or not an object.</summary>
    public static async Task<JsonElement> ReadObjectAsync(HttpRequest request)
    {
        try
        {
            using JsonDocument doc = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ChatProblem.BadRequest("The body must be a JSON object");
            }

            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw ChatProblem.BadRequest("The body is not valid JSON");
        }
    }

    /// <summary>An optional string field: null when absent or null; 400 when of another type or longer than allowed.</summary>
    public static string? OptionalString(this JsonElement body, string name, int maxLength)
    {
        if (!body.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw ChatProblem.BadRequest($"{name} must be a string");
        }

        string text = value.GetString()!;
        return text.Length <= maxLength ? text : throw ChatProblem.BadRequest($"{name} is too long");
    }

    public static string RequiredString(this JsonElement body, string name, int maxLength) =>
        body.OptionalString(name, maxLength) is { Length: > 0 } text ? text : throw ChatProblem.BadRequest($"{name} is required");

    /// <summary>A required base64 field (keys, encrypted contents): the server stores it and never reads it.</summary>
    public static string RequiredBase64(this JsonElement body, string name)
    {
        string text = body.RequiredString(name, MaxTextLength);
        Span<byte> buffer = new byte[text.Length];
        return Convert.TryFromBase64String(text, buffer, out _) ? text : throw ChatProblem.BadRequest($"{name} must be base64");
    }

    /// <summary>A numeric id from the route; anything else is "not found" (the seed's ids are integers).</summary>
    public static long Id(string text, string what) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long id) && id > 0 ? id : throw ChatProblem.NotFound($"{what} not found");

    /// <summary>The seed's "timestamp": ISO 8601 UTC with milliseconds.</summary>
    public static string Timestamp(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
