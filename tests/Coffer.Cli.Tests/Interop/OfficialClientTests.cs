using System.Text;
using System.Text.Json;
using Coffer.Server.Features.Mfa;

namespace Coffer.Cli.Tests.Interop;

/// <summary>
/// The official client (sentc_wasm 0.15.0 in Node, through the one driver in tests/interop-node) against
/// <c>coffer serve</c>: register, login (prepare/done/verify inside the wasm), wrong password, refresh and init,
/// public key, a second device, MFA login (TOTP and recovery code), delete. The plain HTTP calls the JS SDK makes
/// itself (OTP, public key) are made here, as the SDK would.
/// </summary>
public sealed class OfficialClientTests(OfficialClient wasm) : IClassFixture<OfficialClient>
{
    private const string Password = "alice password ✓";

    [Fact]
    public async Task OfficialClient_RegistersLogsInWithAndWithoutMfaAndDeletesAgainstCofferServe()
    {
        using var db = new TempDatabase();
        JsonElement app = (await Cli.RunAsync("app", "create", "--name", "interop", "--database", db.ConnectionString, "--json")).Json;
        await using ServerProcess server = await ServerProcess.StartAsync(db.ConnectionString);
        string url = server.Client.BaseAddress!.ToString().TrimEnd('/');
        string pub = app.GetProperty("public_token").GetString()!;
        string secret = app.GetProperty("secret_token").GetString()!;

        string userId = (await wasm.CallAsync("register", url, secret, "alice", Password)).GetString()!;
        Assert.True(Guid.TryParse(userId, out _), userId);
        Assert.Contains("server_101", await ErrorAsync("register", url, secret, "alice", "other"), StringComparison.Ordinal);
        Assert.Contains("server_203", await ErrorAsync("register", url, pub, "bob", "bob"), StringComparison.Ordinal);

        JsonElement login = await wasm.CallAsync("login", url, pub, "alice", Password);
        Assert.Equal(userId, login.GetProperty("id").GetString());
        Assert.True(Guid.TryParse(login.GetProperty("device_id").GetString(), out _));
        Assert.Equal(1, login.GetProperty("user_keys").GetArrayLength());
        Assert.Equal(1, login.GetProperty("hmac_keys").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, login.GetProperty("mfa_master_key").ValueKind);
        string jwt = login.GetProperty("jwt").GetString()!;
        string refreshToken = login.GetProperty("refresh_token").GetString()!;
        Assert.True(JwtClaims(jwt).GetProperty("fresh").GetBoolean());
        Assert.Contains("server_112", await ErrorAsync("login", url, pub, "alice", "wrong password"), StringComparison.Ordinal);
        Assert.Contains("server_112", await ErrorAsync("login", url, pub, "nobody", Password), StringComparison.Ordinal);

        string refreshed = (await wasm.CallAsync("refresh_jwt", url, pub, jwt, refreshToken)).GetString()!;
        Assert.False(JwtClaims(refreshed).GetProperty("fresh").GetBoolean());
        Assert.Equal(0, (await wasm.CallAsync("init_user", url, pub, jwt, refreshToken)).GetProperty("invites").GetArrayLength());
        string publicKeyAnswer = await ApiAsync(server, HttpMethod.Get, $"/user/{userId}/public_key", pub, jwt: null);
        JsonElement publicKey = await wasm.CallAsync("user_extract_public_key_data", publicKeyAnswer);
        Assert.Equal(login.GetProperty("user_keys")[0].GetProperty("group_key_id").GetString(), publicKey.GetProperty("public_key_id").GetString());

        // A second device: started on the new device, finished by the logged-in one with the user keys.
        string started = (await wasm.CallAsync("register_device_start", url, pub, "alice-phone", "phone password")).GetString()!;
        string[] keys = [.. login.GetProperty("user_keys").EnumerateArray().Select(k => k.GetProperty("group_key").GetString()!)];
        await wasm.CallAsync("register_device", url, pub, jwt, started, keys.Length, "[" + string.Join(",", keys) + "]");
        JsonElement device = await wasm.CallAsync("login", url, pub, "alice-phone", "phone password");
        Assert.Equal(userId, device.GetProperty("id").GetString());
        Assert.NotEqual(login.GetProperty("device_id").GetString(), device.GetProperty("device_id").GetString());
        Assert.Equal(1, device.GetProperty("user_keys").GetArrayLength());

        // MFA: TOTP enabled with the fresh JWT; the wasm's login then stops at "Otp" and mfa_login finishes it.
        using JsonDocument otp = JsonDocument.Parse(await ApiAsync(server, HttpMethod.Patch, "/user/register_otp", pub, jwt));
        string totpSecret = otp.RootElement.GetProperty("result").GetProperty("secret").GetString()!;
        string recoveryCode = otp.RootElement.GetProperty("result").GetProperty("recover")[0].GetString()!;
        JsonElement pre = await wasm.CallAsync("login", url, pub, "alice", Password);
        string mfaMasterKey = pre.GetProperty("mfa_master_key").GetString()!;
        string mfaAuthKey = pre.GetProperty("mfa_auth_key").GetString()!;
        JsonElement mfa = await wasm.CallAsync("mfa_login", url, pub, mfaMasterKey, mfaAuthKey, "alice", Totp(totpSecret, 0), false);
        Assert.True(JwtClaims(mfa.GetProperty("jwt").GetString()!).GetProperty("fresh").GetBoolean());
        Assert.Equal(1, mfa.GetProperty("user_keys").GetArrayLength());
        JsonElement recovered = await wasm.CallAsync("mfa_login", url, pub, mfaMasterKey, mfaAuthKey, "alice", recoveryCode, true);
        Assert.True(JwtClaims(recovered.GetProperty("jwt").GetString()!).GetProperty("fresh").GetBoolean());
        Assert.Contains("server_901", await ErrorAsync("mfa_login", url, pub, mfaMasterKey, mfaAuthKey, "alice", recoveryCode, true), StringComparison.Ordinal);
        Assert.Contains("server_902", await ErrorAsync("mfa_login", url, pub, mfaMasterKey, mfaAuthKey, "alice", WrongTotp(totpSecret), false), StringComparison.Ordinal);

        // DELETE /user needs a fresh JWT (and the secret token by default); the user now has MFA, so with a TOTP.
        string fresh = (await wasm.CallAsync("get_fresh_jwt", url, secret, "alice-phone", "phone password", Totp(totpSecret, 0), false)).GetString()!;
        await wasm.CallAsync("delete_user", url, secret, fresh);
        Assert.Contains("server_112", await ErrorAsync("login", url, pub, "alice", Password), StringComparison.Ordinal);
    }

