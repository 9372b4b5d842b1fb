using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Coffer.Protocol;
using Coffer.Protocol.Json;

namespace Coffer.Server.Api;

/// <summary>The only way handlers answer: a success envelope or a protocol error envelope (api.md §1.3).</summary>
public static class Reply
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = SerdeJsonEncoder.Instance };

    public static IResult Ok<T>(T result) => new EnvelopeResult<T>(result);

    /// <summary>The answer of endpoints that return nothing: <c>"result":"Success"</c>.</summary>
    public static IResult Success() => new EnvelopeResult<string>(Envelope.SuccessText);

    public static IResult Error(ProtocolError error) => new ErrorResult(error);

    public static async Task WriteErrorAsync(HttpContext context, ProtocolError error)
    {
        context.Response.StatusCode = error.HttpStatus;
        context.Response.ContentType = "application/json";
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions))
        {
            Envelope.WriteError(writer, error);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private sealed class EnvelopeResult<T>(T result) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var typeInfo = (JsonTypeInfo<T>)(ProtocolJson.Context.GetTypeInfo(typeof(T))
                ?? throw new InvalidOperationException($"{typeof(T)} is not in ProtocolJsonContext."));
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json";
            await using (var writer = new Utf8JsonWriter(httpContext.Response.BodyWriter, WriterOptions))
            {
                Envelope.WriteSuccess(writer, result, typeInfo);
            }

            await httpContext.Response.BodyWriter.FlushAsync(httpContext.RequestAborted);
        }
    }

    private sealed class ErrorResult(ProtocolError error) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => WriteErrorAsync(httpContext, error);
    }
}
