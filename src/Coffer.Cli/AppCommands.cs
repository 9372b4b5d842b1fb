using System.CommandLine;
using System.Text.Json;
using Coffer.Protocol.Json;
using Coffer.Server;
using Coffer.Server.Auth;
using Coffer.Server.Data;
using Coffer.Server.Features.Apps;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Coffer.Cli;

/// <summary><c>coffer app …</c> and <c>coffer dev-app</c>: app provisioning against the database directly.</summary>
public static class AppCommands
{
    public static Command Create(Option<string> database, Option<bool> json, TextWriter output, TextWriter error)
    {
        var name = new Option<string>("--name") { Description = "Name of the app.", Required = true };
        var appId = new Option<string>("--app") { Description = "Id of the app.", Required = true };
        var optionName = new Option<string>("--option")
        {
            Description = "Endpoint option, e.g. user_register.",
            Required = true,
        };
        optionName.AcceptOnlyFromAmong([.. AppOption.Values.Select(o => o.Name)]);
        var level = new Option<string>("--level")
        {
            Description = "0 (forbidden), 1 (public or secret token), 2 (secret token only).",
            Required = true,
        };
        level.AcceptOnlyFromAmong("0", "1", "2");

        var create = new Command("create", "Create an app: prints its tokens (shown only once) and its JWT verify key.") { name };
        create.SetAction((parsed, ct) => WithAdminAsync(parsed, database, error, async admin =>
        {
            AppCredentials created = await admin.CreateAsync(parsed.GetValue(name)!, ct);
            Print(parsed.GetValue(json), output, Credentials(created));
            return 0;
        }));

        var renew = new Command("renew-tokens", "Replace the public and secret token; the old ones stop working at once.") { appId };
        renew.SetAction((parsed, ct) => WithAdminAsync(parsed, database, error, async admin =>
        {
            string id = parsed.GetValue(appId)!;
            (string PublicToken, string SecretToken)? tokens = await admin.RenewTokensAsync(new AppId(id), ct);
            if (tokens is not var (publicToken, secretToken))
            {
                return NotFound(error, id);
            }

            Print(parsed.GetValue(json), output, [("app_id", id), ("public_token", publicToken), ("secret_token", secretToken)]);
            return 0;
        }));

        var addKey = new Command("add-jwt-key", "Add a JWT key pair; the newest key signs, all keys verify.") { appId };
        addKey.SetAction((parsed, ct) => WithAdminAsync(parsed, database, error, async admin =>
        {
            string id = parsed.GetValue(appId)!;
            JwtKeyCreated? key = await admin.AddJwtKeyAsync(new AppId(id), ct);
            if (key is null)
            {
                return NotFound(error, id);
            }

            Print(parsed.GetValue(json), output, [("app_id", id), ("jwt_key_id", key.JwtKeyId.Value), ("jwt_verify_key", key.JwtVerifyKey)]);
            return 0;
        }));

        var setOption = new Command("set-option", "Set which token an endpoint option needs.") { appId, optionName, level };
        setOption.SetAction((parsed, ct) => WithAdminAsync(parsed, database, error, async admin =>
        {
            string id = parsed.GetValue(appId)!;
            AppOption option = AppOption.FromName(parsed.GetValue(optionName)!)!;
            var tokenLevel = (TokenLevel)int.Parse(parsed.GetValue(level)!, System.Globalization.CultureInfo.InvariantCulture);
            if (!await admin.SetOptionAsync(new AppId(id), option, tokenLevel, ct))
            {
                return NotFound(error, id);
            }

            Print(parsed.GetValue(json), output, [("app_id", id), ("option", option.Name), ("level", ((int)tokenLevel).ToString(System.Globalization.CultureInfo.InvariantCulture))]);
            return 0;
        }));

        var disable = new Command("disable", "Disable an app: every request with its tokens gets 401/204.") { appId };
        disable.SetAction((parsed, ct) => WithAdminAsync(parsed, database, error, async admin =>
        {
            string id = parsed.GetValue(appId)!;
            if (!await admin.DisableAsync(new AppId(id), ct))
            {
                return NotFound(error, id);
            }

            Print(parsed.GetValue(json), output, [("app_id", id), ("disabled", "true")]);
            return 0;
        }));

        var list = new Command("list", "List the apps (tokens are stored hashed and cannot be shown).");
        list.SetAction((parsed, ct) => WithAdminAsync(parsed, database, error, async admin =>
        {
            IReadOnlyList<AppRow> apps = await admin.ListAsync(ct);
            if (parsed.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(
                    apps.Select(a => new Dictionary<string, object?> { ["app_id"] = a.Id, ["name"] = a.Name, ["disabled"] = a.DisabledAt is not null })));
            }
            else
            {
                var table = new Table().AddColumns("app_id", "name", "disabled");
                foreach (AppRow app in apps)
                {
                    table.AddRow(Markup.Escape(app.Id), Markup.Escape(app.Name), app.DisabledAt is null ? "no" : "yes");
                }

                Terminal(output).Write(table);
            }

            return 0;
        }));

