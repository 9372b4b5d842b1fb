using System.Diagnostics;
using System.Text.Json;

namespace Coffer.Cli.Tests.Interop;

/// <summary>
/// The official client (sentc_wasm 0.15.0 in Node, installed by scripts/setup) against <c>coffer serve</c>. Only the
/// flows the server supports so far: register (and its errors) and the start of a device registration.
/// </summary>
public sealed class OfficialClientTests
{
    [Fact]
    public async Task OfficialClient_RegistersAgainstCofferServe()
    {
        using var db = new TempDatabase();
        JsonElement app = (await Cli.RunAsync("app", "create", "--name", "interop", "--database", db.ConnectionString, "--json")).Json;
        await using ServerProcess server = await ServerProcess.StartAsync(db.ConnectionString);

        JsonElement result = await RunClientAsync(
            server.Client.BaseAddress!.ToString().TrimEnd('/'), app.GetProperty("public_token").GetString()!, app.GetProperty("secret_token").GetString()!);

        Assert.True(result.GetProperty("register").GetProperty("ok").GetBoolean(), result.GetRawText());
        Assert.True(Guid.TryParse(result.GetProperty("register").GetProperty("value").GetString(), out _));
        Assert.Contains("server_101", result.GetProperty("registerAgain").GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("server_203", result.GetProperty("registerWithPublicToken").GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(result.GetProperty("registerDeviceStart").GetProperty("ok").GetBoolean(), result.GetRawText());
    }

    private static async Task<JsonElement> RunClientAsync(string baseUrl, string publicToken, string secretToken)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "Interop", "official-client.cjs");
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["COFFER_INTEROP_NODE"] = Path.Combine(RepositoryRoot(), "tests", "interop-node");
        foreach (string a in (string[])[script, baseUrl, publicToken, secretToken])
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        Task<string> error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, await error);
        return JsonDocument.Parse(await output).RootElement.Clone();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Coffer.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Cannot find the repository root (Coffer.slnx) above the test binary.");
    }
}
