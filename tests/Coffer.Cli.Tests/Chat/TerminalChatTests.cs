using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Coffer.Cli.Tests.Chat;

/// <summary>
/// coffer-chat in a real terminal: a real <c>coffer serve --chat-app</c> process on a loopback port, two coffer-chat
/// processes in tmux panes of a fixed size, driven with send-keys and read with capture-pane, as two people would.
/// </summary>
public sealed partial class TerminalChatTests
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    /// <summary>How long a client may take to end after /quit or Ctrl+C (it closes its live socket and saves its tokens).</summary>
    private static readonly TimeSpan Exit = TimeSpan.FromSeconds(5);

    [GeneratedRegex(@"Secret chat c(\d+) with bob created")]
    private static partial Regex CreatedChat();

    [GeneratedRegex(@"Safety number of \w+ and \w+: ([A-Za-z0-9_-]{20,})")]
    private static partial Regex SafetyNumber();

    [Fact]
    public async Task TwoUsers_SecretChatInTmux_EachSeesTheOthersDecryptedMessages()
    {
        using var db = new TempDatabase();
        JsonElement app = (await Cli.RunAsync("app", "create", "--name", "chat", "--database", db.ConnectionString, "--json")).Json;
        string appId = app.GetProperty("app_id").GetString()!;
        string publicToken = app.GetProperty("public_token").GetString()!;
        // The terminal client registers with the public token (the default asks for the secret token).
        Assert.Equal(0, (await Cli.RunAsync("app", "set-option", "--app", appId, "--option", "user_register", "--level", "1", "--database", db.ConnectionString)).ExitCode);
        await using ServerProcess server = await ServerProcess.StartAsync(db.ConnectionString, arguments: ["--chat-app", appId]);

        string profiles = Path.Combine(db.Folder, "profiles");
        using var tmux = new Tmux("coffer-chat-test-" + Guid.NewGuid().ToString("N")[..12]);
        var environment = new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["TZ"] = "UTC" };
        foreach (string user in (string[])["alice", "bob"])
        {
            tmux.NewSession(user, 110, 40, environment, Tmux.RecordingExitCode(ExitCodeFile(db, user),
                "dotnet", Path.Combine(AppContext.BaseDirectory, "coffer-chat.dll"),
                "--server", server.Url.ToString(), "--app-token", publicToken, "--profile", user, "--profile-dir", profiles));
        }

        // Register both (password prompts are masked: the password never shows on the screen).
        const string Password = "correct horse battery";
        foreach (string user in (string[])["alice", "bob"])
        {
            await tmux.WaitForTextAsync(user, "login or register", Startup);
            tmux.Type(user, "register");
            await tmux.WaitForTextAsync(user, "Username:", Step);
            tmux.Type(user, user);
            await tmux.WaitForTextAsync(user, "Password:", Step);
            tmux.Type(user, Password);
            await tmux.WaitForTextAsync(user, "Password again:", Step);
            tmux.Type(user, Password);
        }

        foreach (string user in (string[])["alice", "bob"])
        {
            string pane = await tmux.WaitForTextAsync(user, $"Logged in as {user}", Startup);
            Assert.DoesNotContain(Password, pane, StringComparison.Ordinal);
        }

        // Alice starts a secret chat with bob; bob accepts it; alice opens it.
        tmux.Type("alice", "/secret bob");
        string created = await tmux.WaitForAsync("alice", p => CreatedChat().IsMatch(p), "created secret chat", Step);
        string chat = "c" + CreatedChat().Match(created).Groups[1].Value;
        // Bob hears of it live (no polling), and /list shows it too.
        await tmux.WaitForTextAsync("bob", $"alice wants a secret chat with you: /accept {chat}", Step);
        tmux.Type("bob", "/list");
        await tmux.WaitForTextAsync("bob", $"waiting for you: /accept {chat}", Step);
        tmux.Type("bob", $"/accept {chat}");
        await tmux.WaitForTextAsync("bob", "── secret chat with alice", Step);
        await tmux.WaitForTextAsync("alice", $"bob accepted the secret chat {chat}", Step);
        await tmux.WaitForTextAsync("alice", $"the secret chat {chat} with bob is ready: /open {chat}", Step);
        tmux.Type("alice", $"/open {chat}");
        await tmux.WaitForTextAsync("alice", "── secret chat with bob", Step);

        // A short conversation, each line delivered live and decrypted on the other side.
        tmux.Type("alice", "hello bob, this is alice");
        await tmux.WaitForTextAsync("bob", "alice: hello bob, this is alice", Step);
        tmux.Type("bob", "hi alice! bob here");
        await tmux.WaitForTextAsync("alice", "bob: hi alice! bob here", Step);

        // Bob is half-way through a line when alice's next message arrives: it is printed above his input line,
        // which keeps what he typed; he finishes the line and alice gets all of it.
        tmux.Type("bob", "typing while", enter: false);
        await tmux.WaitForAsync("bob", p => LastLine(p).EndsWith("typing while", StringComparison.Ordinal), "typed text", Step);
        tmux.Type("alice", "are you there?");
        await tmux.WaitForTextAsync("bob", "alice: are you there?", Step);
        await tmux.WaitForAsync("bob", p => LastLine(p).EndsWith("typing while", StringComparison.Ordinal), "typed text kept", Step);
        tmux.Type("bob", " a message arrives");
        await tmux.WaitForTextAsync("alice", "bob: typing while a message arrives", Step);

        // Both see the same safety number.
        tmux.Type("alice", "/safety");
        tmux.Type("bob", "/safety");
        string aliceSafety = SafetyNumber().Match(await tmux.WaitForAsync("alice", p => SafetyNumber().IsMatch(p), "safety number", Step)).Groups[1].Value.Trim();
        string bobSafety = SafetyNumber().Match(await tmux.WaitForAsync("bob", p => SafetyNumber().IsMatch(p), "safety number", Step)).Groups[1].Value.Trim();
        Assert.NotEmpty(aliceSafety);
        Assert.Equal(aliceSafety, bobSafety);

        // Every line of the conversation is on both screens; the server's database has none of them in plaintext.
        string[] lines = ["alice: hello bob, this is alice", "bob: hi alice! bob here", "alice: are you there?", "bob: typing while a message arrives"];
        foreach (string user in (string[])["alice", "bob"])
        {
            string pane = tmux.Capture(user);
            TestContext.Current.TestOutputHelper?.WriteLine($"── {user}'s pane ──\n{pane}");
            Assert.All(lines, line => Assert.Contains(line, pane, StringComparison.Ordinal));
            Assert.DoesNotContain("cannot decrypt", pane, StringComparison.Ordinal);
        }

        byte[] database = [.. Directory.GetFiles(db.Folder, "coffer.db*").SelectMany(File.ReadAllBytes)];
        foreach (string text in (string[])["hello bob, this is alice", "hi alice! bob here", "are you there?", "a message arrives"])
        {
            Assert.Equal(-1, database.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)));
        }

        // The end: alice types /quit, bob presses Ctrl+C; both clients end at once with exit code 0.
        tmux.Type("alice", "/quit");
        tmux.Key("bob", "C-c");
        foreach (string user in (string[])["alice", "bob"])
        {
            Assert.Equal(0, await Tmux.WaitForExitCodeAsync(ExitCodeFile(db, user), () => tmux.Capture(user), Exit));
        }
    }

    private static string ExitCodeFile(TempDatabase db, string user) => Path.Combine(db.Folder, user + ".exit");

    private static string LastLine(string pane) =>
        pane.TrimEnd('\n', ' ').Split('\n')[^1].TrimEnd();
}
