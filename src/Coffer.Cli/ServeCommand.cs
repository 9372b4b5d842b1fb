using System.CommandLine;
using Coffer.Chat;
using Coffer.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;

namespace Coffer.Cli;

/// <summary><c>coffer serve</c>: runs the server until killed (SIGINT/SIGTERM stop it cleanly).</summary>
public static class ServeCommand
{
    public static Command Create(Option<string> database)
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen; loopback only by default.",
            DefaultValueFactory = _ => CofferServer.DefaultUrl,
        };
        var chatApp = new Option<string?>("--chat-app")
        {
            Description = "Also run Coffer.Chat in this process, for the users of this app id (routes under /api/, own chat_ tables).",
        };
        var serve = new Command("serve", "Run the server (migrates the database first).") { urls, chatApp };
        serve.SetAction(async (parsed, ct) =>
        {
            string? chat = parsed.GetValue(chatApp);
            WebApplication app = CofferServer.Build(
                [],
                new Dictionary<string, string?>
                {
                    [WebHostDefaults.ServerUrlsKey] = parsed.GetValue(urls),
                    [CofferServer.DatabaseConfigKey] = parsed.GetValue(database),
                    [ChatModule.AppConfigKey] = chat,
                },
                chat is null ? null : builder => builder.Services.AddChat(),
                chat is null ? null : web => web.UseChat());
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
        });
        return serve;
    }
}
