using System.Text;
using System.Text.Json;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Crypto;

namespace Coffer.Client.Tests.Interop;

/// <summary>Users shared between Coffer.Client and the official client (the one driver in tests/interop-node), through the real server.</summary>
public sealed class OfficialClientInteropTests(OfficialClient wasm) : IClassFixture<OfficialClient>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>GET as the JS SDK does it with plain fetch (public token): the whole answer text.</summary>
    private static Task<string> GetAsync(RunningServer server, string path) =>
        SendAsync(server, HttpMethod.Get, path, "", server.Credentials.PublicToken);

    /// <summary>The official client's register body, forwarded by the app's backend with the secret token: the answer text.</summary>
    private async Task<string> RegisterThroughBackendAsync(RunningServer server, string identifier, string password) =>
        await SendAsync(server, HttpMethod.Post, "/register", (await wasm.CallAsync("prepare_register", identifier, password)).GetString()!,
            server.Credentials.SecretToken);

    private static async Task<string> SendAsync(RunningServer server, HttpMethod method, string path, string body, string appToken)
    {
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(method, "/api/v1" + path)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-sentc-app-token", appToken);
        using HttpResponseMessage response = await http.SendAsync(request, Ct);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    [Fact]
    public async Task UserRegisteredByCofferClient_OfficialClientVerifiesItsPublicKey()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using CofferClient backend = server.SecretClient();
        RegisteredUser user = await backend.RegisterAsync("coffer-user", "password ✓", Ct);

        // What the JS SDK does: fetch the public key, then the verify key named by public_key_sig_key_id.
        JsonElement data = await wasm.CallAsync("user_extract_public_key_data", await GetAsync(server, $"/user/{user.UserId.Value}/public_key"));
        string verifyKey = (await wasm.CallAsync(
            "user_extract_verify_key_data", await GetAsync(server, $"/user/{user.UserId.Value}/verify_key/{data.Str("public_key_sig_key_id")}"))).GetString()!;
        Assert.True((await wasm.CallAsync("user_verify_user_public_key", verifyKey, data.Str("public_key"))).GetBoolean(), data.GetRawText());
        using CofferClient app = server.PublicClient();
        UserPublicKey ours = await app.FetchPublicKeyAsync(user.UserId, verify: true, Ct);
        Assert.Equal(ours.ToJson(), data.Str("public_key"));
    }

    [Fact]
    public async Task UserRegisteredByOfficialClient_CofferClientVerifiesItsPublicKey()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        string answer = await RegisterThroughBackendAsync(server, "wasm-user", "wasm password");
        string doneUserId = (await wasm.CallAsync("done_register", answer)).GetString()!;
        RegisteredUser registered = OwnBackend.DoneRegister(answer);
        Assert.Equal(registered.UserId.Value, doneUserId);

        using CofferClient app = server.PublicClient();
        UserPublicKey key = await app.FetchPublicKeyAsync(registered.UserId, verify: true, Ct);
        Assert.True(key.Verified);
        Assert.Equal(EncryptionAlgorithm.Default, key.Key.Algorithm);
        Assert.False(await app.IsIdentifierAvailableAsync("wasm-user", Ct));
    }

    [Fact]
    public async Task UserRegisteredByCofferClient_OfficialClientLogsInWithItsKeys()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using CofferClient backend = server.SecretClient();
        RegisteredUser user = await backend.RegisterAsync("coffer-user", "password ✓", Ct);

        JsonElement login = await wasm.CallAsync(
            "login", server.BaseUrl.ToString().TrimEnd('/'), server.Credentials.PublicToken, "coffer-user", "password ✓");

        Assert.Equal((user.UserId.Value, user.DeviceId.Value), (login.Str("id"), login.Str("device_id")));
        using CofferClient app = server.PublicClient();
        UserPublicKey published = await app.FetchPublicKeyAsync(user.UserId, verify: true, Ct);
        JsonElement userKey = Assert.Single(login.GetProperty("user_keys").EnumerateArray());
        Assert.Equal(published.Key, PublicKey.ImportJson(userKey.Str("public_key")));
    }

    [Fact]
    public async Task UserRegisteredByOfficialClient_CofferClientLogsInWithItsKeys()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        RegisteredUser registered = OwnBackend.DoneRegister(await RegisterThroughBackendAsync(server, "wasm-user", "wasm password"));

        using CofferClient app = server.PublicClient();
        LoginResult result = await app.LoginAsync("wasm-user", "wasm password", Ct);

        using CofferUser user = Assert.IsType<LoginResult.LoggedIn>(result).User;
        Assert.Equal(registered.UserId, user.UserId);
        UserPublicKey published = await app.FetchPublicKeyAsync(registered.UserId, verify: true, Ct);
        Assert.Equal(published.Key, user.NewestUserKey.PublicKey);
    }
}
