using System.Diagnostics;

namespace Coffer.Cli.Tests.Chat;

/// <summary>
/// A private tmux server (its own socket name, <c>tmux -L</c>) for one test: sessions of a fixed size running a
/// command, keys sent as a user would type them, panes captured as text. Disposing kills this server only (and with it
/// every process it started); nothing else on the machine is touched.
/// </summary>
public sealed class Tmux : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    public Tmux(string name) => Socket = name;

    /// <summary>The tmux socket name, unique per test run.</summary>
    public string Socket { get; }

    /// <summary>A detached session of <paramref name="width"/>×<paramref name="height"/> running <paramref name="command"/>.</summary>
    public void NewSession(string session, int width, int height, IReadOnlyDictionary<string, string> environment, params string[] command)
    {
        List<string> args = ["new-session", "-d", "-s", session, "-x", width.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-y", height.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        foreach ((string key, string value) in environment)
        {
            args.AddRange(["-e", $"{key}={value}"]);
        }

        args.AddRange(command);
        Run([.. args]);
        // Keep the pane (and its last screen) when the program exits, so a failure can still be read.
        Run("set-option", "-t", session, "remain-on-exit", "on");
    }

    /// <summary>Types <paramref name="text"/> literally, then Enter when <paramref name="enter"/>.</summary>
    public void Type(string session, string text, bool enter = true)
    {
        if (text.Length > 0)
        {
            Run("send-keys", "-t", session, "-l", text);
        }

        if (enter)
        {
            Run("send-keys", "-t", session, "Enter");
        }
    }

    /// <summary>Sends one key by its tmux name, e.g. <c>C-c</c>.</summary>
    public void Key(string session, string key) => Run("send-keys", "-t", session, key);

    /// <summary>
    /// The command line for <see cref="NewSession"/> that runs <paramref name="command"/> through <c>sh</c> and writes its
    /// exit code to <paramref name="exitCodeFile"/> when it ends (see <see cref="WaitForExitCodeAsync"/>).
    /// </summary>
    public static string[] RecordingExitCode(string exitCodeFile, params string[] command) =>
        ["sh", "-c", string.Join(' ', command.Select(Quote)) + "; echo $? > " + Quote(exitCodeFile)];

    /// <summary>
    /// Waits for the exit code a <see cref="RecordingExitCode"/> session wrote; fails with the pane's text when the
    /// program still runs after <paramref name="timeout"/>. Neither the screen nor tmux's pane state is proof: tmux may
    /// close a pane's terminal before it has read the last output, and may reap an ended program only seconds later
    /// (so its "Pane is dead" line and <c>#{pane_dead_status}</c> lag behind); the shell that waited for the program
    /// knows at once.
    /// </summary>
    public static async Task<int> WaitForExitCodeAsync(string exitCodeFile, Func<string> pane, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (File.Exists(exitCodeFile) && File.ReadAllText(exitCodeFile).Trim() is { Length: > 0 } code)
            {
                return int.Parse(code, System.Globalization.CultureInfo.InvariantCulture);
            }

            await Task.Delay(Poll, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"The program still runs {timeout.TotalSeconds:F0} s later. The pane:\n{pane()}");
    }

    /// <summary>The pane's text: its history and screen, wrapped lines joined.</summary>
    public string Capture(string session) => Run("capture-pane", "-p", "-J", "-t", session, "-S", "-500");

    /// <summary>Polls the pane until <paramref name="found"/> holds or <paramref name="timeout"/> passes; fails with the pane's text.</summary>
    public async Task<string> WaitForAsync(string session, Func<string, bool> found, string what, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string pane = "";
        while (clock.Elapsed < timeout)
        {
            pane = Capture(session);
            if (found(pane))
            {
                return pane;
            }

            await Task.Delay(Poll, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"{session}: no {what} within {timeout.TotalSeconds:F0} s. The pane:\n{pane}");
    }

    public Task<string> WaitForTextAsync(string session, string text, TimeSpan timeout) =>
        WaitForAsync(session, pane => pane.Contains(text, StringComparison.Ordinal), $"'{text}'", timeout);

    public void Dispose()
    {
        try
        {
            Run("kill-server");
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private string Run(params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(Socket);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("tmux did not start");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(CommandTimeout))
        {
            process.Kill();
            throw new InvalidOperationException($"tmux {string.Join(' ', args)} did not finish");
        }

        return process.ExitCode == 0
            ? output.Result
            : throw new InvalidOperationException($"tmux {args[0]} failed ({process.ExitCode}): {error.Result}");
    }
}
