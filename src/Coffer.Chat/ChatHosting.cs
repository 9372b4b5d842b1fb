using Coffer.Server;
using Coffer.Server.Features.Apps;

namespace Coffer.Chat;

/// <summary>
/// How Coffer.Chat is hosted. In-process (the default of <c>coffer serve</c>): <see cref="ChatModule.AppConfigKey"/> =
/// <see cref="AutoApp"/> makes the server find or create the app named <see cref="AppName"/> at start-up (after the
/// platform's migrations) and use its users. Standalone (<c>coffer chat serve</c>): <see cref="BuildStandalone"/>, a host
/// with the chat only, against a remote Coffer server (its JWT verify keys and the app's secret token).
/// </summary>
public static class ChatHosting
{
    /// <summary>The value of <c>Coffer:Chat:App</c> that provisions the chat app on first start.</summary>
    public const string AutoApp = "auto";

    /// <summary>The name of the provisioned app.</summary>
    public const string AppName = "chat";

    /// <summary>
    /// A chat-only host: the chat's routes under <c>/api/</c> on its own database, verifying JWTs with
    /// <see cref="ChatModule.VerifyKeysConfigKey"/> and reaching the platform at <see cref="ChatModule.CofferUrlConfigKey"/>
    /// with <see cref="ChatModule.SecretTokenConfigKey"/>. Settings also take <c>urls</c> and <see cref="ChatModule.DatabaseConfigKey"/>.
    /// </summary>
    public static WebApplication BuildStandalone(string[] args, IReadOnlyDictionary<string, string?> settings, Action<WebApplicationBuilder>? extend = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddInMemoryCollection(settings);
        foreach (string required in (string[])[ChatModule.VerifyKeysConfigKey, ChatModule.CofferUrlConfigKey, ChatModule.SecretTokenConfigKey])
        {
            if (string.IsNullOrEmpty(builder.Configuration[required]))
            {
                throw new InvalidOperationException($"The standalone chat needs {required}.");
            }
        }

        string? urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        builder.WebHost.UseUrls(string.IsNullOrEmpty(urls) ? "http://127.0.0.1:8090" : urls);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddChat();
        extend?.Invoke(builder);
        WebApplication app = builder.Build();
        app.UseRouting();
        app.UseChat();
        return app;
    }

    /// <summary>Finds or creates the chat app when <c>Coffer:Chat:App</c> is <see cref="AutoApp"/>; runs after the platform's migrations.</summary>
    internal sealed class ProvisionChatApp(IConfiguration configuration, IServiceProvider services, ILogger<ProvisionChatApp> logger) : IHostedLifecycleService
    {
        public async Task StartingAsync(CancellationToken cancellationToken)
        {
            if (configuration[ChatModule.AppConfigKey] != AutoApp)
            {
                return;
            }

            (AppId app, AppCredentials? created) = await services.GetRequiredService<AppAdmin>().FindOrCreateAsync(AppName, cancellationToken);
            configuration[ChatModule.AppConfigKey] = app.Value;
            if (created is not null)
            {
                // Printed once, like `coffer app create` does; never logged. Lost tokens: `coffer app renew-tokens --app ID`.
                Console.Out.WriteLine(
                    $"Coffer.Chat: created the app \"{AppName}\" ({app.Value}). public_token={created.PublicToken} secret_token={created.SecretToken} jwt_verify_key={created.JwtVerifyKey}");
            }

            logger.LogInformation("Coffer.Chat serves the users of app {App} under /api/", app.Value);
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
