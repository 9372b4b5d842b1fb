using System.Diagnostics;
using System.Text.Json;

namespace Coffer.Cli.Tests.Interop;

/// <summary>
/// The official client (sentc_wasm 0.15.0 in Node, installed by scripts/setup) against <c>coffer serve</c>: register,
/// login (prepare/done/verify inside the wasm), wrong password, refresh and init, public key, a second device, MFA
/// login (TOTP and recovery code), delete. The Node script reports each step; the assertions are here.
/// </summary>
public sealed class OfficialClientTests
{
    [Fact]
    public async Task OfficialClient_RegistersLogsInWithAndWithoutMfaAndDeletesAgainstCofferServe()
    {
        using var db = new TempDatabase();
        JsonElement app = (await Cli.RunAsync("app", "create", "--name", "interop", "--database", db.ConnectionString, "--json")).Json;
        await using ServerProcess server = await ServerProcess.StartAsync(db.ConnectionString);

        JsonElement result = await RunClientAsync(
            server.Client.BaseAddress!.ToString().TrimEnd('/'), app.GetProperty("public_token").GetString()!, app.GetProperty("secret_token").GetString()!);

        Assert.True(result.GetProperty("register").GetProperty("ok").GetBoolean(), result.GetRawText());
        Assert.True(Guid.TryParse(result.GetProperty("register").GetProperty("value").GetString(), out _), result.GetRawText());
        Assert.Contains("server_101", result.GetProperty("registerAgain").GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("server_203", result.GetProperty("registerWithPublicToken").GetProperty("error").GetString(), StringComparison.Ordinal);
        string userId = result.GetProperty("register").GetProperty("value").GetString()!;

        JsonElement login = Value(result, "login");
        Assert.Equal(userId, login.GetProperty("userId").GetString());
        Assert.True(Guid.TryParse(login.GetProperty("deviceId").GetString(), out _));
        Assert.Equal(1, login.GetProperty("userKeys").GetArrayLength());
        Assert.Equal(1, login.GetProperty("hmacKeys").GetArrayLength());
        Assert.False(login.GetProperty("mfa").GetBoolean());
        Assert.True(JwtClaims(login.GetProperty("jwt").GetString()!).GetProperty("fresh").GetBoolean());
        Assert.Contains("server_112", Error(result, "wrongPassword"), StringComparison.Ordinal);
        Assert.Contains("server_112", Error(result, "unknownUser"), StringComparison.Ordinal);

        Assert.False(JwtClaims(Value(result, "refreshJwt").GetString()!).GetProperty("fresh").GetBoolean());
        Assert.Equal(0, Value(result, "initUser").GetProperty("invites").GetArrayLength());
        Assert.Equal(login.GetProperty("userKeys")[0].GetProperty("group_key_id").GetString(), Value(result, "publicKey").GetProperty("id").GetString());

        Value(result, "registerDevice");
        JsonElement device = Value(result, "deviceLogin");
        Assert.Equal(userId, device.GetProperty("userId").GetString());
        Assert.NotEqual(login.GetProperty("deviceId").GetString(), device.GetProperty("deviceId").GetString());
        Assert.Equal(1, device.GetProperty("userKeys").GetArrayLength());

        JsonElement mfa = Value(result, "mfaLogin");
        Assert.True(JwtClaims(mfa.GetProperty("jwt").GetString()!).GetProperty("fresh").GetBoolean());
        Assert.True(JwtClaims(mfa.GetProperty("recoveredJwt").GetString()!).GetProperty("fresh").GetBoolean());
        Assert.Equal(1, mfa.GetProperty("userKeys").GetInt32());
        Assert.Contains("server_901", mfa.GetProperty("reused").GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("server_902", mfa.GetProperty("wrong").GetProperty("error").GetString(), StringComparison.Ordinal);

        Assert.Equal("deleted", Value(result, "deleteUser").GetString());
        Assert.Contains("server_112", Error(result, "loginAfterDelete"), StringComparison.Ordinal);
    }

    private static JsonElement Value(JsonElement result, string step)
    {
        JsonElement outcome = result.GetProperty(step);
        Assert.True(outcome.GetProperty("ok").GetBoolean(), step + ": " + outcome.GetRawText());
        return outcome.GetProperty("value");
    }

    private static string Error(JsonElement result, string step)
    {
        JsonElement outcome = result.GetProperty(step);
        Assert.False(outcome.GetProperty("ok").GetBoolean(), step + ": " + outcome.GetRawText());
        return outcome.GetProperty("error").GetString()!;
    }

    private static JsonElement JwtClaims(string jwt) =>
        JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[1])).RootElement.Clone();

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
