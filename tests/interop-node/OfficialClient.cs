using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Coffer.InteropNode;

/// <summary>
/// The official sentc client (<c>sentc_wasm@0.15.0</c>) running in Node, driven through
/// <c>tests/interop-node/driver.js</c> over JSON lines: the one harness of every test project that talks to the
/// official client (Interop, Client, Cli tests link this file). One Node process per test class (class fixture);
/// every call has a timeout (<see cref="DefaultTimeout"/> or <see cref="CallWithTimeoutAsync"/>'s), and a call that
/// times out kills the process and fails the test instead of hanging the run; the next call starts a fresh one.
/// </summary>
public sealed class OfficialClient : IAsyncLifetime
{
    public const string ExpectedVersion = "0.15.0";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly StringBuilder _stderr = new();
    private Process? _node;
    private long _nextId;

    public OfficialClient()
    {
        RepositoryRoot = FindRepositoryRoot();
        DriverDirectory = Path.Combine(RepositoryRoot, "tests", "interop-node");
    }

    public string RepositoryRoot { get; }

    public string DriverDirectory { get; }

    /// <summary>Raised instead of skipping: interop tests that cannot reach the official client must fail.</summary>
    public static string NotInstalledMessage(string driverDirectory) =>
        $"The official client sentc_wasm@{ExpectedVersion} is not installed in {driverDirectory}/node_modules. " +
        "Run scripts/setup (it runs `npm ci` there) before the interop tests.";

    public async ValueTask InitializeAsync()
    {
        string package = Path.Combine(DriverDirectory, "node_modules", "sentc_wasm", "package.json");
        if (!File.Exists(package))
        {
            throw new InvalidOperationException(NotInstalledMessage(DriverDirectory));
        }

        JsonElement info = await CallAsync("driver.info");
        string version = info.GetProperty("version").GetString()!;
        if (version != ExpectedVersion)
        {
            throw new InvalidOperationException(
                $"tests/interop-node has sentc_wasm {version}, the interop tests need {ExpectedVersion}: run scripts/setup.");
        }
    }

    /// <summary>Calls a wasm export (or a <c>driver.*</c> command) and returns its encoded result.</summary>
    /// <exception cref="OfficialClientException">The wasm returned an error (its error string is kept).</exception>
    public async Task<JsonElement> CallAsync(string function, params object?[] args) =>
        await CallWithTimeoutAsync(DefaultTimeout, function, args);

