using System.CommandLine;
using Coffer.Chat;
using Coffer.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;

namespace Coffer.Cli;

/// <summary>
/// <c>coffer serve</c>: runs the server until killed (SIGINT/SIGTERM stop it cleanly), by default with Coffer.Chat in the
/// same process (the app named "chat", created on first start; <c>--no-chat</c> turns it off). <c>coffer chat serve</c>:
/// the chat alone, against a remote Coffer server.
/// </summary>
public static class ServeCommand
{
    public static Command Create(Option<string> database)
    {
        var urls = UrlsOption(CofferServer.DefaultUrl);
        var chatApp = new Option<string?>("--chat-app")
        {
            Description = "The app whose users chat (default: the app named \"chat\", created on first start).",
        };
        var noChat = new Option<bool>("--no-chat") { Description = "Do not run Coffer.Chat in this process." };
        var serve = new Command("serve", "Run the server (migrates the database first); Coffer.Chat runs in the same process unless --no-chat.")
        {
            urls, chatApp, noChat,
        };
        serve.SetAction(async (parsed, ct) =>
        {
            bool chat = !parsed.GetValue(noChat);
            WebApplication app = CofferServer.Build(
                [],
                new Dictionary<string, string?>
                {
                    [WebHostDefaults.ServerUrlsKey] = parsed.GetValue(urls),
                    [CofferServer.DatabaseConfigKey] = parsed.GetValue(database),
                    [ChatModule.AppConfigKey] = chat ? parsed.GetValue(chatApp) ?? ChatHosting.AutoApp : null,
                },
                chat ? builder => builder.Services.AddChat() : null,
                chat ? web => web.UseChat() : null);
            return await RunAsync(app, ct);
        });
        return serve;
    }

    /// <summary><c>coffer chat serve --coffer-url URL --secret-token TOKEN --jwt-verify-keys KEYS [--urls URL] [--database CONN]</c>.</summary>
    public static Command CreateChat(Option<string> database)
    {
        var urls = UrlsOption("http://127.0.0.1:8090");
        var cofferUrl = new Option<string>("--coffer-url") { Description = "The Coffer server, e.g. http://127.0.0.1:8080.", Required = true };
        var secretToken = new Option<string>("--secret-token") { Description = "The chat app's secret token (forced group endpoints).", Required = true };
        var verifyKeys = new Option<string>("--jwt-verify-keys")
        {
            Description = "The app's JWT verify keys (jwt_verify_key of `coffer app create --json`, optionally kid=key), comma-separated.",
            Required = true,
        };
        var serve = new Command("serve", "Run Coffer.Chat alone against a remote Coffer server (its own database, default coffer-chat.db).")
        {
            urls, cofferUrl, secretToken, verifyKeys,
        };
        serve.SetAction(async (parsed, ct) =>
        {
            string connection = parsed.GetResult(database) is { Implicit: false } ? parsed.GetValue(database)! : "Data Source=coffer-chat.db";
            WebApplication app;
            try
            {
                app = ChatHosting.BuildStandalone([], new Dictionary<string, string?>
                {
                    [WebHostDefaults.ServerUrlsKey] = parsed.GetValue(urls),
                    [ChatModule.DatabaseConfigKey] = connection,
                    [ChatModule.CofferUrlConfigKey] = parsed.GetValue(cofferUrl),
                    [ChatModule.SecretTokenConfigKey] = parsed.GetValue(secretToken),
                    [ChatModule.VerifyKeysConfigKey] = parsed.GetValue(verifyKeys),
                });
            }
            catch (InvalidOperationException e)
            {
                await Console.Error.WriteLineAsync(e.Message);
                return 2;
            }

            return await RunAsync(app, ct);
        });
        return new Command("chat", "Coffer.Chat on its own.") { serve };
    }

    private static Option<string> UrlsOption(string defaultUrl) => new("--urls")
    {
        Description = "Where to listen; loopback only by default.",
        DefaultValueFactory = _ => defaultUrl,
    };

    private static async Task<int> RunAsync(WebApplication app, CancellationToken ct)
    {
        try
        {
            await app.StartAsync(ct);
        }
        catch (InvalidOperationException e)
        {
            // Configuration problems found at start-up (connection string, root key): a message, not a stack trace.
            await Console.Error.WriteLineAsync(e.Message);
            return 2;
        }

        await app.WaitForShutdownAsync(ct);
        return 0;
    }
}
