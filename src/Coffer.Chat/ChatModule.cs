using Coffer.Chat.Api;
using Coffer.Chat.Auth;
using Coffer.Chat.Data;
using Coffer.Chat.Groups;
using Coffer.Chat.Live;
using Coffer.Chat.Messages;
using Coffer.Chat.Platform;
using Coffer.Chat.Profiles;
using Coffer.Chat.SecretChats;
using Coffer.Server;
using Coffer.Server.Data;
using Coffer.Server.Features.Apps;

namespace Coffer.Chat;

/// <summary>
/// Coffer.Chat as a component of a host: <see cref="AddChat"/> registers it, <see cref="MapChat"/> maps its routes
/// under <c>/api/</c> (the seed's paths; the platform's are under <c>/api/v1/</c>, so they never meet).
/// Configuration:
/// <list type="bullet">
/// <item><c>Coffer:Chat:Database</c> — the chat's connection string; default: the platform's (<c>Coffer:Database</c>).</item>
/// <item><c>Coffer:Chat:App</c> — in-process: the id of the Coffer app whose users chat; its JWT verify keys are read from the platform.</item>
/// <item><c>Coffer:Chat:JwtVerifyKeys</c> — standalone: the app's verify keys ("jwt_verify_key" of <c>coffer app create --json</c>,
/// optionally <c>kid=key</c>), comma-separated. Takes precedence over <c>Coffer:Chat:App</c>.</item>
/// <item><c>Coffer:Chat:CofferUrl</c> and <c>Coffer:Chat:SecretToken</c> — standalone: the remote Coffer server and the
/// app's secret token, for the secret groups' platform groups (<see cref="HttpCofferPlatform"/>); without them the
/// platform in the same process is used (<see cref="InProcessCofferPlatform"/>, needs <c>Coffer:Chat:App</c>).</item>
/// </list>
/// </summary>
public static class ChatModule
{
    public const string DatabaseConfigKey = "Coffer:Chat:Database";
    public const string AppConfigKey = "Coffer:Chat:App";
    public const string VerifyKeysConfigKey = "Coffer:Chat:JwtVerifyKeys";
    public const string CofferUrlConfigKey = "Coffer:Chat:CofferUrl";
    public const string SecretTokenConfigKey = "Coffer:Chat:SecretToken";
    public const string Prefix = "/api";

    public static IServiceCollection AddChat(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            IConfiguration configuration = sp.GetRequiredService<IConfiguration>();
            string connectionString = configuration[DatabaseConfigKey] is { Length: > 0 } chat ? chat
                : configuration[CofferServer.DatabaseConfigKey] is { Length: > 0 } platform ? platform
                : CofferServer.DefaultDatabase;
            return new ChatDatabase(new Database(connectionString));
        });
        services.AddSingleton<IJwtVerifyKeys>(sp =>
        {
            IConfiguration configuration = sp.GetRequiredService<IConfiguration>();
            if (configuration[VerifyKeysConfigKey] is { Length: > 0 } keys)
            {
                return new StaticJwtVerifyKeys(keys.Split(','));
            }

            return configuration[AppConfigKey] is { Length: > 0 } app
                ? new AppJwtVerifyKeys(sp.GetRequiredService<AppStore>(), new AppId(app))
                : throw new InvalidOperationException($"Coffer.Chat needs {AppConfigKey} (in-process) or {VerifyKeysConfigKey} (standalone).");
        });
        services.AddSingleton<ICofferPlatform>(sp =>
        {
            IConfiguration configuration = sp.GetRequiredService<IConfiguration>();
            if (configuration[CofferUrlConfigKey] is { Length: > 0 } url)
            {
                string token = configuration[SecretTokenConfigKey] is { Length: > 0 } secret
                    ? secret
                    : throw new InvalidOperationException($"Coffer.Chat needs {SecretTokenConfigKey} with {CofferUrlConfigKey}.");
                return new HttpCofferPlatform(new HttpClient { Timeout = TimeSpan.FromSeconds(30) }, new Uri(url), token);
            }

            return configuration[AppConfigKey] is { Length: > 0 } app
                ? new InProcessCofferPlatform(
                    new AppId(app),
                    sp.GetRequiredService<Coffer.Server.Features.Groups.GroupStore>(),
                    sp.GetRequiredService<Coffer.Server.Features.Groups.GroupMemberStore>(),
                    sp.GetRequiredService<Coffer.Server.Features.Users.UserStore>())
                : throw new InvalidOperationException($"Coffer.Chat needs {AppConfigKey} (in-process) or {CofferUrlConfigKey} (standalone).");
        });
        services.AddSingleton<CofferJwtVerifier>();
        services.AddSingleton<ProfileStore>();
        services.AddSingleton<SecretChatStore>();
        services.AddSingleton<GroupStore>();
        services.AddSingleton<ThreadDirectory>();
        services.AddSingleton<SecretGroupKeys>();
        services.AddSingleton<MessageStore>();
        services.AddSingleton<ChatHub>();
        services.AddHostedService<MigrateChatOnStart>();
        services.AddHostedService<ChatHosting.ProvisionChatApp>();
        return services;
    }

    /// <summary>WebSocket support (for <c>GET /api/live</c>) and the chat's routes; call after UseRouting.</summary>
    public static RouteGroupBuilder UseChat(this WebApplication app)
    {
        app.UseWebSockets();
        return app.MapChat();
    }

    public static RouteGroupBuilder MapChat(this IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder chat = routes.MapGroup(Prefix);
        chat.AddEndpointFilter(ChatApi.CatchProblems);
        chat.AddEndpointFilter(ChatAuth.RequireUser);
        chat.MapProfiles();
        chat.MapSecretChats();
        chat.MapGroups();
        chat.MapMessages();
        chat.MapGet("/live", LiveAsync);
        return chat;
    }

    /// <summary>GET /api/live (WebSocket): the caller's live events until they close it; 400 for a plain request.</summary>
    private static async Task<IResult> LiveAsync(HttpContext context, ChatHub hub)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw ChatProblem.BadRequest("WebSocket upgrade expected");
        }

        using System.Net.WebSockets.WebSocket socket = await context.WebSockets.AcceptWebSocketAsync();
        await hub.ServeAsync(context.ChatUser(), socket, context.RequestAborted);
        return Results.Empty;
    }

    /// <summary>Applies the chat's migrations before the host accepts requests (after the platform's, registered first).</summary>
    private sealed class MigrateChatOnStart(ChatDatabase database) : IHostedLifecycleService
    {
        public async Task StartingAsync(CancellationToken cancellationToken) => await database.MigrateAsync(cancellationToken);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
