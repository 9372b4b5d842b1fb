using System.Data.Common;
using Coffer.Protocol;

namespace Coffer.Server.Api;

/// <summary>
/// The cross-cutting behaviour of api.md §1: CORS on every answer, OPTIONS on any path, the error envelope for
/// protocol errors and for bugs (logged; generic message on the wire), and 404 for unknown routes.
/// </summary>
public static partial class ApiPipeline
{
    public const string Prefix = "/api/v1";

    public static void UseApiConventions(this WebApplication app)
    {
        app.Use(HandleAsync);
    }

    /// <summary>Unknown path or method → 404 envelope (also catches method mismatches, which would be 405).</summary>
    public static void MapNotFound(this IEndpointRouteBuilder routes)
    {
        routes.MapFallback("{**path}", () => Reply.Error(ProtocolError.PageNotFound));
    }

    private static async Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        context.Response.Headers.AccessControlAllowOrigin = "*";
        if (HttpMethods.IsOptions(context.Request.Method))
        {
            context.Response.Headers.AccessControlAllowMethods = "GET, POST, PUT, DELETE, OPTIONS, PATCH";
            context.Response.Headers.AccessControlAllowHeaders =
                "x-sentc-app-token, x-sentc-group-access-id, Content-Type, Accept, Origin, Authorization";
            context.Response.Headers.AccessControlMaxAge = "86400";
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        ProtocolError error;
        try
        {
            await next(context);
            return;
        }
        catch (ProtocolException e)
        {
            error = e.Error;
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's own body limit or a broken request body stream.
            error = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? ProtocolError.InputTooBig : ProtocolError.JsonParse;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return; // the client went away; nobody to answer
        }
        catch (DbException e)
        {
            LogUnexpected(Logger(context), e, context.Request.Method, context.Request.Path);
            error = context.RequestServices.GetRequiredService<Coffer.Server.Data.Database>().Dialect.IsConnectionFailure(e)
                ? ProtocolError.NoDbConnection
                : ProtocolError.DbQuery;
        }
        catch (Exception e)
        {
            LogUnexpected(Logger(context), e, context.Request.Method, context.Request.Path);
            error = ProtocolError.ServerError;
        }

        if (context.Response.HasStarted)
        {
            context.Abort();
            return;
        }

        context.Response.Clear();
        context.Response.Headers.AccessControlAllowOrigin = "*";
        await Reply.WriteErrorAsync(context, error);
    }

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Coffer.Server.Api");

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected error in {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, string path);
}
