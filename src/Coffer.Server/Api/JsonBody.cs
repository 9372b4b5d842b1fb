using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Coffer.Protocol;
using Coffer.Protocol.Json;

namespace Coffer.Server.Api;

/// <summary>
/// A JSON request body bound by our own rules instead of the framework's (api.md §1.1, §1.6): read regardless of
/// content type, at most 256 KiB (413/12), parsed with the protocol's strict metadata (422/11). Binding runs after
/// the app-token and JWT checks of <see cref="Auth.RequestAuthMiddleware"/>, which gives the order of §1.9.
/// </summary>
public sealed class JsonBody<T>
    where T : class
{
    private JsonBody(T value) => Value = value;

    public T Value { get; }

    // Parameter binding has no return channel for an error, so the error leaves as a ProtocolException that the
    // API middleware turns into the envelope.
    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        byte[] body = await RequestBody.ReadAsync(context);
        var typeInfo = (JsonTypeInfo<T>)(ProtocolJson.Context.GetTypeInfo(typeof(T))
            ?? throw new InvalidOperationException($"{typeof(T)} is not in ProtocolJsonContext."));
        try
        {
            T? value = JsonSerializer.Deserialize(body, typeInfo);
            return value is null ? throw new ProtocolException(ProtocolError.JsonParse) : new JsonBody<T>(value);
        }
        catch (JsonException)
        {
            throw new ProtocolException(ProtocolError.JsonParse);
        }
    }
}

public static class RequestBody
{
    /// <summary>Maximum request body (api.md §1.1): 256 KiB.</summary>
    public const int MaxBytes = 256 * 1024;

    public static async Task<byte[]> ReadAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBytes)
        {
            throw new ProtocolException(ProtocolError.InputTooBig);
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw new ProtocolException(ProtocolError.InputTooBig);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
