using System.Text;
using System.Text.Json;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Crypto;

namespace Coffer.Client.Tests.Interop;

/// <summary>Users shared between Coffer.Client and the official client, through the real server.</summary>
public sealed class OfficialClientInteropTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UserRegisteredByCofferClient_OfficialClientVerifiesItsPublicKey()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using CofferClient backend = server.SecretClient();
        RegisteredUser user = await backend.RegisterAsync("coffer-user", "password ✓", Ct);

        JsonElement result = await OfficialClient.RunAsync(new Dictionary<string, string>
        {
            ["op"] = "verify_public_key",
            ["base_url"] = server.BaseUrl.ToString().TrimEnd('/'),
            ["token"] = server.Credentials.PublicToken,
            ["user_id"] = user.UserId.Value,
        }, Ct);

        Assert.True(result.GetProperty("verified").GetBoolean(), result.GetRawText());
        using CofferClient app = server.PublicClient();
        UserPublicKey ours = await app.FetchPublicKeyAsync(user.UserId, verify: true, Ct);
        Assert.Equal(ours.ToJson(), result.Str("public_key"));
    }

    [Fact]
    public async Task UserRegisteredByOfficialClient_CofferClientVerifiesItsPublicKey()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        JsonElement prepared = await OfficialClient.RunAsync(new Dictionary<string, string>
        {
            ["op"] = "prepare_register", ["identifier"] = "wasm-user", ["password"] = "wasm password",
        }, Ct);

        // The app's backend forwards the official client's body with the secret token, then the client checks the answer.
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/register")
        {
            Content = new StringContent(prepared.Str("body"), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-sentc-app-token", server.Credentials.SecretToken);
        using HttpResponseMessage response = await http.SendAsync(request, Ct);
        string answer = await response.Content.ReadAsStringAsync(Ct);
        JsonElement done = await OfficialClient.RunAsync(new Dictionary<string, string> { ["op"] = "done_register", ["server_output"] = answer }, Ct);
        RegisteredUser registered = OwnBackend.DoneRegister(answer);
        Assert.Equal(registered.UserId.Value, done.Str("user_id"));

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

        JsonElement login = await OfficialClient.RunAsync(new Dictionary<string, string>
        {
            ["op"] = "login",
            ["base_url"] = server.BaseUrl.ToString().TrimEnd('/'),
            ["token"] = server.Credentials.PublicToken,
            ["identifier"] = "coffer-user",
            ["password"] = "password ✓",
        }, Ct);

        Assert.Equal((user.UserId.Value, user.DeviceId.Value), (login.Str("user_id"), login.Str("device_id")));
        using CofferClient app = server.PublicClient();
        UserPublicKey published = await app.FetchPublicKeyAsync(user.UserId, verify: true, Ct);
        JsonElement userKey = Assert.Single(login.GetProperty("user_keys").EnumerateArray());
        Assert.Equal(published.Key, PublicKey.ImportJson(userKey.Str("public_key")));
    }

    [Fact]
    public async Task UserRegisteredByOfficialClient_CofferClientLogsInWithItsKeys()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        JsonElement prepared = await OfficialClient.RunAsync(new Dictionary<string, string>
        {
            ["op"] = "prepare_register", ["identifier"] = "wasm-user", ["password"] = "wasm password",
        }, Ct);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/register")
        {
            Content = new StringContent(prepared.Str("body"), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-sentc-app-token", server.Credentials.SecretToken);
        using HttpResponseMessage response = await http.SendAsync(request, Ct);
        RegisteredUser registered = OwnBackend.DoneRegister(await response.Content.ReadAsStringAsync(Ct));

        using CofferClient app = server.PublicClient();
        LoginResult result = await app.LoginAsync("wasm-user", "wasm password", Ct);

        using CofferUser user = Assert.IsType<LoginResult.LoggedIn>(result).User;
        Assert.Equal(registered.UserId, user.UserId);
        UserPublicKey published = await app.FetchPublicKeyAsync(registered.UserId, verify: true, Ct);
        Assert.Equal(published.Key, user.NewestUserKey.PublicKey);
    }
}
