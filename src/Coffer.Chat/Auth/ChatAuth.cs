using Coffer.Chat.Api;
using Coffer.Chat.Profiles;

namespace Coffer.Chat.Auth;

/// <summary>
/// Every chat route requires <c>Authorization: Bearer &lt;Coffer JWT&gt;</c> (401 otherwise). The first request of a
/// user creates their profile row, so the other chat users can find them by their Coffer user id.
/// </summary>
public static class ChatAuth
{
    private const string BearerPrefix = "Bearer ";
    private static readonly object UserKey = new();

    public static async ValueTask<object?> RequireUser(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        HttpContext http = context.HttpContext;
        string? authorization = http.Request.Headers.Authorization;
        // Header only, also for the WebSocket upgrade: a JWT in the query string would land in request logs.
        string? token = authorization is not null && authorization.StartsWith(BearerPrefix, StringComparison.Ordinal) ? authorization[BearerPrefix.Length..] : null;
        string? user = token is not null
            ? await http.RequestServices.GetRequiredService<CofferJwtVerifier>().VerifyAsync(token, http.RequestAborted)
            : null;
        if (user is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            throw new ChatProblem(StatusCodes.Status401Unauthorized, "Not authenticated");
        }

        await http.RequestServices.GetRequiredService<ProfileStore>().EnsureAsync(user, http.RequestAborted);
        http.Items[UserKey] = user;
        return await next(context);
    }

    /// <summary>The Coffer user id of the caller (set by <see cref="RequireUser"/>).</summary>
    public static string ChatUser(this HttpContext context) =>
        context.Items[UserKey] as string ?? throw new InvalidOperationException("The route has no chat authentication.");
}