    public async Task<JsonElement> CallWithTimeoutAsync(TimeSpan timeout, string function, params object?[] args)
    {
        string request = Encode(Interlocked.Increment(ref _nextId), function, args);
        await _gate.WaitAsync();
        try
        {
            Process node = EnsureStarted();
            Task<string?> response = Task.Run(async () =>
            {
                await node.StandardInput.WriteLineAsync(request);
                await node.StandardInput.FlushAsync();
                return await node.StandardOutput.ReadLineAsync();
            });

            string? line;
            try
            {
                line = await response.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                Stop(node);
                throw new TimeoutException(
                    $"The official client did not answer {function} within {timeout.TotalSeconds:0} s; the Node process was " +
                    $"killed.{StderrTail()}");
            }

            if (line is null)
            {
                Stop(node);
                throw new InvalidOperationException(
                    $"The official client (node driver.js) exited during {function}.{StderrTail()}");
            }

            using JsonDocument document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            if (root.TryGetProperty("fatal", out JsonElement fatal) && fatal.GetBoolean())
            {
                // The wasm panicked; that instance is dead and the driver exits. The next call starts a new one.
                Stop(node);
            }

            if (root.GetProperty("ok").GetBoolean())
            {
                return root.GetProperty("result").Clone();
            }

            throw new OfficialClientException(function, root.GetProperty("error").GetString() ?? "");
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<string> CallStringAsync(string function, params object?[] args) =>
        (await CallAsync(function, args)).GetString() ?? throw new InvalidOperationException($"{function} returned null");

    public async Task<byte[]> CallBytesAsync(string function, params object?[] args) =>
        Convert.FromBase64String(await CallStringAsync(function, args));

    /// <summary>Starts (once) the capture server on 127.0.0.1 and returns its base URL for the networked exports.</summary>
    public async Task<string> StartCaptureServerAsync() =>
        (await CallAsync("driver.capture_start")).GetProperty("base_url").GetString()!;

    /// <summary>Makes the capture server answer <paramref name="method"/> <paramref name="path"/> with this JSON.</summary>
    public Task RespondAsync(string method, string path, string json) => CallAsync("driver.capture_respond", method, path, json);

    /// <summary>The requests the capture server received since the last call, oldest first.</summary>
    public async Task<IReadOnlyList<CapturedRequest>> TakeCapturedAsync()
    {
        JsonElement list = await CallAsync("driver.captured");
        return [.. list.EnumerateArray().Select(r => new CapturedRequest(
            r.GetProperty("method").GetString()!, r.GetProperty("path").GetString()!, r.GetProperty("body").GetString()!))];
    }

    public async ValueTask DisposeAsync()
    {
        Process? node = _node;
        _node = null;
        if (node is null)
        {
            return;
        }

        try
        {
            node.StandardInput.Close(); // the driver exits when its input ends
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await node.WaitForExitAsync(wait.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            Stop(node);
        }
        finally
        {
            node.Dispose();
            _gate.Dispose();
        }
    }

    private Process EnsureStarted()
    {
        if (_node is { HasExited: false })
        {
            return _node;
        }

        _node?.Dispose();
        var start = new ProcessStartInfo("node", ["driver.js"])
        {
            WorkingDirectory = DriverDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardInputEncoding = new UTF8Encoding(false),
        };
        try
        {
            var node = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
            node.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (_stderr)
                    {
                        _stderr.AppendLine(e.Data);
                    }
                }
            };
            node.BeginErrorReadLine();
            _node = node;
            return node;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException("The interop tests need Node 20 (`node`) on PATH to run the official client.", e);
        }
    }

    private static void Stop(Process node)
    {
        try
        {
            if (!node.HasExited)
            {
                node.Kill(entireProcessTree: true);
                node.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    private string StderrTail()
    {
        lock (_stderr)
        {
            string text = _stderr.ToString();
            return text.Length == 0 ? "" : $" Node stderr: {text[Math.Max(0, text.Length - 2000)..]}";
        }
    }

    private static string Encode(long id, string function, object?[] args)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("id", id);
            json.WriteString("fn", function);
            json.WriteStartArray("args");
            foreach (object? arg in args)
            {
                switch (arg)
                {
                    case null: json.WriteNullValue(); break;
                    case string s: json.WriteStringValue(s); break;
                    case byte[] bytes:
                        json.WriteStartObject();
                        json.WriteBase64String("b64", bytes);
                        json.WriteEndObject();
                        break;
                    case WasmU64 big:
                        json.WriteStartObject();
                        json.WriteString("bigint", big.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        json.WriteEndObject();
                        break;
                    case bool b: json.WriteBooleanValue(b); break;
                    case int i: json.WriteNumberValue(i); break;
                    case JsonElement element: element.WriteTo(json); break; // a result passed back as it came (e.g. user keys)
                    default: throw new ArgumentException($"cannot pass a {arg.GetType().Name} to the official client");
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Coffer.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Coffer.slnx not found above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A u64 argument: the wasm takes it as a JS BigInt.</summary>
public readonly record struct WasmU64(ulong Value);

/// <summary>A request the capture server received from the wasm.</summary>
public sealed record CapturedRequest(string Method, string Path, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
}

/// <summary>An error the official client returned: its error string, and the sentc code (<c>client_22</c>) in it.</summary>
public sealed partial class OfficialClientException(string function, string error)
    : Exception($"sentc_wasm {function} failed: {error}")
{
    public string Error { get; } = error;

    /// <summary>The sentc error code, e.g. <c>client_22</c>; empty for errors that are not the wasm's own.</summary>
    public string Code { get; } = CodePattern().Match(error) is { Success: true } m ? m.Value : "";

    [GeneratedRegex(@"client_\d+")]
    private static partial Regex CodePattern();
}
