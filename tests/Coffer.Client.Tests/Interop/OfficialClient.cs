using System.Diagnostics;
using System.Text.Json;

namespace Coffer.Client.Tests.Interop;

/// <summary>
/// The official sentc client (sentc_wasm 0.15.0 in Node, from <c>tests/interop-node</c>, installed by
/// <c>scripts/setup</c>), driven through <c>official-client.cjs</c>. Tests fail when Node or the package is missing (CI installs both).
/// </summary>
public static class OfficialClient
{
    public static async Task<JsonElement> RunAsync(object command, CancellationToken ct)
    {
        string? modules = ModulesFolder();
        Assert.True(modules is not null, "The official client is not installed: run scripts/setup.");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Interop", "official-client.cjs"));
        start.ArgumentList.Add(JsonSerializer.Serialize(command));
        start.Environment["NODE_PATH"] = modules;
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail("Node is not installed: run scripts/setup.");
            throw; // unreachable
        }

        using (process)
        {
            string output = await process.StandardOutput.ReadToEndAsync(ct);
            string error = await process.StandardError.ReadToEndAsync(ct);
            await process.WaitForExitAsync(ct);
            Assert.True(process.ExitCode == 0, $"official client failed: {output} {error}");
            using JsonDocument document = JsonDocument.Parse(output);
            if (document.RootElement.TryGetProperty("error", out JsonElement failure))
            {
                Assert.Fail($"official client error: {failure.GetString()}");
            }

            return document.RootElement.Clone();
        }
    }

    private static string? ModulesFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "interop-node", "node_modules");
            if (File.Exists(Path.Combine(candidate, "sentc_wasm", "package.json")))
            {
                return candidate;
            }
        }

        return null;
    }
}
