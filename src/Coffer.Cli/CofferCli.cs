using System.CommandLine;
using Coffer.Server;

namespace Coffer.Cli;

/// <summary>
/// The <c>coffer</c> command. Contract (scripts rely on it): <c>serve [--urls URL] [--database CONN] [--chat-app ID | --no-chat]</c>;
/// <c>chat serve --coffer-url URL --secret-token TOKEN --jwt-verify-keys KEYS [--urls URL] [--database CONN]</c>;
/// <c>app create --name NAME [--database CONN] [--json]</c> prints one JSON object with app_id, public_token,
/// secret_token, jwt_key_id, jwt_verify_key; <c>app renew-tokens | add-jwt-key | set-option | disable | list</c>;
/// <c>dev-app</c>. CONN is an ADO.NET connection string (<c>Data Source=FILE</c> = SQLite, <c>Host=…</c> = PostgreSQL);
/// the default is a SQLite file <c>coffer.db</c> in the working directory.
/// </summary>
public static class CofferCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var database = new Option<string>("--database")
        {
            Description = "ADO.NET connection string: 'Data Source=FILE' (SQLite) or 'Host=…;Port=…;Username=…;Database=…' (PostgreSQL).",
            DefaultValueFactory = _ => CofferServer.DefaultDatabase,
            Recursive = true,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table.", Recursive = true };
        var root = new RootCommand("Coffer: end-to-end encryption server (sentc API v1) and its administration.")
        {
            database,
            json,
            ServeCommand.Create(database),
            ServeCommand.CreateChat(database),
            AppCommands.Create(database, json, output, error),
            AppCommands.CreateDevApp(database, json, output, error),
        };
        ParseResult parsed = root.Parse(args);
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }
}