    /// <summary>The error string of a wasm call that must fail.</summary>
    private async Task<string> ErrorAsync(string function, params object?[] args) =>
        (await Assert.ThrowsAsync<OfficialClientException>(() => wasm.CallAsync(function, args))).Error;

    /// <summary>A plain HTTP call as the JS SDK makes it (no wasm function): the answer's text, which must be a success.</summary>
    private static async Task<string> ApiAsync(ServerProcess server, HttpMethod method, string path, string appToken, string? jwt)
    {
        using var request = new HttpRequestMessage(method, "/api/v1" + path) { Content = new StringContent("", Encoding.UTF8, "application/json") };
        request.Headers.Add("x-sentc-app-token", appToken);
        if (jwt is not null)
        {
            request.Headers.Add("Authorization", "Bearer " + jwt);
        }

        using HttpResponseMessage response = await server.Client.SendAsync(request, TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("status").GetBoolean(), text);
        return text;
    }

    /// <summary>The authenticator app's code (TOTP SHA-256, 6 digits, 30 s) <paramref name="stepOffset"/> steps from now.</summary>
    private static string Totp(string base32Secret, int stepOffset) =>
        MfaRules.Totp(MfaRules.FromBase32(base32Secret)!, (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30) + stepOffset);

    /// <summary>A code that is none of the three the server accepts (previous, current, next step).</summary>
    private static string WrongTotp(string base32Secret)
    {
        string[] accepted = [Totp(base32Secret, -1), Totp(base32Secret, 0), Totp(base32Secret, 1)];
        return Enumerable.Range(0, 4).Select(i => i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).First(c => !accepted.Contains(c));
    }

    private static JsonElement JwtClaims(string jwt) =>
        JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[1])).RootElement.Clone();
}
