using System.CommandLine;
using Coffer.Chat.Cli;
using Coffer.Chat.Client;
using Coffer.Client;
using Spectre.Console;

// coffer-chat: the terminal client of Coffer.Chat (see ChatSession for the commands).
var server = new Option<string>("--server")
{
    Description = "The Coffer server (with the chat in-process: `coffer serve --chat-app APP`). Env: COFFER_CHAT_SERVER.",
    DefaultValueFactory = _ => Environment.GetEnvironmentVariable("COFFER_CHAT_SERVER") ?? "http://127.0.0.1:8080",
};
var appToken = new Option<string?>("--app-token")
{
    Description = "The app's public token (remembered in the profile after the first login). Env: COFFER_CHAT_APP_TOKEN.",
};
var profileName = new Option<string>("--profile")
{
    Description = "Profile name: one login (device keys, tokens) per profile.",
    DefaultValueFactory = _ => "default",
};
var profileDir = new Option<string?>("--profile-dir") { Description = "Where profiles live (default ~/.config/coffer-chat)." };
var logout = new Option<bool>("--logout") { Description = "Forget the profile's login (its local keys) and exit." };

var root = new RootCommand("coffer-chat: end-to-end encrypted chat in the terminal (Coffer.Chat).")
{
    server, appToken, profileName, profileDir, logout,
};
root.SetAction(async (parsed, ct) =>
{
    LocalProfile profile;
    try
    {
        profile = new LocalProfile(parsed.GetValue(profileDir) ?? LocalProfile.DefaultRoot(), parsed.GetValue(profileName)!);
    }
    catch (ArgumentException e)
    {
        await Console.Error.WriteLineAsync("coffer-chat: " + e.Message);
        return 2;
    }

    if (parsed.GetValue(logout))
    {
        profile.Delete();
        Console.WriteLine($"Profile {profile.Name} forgotten.");
        return 0;
    }

    if (!Uri.TryCreate(parsed.GetValue(server), UriKind.Absolute, out Uri? serverUrl) || serverUrl.Scheme is not ("http" or "https"))
    {
        await Console.Error.WriteLineAsync("coffer-chat: --server must be an http(s) URL, e.g. http://127.0.0.1:8080");
        return 2;
    }

    string? token = parsed.GetValue(appToken) ?? Environment.GetEnvironmentVariable("COFFER_CHAT_APP_TOKEN")
        ?? (profile.Load() is ProfileSettings saved && saved.Server == serverUrl.ToString() ? saved.AppToken : null);
    if (string.IsNullOrEmpty(token))
    {
        await Console.Error.WriteLineAsync("coffer-chat: --app-token (the app's public token) is needed for the first login.");
        return 2;
    }

    if (!Console.IsInputRedirected)
    {
        Console.TreatControlCAsInput = true; // Ctrl+C ends the input line editor cleanly (see ChatConsole)
    }

    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    using var client = new CofferClient(serverUrl, token, http);
    SignedIn? signedIn;
    try
    {
        signedIn = await SignIn.RunAsync(client, profile, serverUrl, token, ct);
    }
    catch (HttpRequestException e)
    {
        AnsiConsole.MarkupLine($"[red]Cannot reach {Markup.Escape(serverUrl.ToString())}: {Markup.Escape(e.Message)}[/]");
        return 1;
    }

    if (signedIn is null)
    {
        return 1;
    }

    using (signedIn)
    {
        using var chat = new ChatClient(serverUrl, signedIn.User, http);
        var session = new ChatSession(chat, new ChatConsole(), signedIn.User.UserId.Value);
        try
        {
            await ChatSession.EnsureUsernameAsync(chat, signedIn.User.Identifier, ct);
            return await session.RunAsync(ct);
        }
        catch (HttpRequestException e)
        {
            AnsiConsole.MarkupLine($"[red]Cannot reach {Markup.Escape(serverUrl.ToString())}: {Markup.Escape(e.Message)}[/]");
            return 1;
        }
        catch (ChatApiException e)
        {
            AnsiConsole.MarkupLine($"[red]{Markup.Escape(e.Detail)} (HTTP {e.Status})[/]");
            return 1;
        }
        finally
        {
            // The refreshed tokens, for the next start.
            await signedIn.User.SaveAsync(signedIn.Keys, cancellationToken: CancellationToken.None);
        }
    }
});
return await root.Parse(args).InvokeAsync();
