using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Coffer.Cli.Tests;

/// <summary>A temporary folder with a SQLite database for one test; deleted at the end.</summary>
public sealed class TempDatabase : IDisposable
{
    public TempDatabase()
    {
        Folder = Directory.CreateTempSubdirectory("coffer-cli-").FullName;
        ConnectionString = $"Data Source={Path.Combine(Folder, "coffer.db")}";
    }

    public string Folder { get; }

    public string ConnectionString { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}

public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public JsonElement Json => JsonDocument.Parse(Output).RootElement.Clone();
}

public static class Cli
{
    /// <summary>Runs the coffer command in-process with captured output.</summary>
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await CofferCli.RunAsync(args, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }
}

/// <summary><c>coffer serve</c> as a real process (the built coffer.dll next to the tests), killed at the end.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;

    private ServerProcess(Process process, HttpClient client)
    {
        this.process = process;
        Client = client;
    }

    public HttpClient Client { get; }

    /// <summary>The server's base address, e.g. http://127.0.0.1:40123.</summary>
    public Uri Url => Client.BaseAddress!;

    /// <summary>Starts the server; <paramref name="arguments"/> are more arguments of <c>coffer serve</c>, e.g. <c>--chat-app ID</c>.</summary>
    public static async Task<ServerProcess> StartAsync(
        string connectionString, IReadOnlyDictionary<string, string>? environment = null, IEnumerable<string>? arguments = null)
    {
        int port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in (string[])[Path.Combine(AppContext.BaseDirectory, "coffer.dll"), "serve", "--urls", $"http://127.0.0.1:{port}", "--database", connectionString, .. arguments ?? []])
        {
            start.ArgumentList.Add(a);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var server = new ServerProcess(process, client);
        for (int i = 0; i < 300; i++)
        {
            try
            {
                HttpResponseMessage response = await client.GetAsync("/api/v1/");
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        throw new InvalidOperationException("coffer serve did not start.");
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, string appToken, string? body = null)
    {
        using var request = new HttpRequestMessage(method, "/api/v1" + path);
        request.Headers.TryAddWithoutValidation("x-sentc-app-token", appToken);
        request.Content = new StringContent(body ?? "", System.Text.Encoding.UTF8, "application/json");
        HttpResponseMessage response = await Client.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>SIGKILL (Process.Kill on Unix): no shutdown code runs, open transactions die with the connection.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
