using Coffer.Client;
using Coffer.Client.Storage;
using Spectre.Console;

namespace Coffer.Chat.Cli;

/// <summary>A logged-in user and the profile's key store it is saved in (unlocked with the user's password).</summary>
public sealed record SignedIn(CofferUser User, EncryptedFileKeyStore Keys) : IDisposable
{
    public void Dispose()
    {
        User.Dispose();
        Keys.Dispose();
    }
}

/// <summary>
/// Before the session: unlock the profile's saved login with the password, or log in / register (password prompts are
/// masked; a TOTP or recovery code is asked for when the account has MFA). Bounded: a few attempts, then give up.
/// </summary>
public static class SignIn
{
    private const int Attempts = 3;

    public static async Task<SignedIn?> RunAsync(CofferClient client, LocalProfile profile, Uri server, string appToken, CancellationToken ct)
    {
        if (profile.Load() is ProfileSettings saved && saved.Server == server.ToString())
        {
            AnsiConsole.MarkupLine($"Profile [bold]{Markup.Escape(profile.Name)}[/]: logged in as [bold]{Markup.Escape(saved.Identifier)}[/].");
            for (int attempt = 0; attempt < Attempts; attempt++)
            {
                string password = AnsiConsole.Prompt(new TextPrompt<string>($"Password for {Markup.Escape(saved.Identifier)} (unlocks this device's keys):").Secret(null));
                EncryptedFileKeyStore keys = await profile.OpenKeysAsync(password, ct);
                try
                {
                    if (await profile.LoadUserAsync(client, keys, ct) is CofferUser user)
                    {
                        return new SignedIn(user, keys);
                    }

                    keys.Dispose();
                    break; // nothing saved: log in again
                }
                catch (CofferException e) when (e.SdkError == SdkError.KeyStoreUnreadable)
                {
                    keys.Dispose();
                    AnsiConsole.MarkupLine("[red]Wrong password.[/]");
                }
            }

            AnsiConsole.MarkupLine("Log in again (or start with another --profile).");
        }

        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            string action = AnsiConsole.Prompt(new TextPrompt<string>("[bold]login[/] or [bold]register[/]?")
                .AddChoices(["login", "register"]).DefaultValue("login").ShowDefaultValue());
            string identifier = AnsiConsole.Prompt(new TextPrompt<string>("Username:").Validate(
                name => name.Trim().Length is > 0 and <= 50 ? ValidationResult.Success() : ValidationResult.Error("1 to 50 characters"))).Trim();
            string password = AnsiConsole.Prompt(new TextPrompt<string>("Password:").Secret(null));
            try
            {
                if (action == "register")
                {
                    string again = AnsiConsole.Prompt(new TextPrompt<string>("Password again:").Secret(null));
                    if (again != password)
                    {
                        AnsiConsole.MarkupLine("[red]The passwords differ.[/]");
                        continue;
                    }

                    await AnsiConsole.Status().StartAsync("Creating keys and registering…", _ => client.RegisterAsync(identifier, password, ct));
                    AnsiConsole.MarkupLine($"Registered [bold]{Markup.Escape(identifier)}[/].");
                }

                LoginResult result = await AnsiConsole.Status().StartAsync("Logging in…", _ => client.LoginAsync(identifier, password, ct));
                CofferUser user = result switch
                {
                    LoginResult.LoggedIn done => done.User,
                    LoginResult.MfaRequired mfa => await CompleteMfaAsync(mfa.Pending, ct),
                    _ => throw new InvalidOperationException("unknown login result"),
                };
                EncryptedFileKeyStore keys = await profile.OpenKeysAsync(password, ct);
                await user.SaveAsync(keys, cancellationToken: ct);
                await profile.SaveSettingsAsync(new ProfileSettings(server.ToString(), appToken, identifier, user.UserId.Value), ct);
                return new SignedIn(user, keys);
            }
            catch (CofferException e)
            {
                AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Message)}[/]");
            }
        }

        return null;
    }

    private static async Task<CofferUser> CompleteMfaAsync(PendingMfaLogin pending, CancellationToken ct)
    {
        using (pending)
        {
            string code = AnsiConsole.Prompt(new TextPrompt<string>("Two-factor code (6 digits, or a recovery code):")).Trim();
            bool recovery = !(code.Length == 6 && code.All(char.IsAsciiDigit));
            return await pending.CompleteAsync(code, recovery, ct);
        }
    }
}