        return new Command("app", "Create and administer apps (tenants).") { create, renew, addKey, setOption, disable, list };
    }

    public static Command CreateDevApp(Option<string> database, Option<bool> json, TextWriter output, TextWriter error)
    {
        var devApp = new Command("dev-app", "Create the local development app if the database has no app yet, and print its tokens.");
        devApp.SetAction((parsed, ct) => WithAdminAsync(parsed, database, error, async admin =>
        {
            AppCredentials? created = await admin.CreateDevAppAsync(ct);
            if (created is null)
            {
                error.WriteLine("The database already has an app; tokens are shown only once. Use 'coffer app list' and 'coffer app renew-tokens --app ID'.");
                return 1;
            }

            Print(parsed.GetValue(json), output, Credentials(created));
            return 0;
        }));
        return devApp;
    }

    private static (string Key, string Value)[] Credentials(AppCredentials created) =>
    [
        ("app_id", created.App.Value),
        ("name", created.Name),
        ("public_token", created.PublicToken),
        ("secret_token", created.SecretToken),
        ("jwt_key_id", created.JwtKeyId.Value),
        ("jwt_verify_key", created.JwtVerifyKey),
    ];

    /// <summary>Migrates the database if needed, then runs an admin use case with the same services as the server.</summary>
    private static async Task<int> WithAdminAsync(ParseResult parsed, Option<string> database, TextWriter error, Func<AppAdmin, Task<int>> action)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddInMemoryCollection(new Dictionary<string, string?> { [CofferServer.DatabaseConfigKey] = parsed.GetValue(database) })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(configuration);
        services.AddCoffer();
        await using ServiceProvider provider = services.BuildServiceProvider();
        try
        {
            RootKey rootKey = provider.GetRequiredService<RootKey>();
            await provider.GetRequiredService<Migrator>().MigrateAsync(CancellationToken.None);
            if (await provider.GetRequiredService<AppStore>().AnyJwtKeyAsync(CancellationToken.None) is AppJwtKey key)
            {
                rootKey.CheckOpens(key.SignKeySealed, key.Id.Value);
            }

            return await action(provider.GetRequiredService<AppAdmin>());
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Configuration problems (connection string, root key): a message, not a stack trace.
            error.WriteLine(e.Message);
            return 2;
        }
    }

    private static int NotFound(TextWriter error, string app)
    {
        error.WriteLine($"No app with id {app}.");
        return 1;
    }

    private static void Print(bool asJson, TextWriter output, IReadOnlyList<(string Key, string Value)> fields)
    {
        if (asJson)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = SerdeJsonEncoder.Instance }))
            {
                writer.WriteStartObject();
                foreach ((string key, string value) in fields)
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
            return;
        }

        var table = new Table().AddColumns("field", "value");
        foreach ((string key, string value) in fields)
        {
            table.AddRow(Markup.Escape(key), Markup.Escape(value));
        }

        Terminal(output).Write(table);
    }

    private static IAnsiConsole Terminal(TextWriter output)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = Math.Max(console.Profile.Width, 160); // tokens stay on one line (copy and paste)
        return console;
    }
}
