using System.CommandLine;
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
        var serve = new Command("serve", "Run the server (migrates the database first).") { urls };
        serve.SetAction(async (parsed, ct) =>
        {
            WebApplication app = CofferServer.Build([], new Dictionary<string, string?>
            {
                [WebHostDefaults.ServerUrlsKey] = parsed.GetValue(urls),
                [CofferServer.DatabaseConfigKey] = parsed.GetValue(database),
            });
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
