using System.Buffers.Text;
using System.Text;
using Coffer.Client.Storage;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Crypto;

namespace Coffer.Client.Tests;

/// <summary>The requests around the JWT (refresh margin, /refresh, /init), checked with a recording handler.</summary>
public sealed class JwtRefreshTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetDevicesAsync_JwtExpiresWithin30Seconds_RefreshesFirstWithTheOldJwtAndTheRefreshToken()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string oldJwt = Jwt(now + 20), newJwt = Jwt(now + 300);
        var handler = new RecordingHandler(request => request.RequestUri!.AbsolutePath.EndsWith("/refresh", StringComparison.Ordinal)
            ? $$$"""{"status":true,"result":{"user_id":"user_alice","jwt":"{{{newJwt}}}","device_id":"device_alice"}}"""
            : """{"status":true,"result":[]}""");
        using CofferUser user = await UserAsync(handler, oldJwt);

        await user.GetDevicesAsync(cancellationToken: Ct);

        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal((HttpMethod.Put, "/api/v1/refresh", "Bearer " + oldJwt, "app-token", """{"refresh_token":"refresh_alice"}"""), handler.Requests[0]);
        Assert.Equal((HttpMethod.Get, "/api/v1/user/device/0/none", "Bearer " + newJwt), (handler.Requests[1].Method, handler.Requests[1].Path, handler.Requests[1].Authorization));
        Assert.Equal(newJwt, user.Jwt);
    }

    [Fact]
    public async Task GetDevicesAsync_JwtValidLongEnough_DoesNotRefresh()
    {
        string jwt = Jwt(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 120);
        var handler = new RecordingHandler(_ => """{"status":true,"result":[{"device_id":"d","time":5,"device_identifier":"h"}]}""");
        using CofferUser user = await UserAsync(handler, jwt);

        DeviceInfo device = Assert.Single(await user.GetDevicesAsync(cancellationToken: Ct));

        Assert.Equal(new DeviceInfo(new DeviceId("d"), 5, "h"), device);
        Assert.Equal("/api/v1/user/device/0/none", Assert.Single(handler.Requests).Path);
        Assert.Equal("/api/v1/user/device/5/d", (await user.GetDevicesAsync(device, Ct), handler.Requests[^1].Path).Item2);
    }

    [Fact]
    public async Task InitAsync_ExpiredJwt_SendsItWithTheRefreshTokenAndTakesTheNewJwt()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string expired = Jwt(now - 3600), fresh = Jwt(now + 300);
        var handler = new RecordingHandler(_ => $$$"""{"status":true,"result":{"jwt":"{{{fresh}}}","invites":[{"group_id":"g1","time":7}]}}""");
        using CofferUser user = await UserAsync(handler, expired);

        IReadOnlyList<GroupInvite> invites = await user.InitAsync(Ct);

        Assert.Equal(new GroupInvite(new GroupId("g1"), 7), Assert.Single(invites));
        Assert.Equal((HttpMethod.Post, "/api/v1/init", "Bearer " + expired, "app-token", """{"refresh_token":"refresh_alice"}"""), Assert.Single(handler.Requests));
        Assert.Equal(fresh, user.Jwt);
    }

    [Fact]
    public async Task RegisterDeviceAsync_120UserKeys_Sends50ThenSessionPagesOf50And20()
    {
        var handler = new RecordingHandler(request => request.RequestUri!.AbsolutePath.EndsWith("/done_register_device", StringComparison.Ordinal)
            ? """{"status":true,"result":{"session_id":"s1","message":"ok"}}"""
            : """{"status":true,"result":"Success"}""");
        using CofferUser user = await UserAsync(handler, Jwt(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 300), userKeyCount: 120);
        (PrivateKey newPrivate, PublicKey newPublic) = PrivateKey.Generate(EncryptionAlgorithm.Default, "device_new");
        newPrivate.Dispose();

        string? session = await user.RegisterDeviceAsync(new DeviceRegistrationStart(new DeviceId("device_new"), "tok", "phone", newPublic), Ct);

        Assert.Equal("s1", session);
        Assert.Equal(["/api/v1/user/done_register_device", "/api/v1/user/user_keys/session/s1", "/api/v1/user/user_keys/session/s1"],
            handler.Requests.Select(r => r.Path));
        var first = JsonShape.Parse(handler.Requests[0].Body).GetProperty("user_keys");
        Assert.Equal(50, first.GetProperty("keys").GetArrayLength());
        Assert.True(first.GetProperty("key_session").GetBoolean());
        Assert.Equal(50, JsonShape.Parse(handler.Requests[1].Body).GetArrayLength());
        Assert.Equal(20, JsonShape.Parse(handler.Requests[2].Body).GetArrayLength());
        string[] ids = [.. handler.Requests.SelectMany(r => r.Path.EndsWith("device", StringComparison.Ordinal)
            ? JsonShape.Parse(r.Body).GetProperty("user_keys").GetProperty("keys").EnumerateArray()
            : JsonShape.Parse(r.Body).EnumerateArray()).Select(k => k.Str("key_id"))];
        Assert.Equal(user.UserKeys.Select(k => k.GroupKeyId), ids); // every key once, newest first
    }

    /// <summary>A JWT as the client sees it; the signature is never checked by the client.</summary>
    private static string Jwt(long exp) =>
        "eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCJ9." +
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($$"""{"aud":"user_alice","sub":"device_alice","iat":0,"exp":{{exp}},"fresh":true}""")) +
        ".c2ln";

    /// <summary>Alice (login.json) with the given JWT, optionally with more user keys (fresh group keys sharing her key pairs).</summary>
    private static async Task<CofferUser> UserAsync(RecordingHandler handler, string jwt, int userKeyCount = 1)
    {
        var client = new CofferClient(new Uri("http://coffer.test"), "app-token", new HttpClient(handler));
        using VerifiedLogin login = OwnBackendLoginTests.LoginFromVectors();
        UserKey alice = login.UserKeys[0];
        var keys = Enumerable.Range(0, userKeyCount).Select(i =>
        {
            using SymmetricKey groupKey = i == 0 ? alice.GroupKey.WithKeyId(alice.GroupKeyId) : SymmetricKey.Generate($"ukey_{i:D3}");
            return new StoredUserKey(groupKey.ExportJson(), alice.PrivateKey.ExportJson(), alice.PublicKey.ExportJson(),
                alice.SignKey.ExportJson(), alice.VerifyKey.ExportJson(), alice.Time + i, null, null);
        }).ToList();
        var stored = new StoredUser(StoredUser.CurrentVersion, login.Identifier, login.UserId.Value, login.DeviceId.Value, login.UserGroupId.Value, jwt,
            login.RefreshToken, StoredDeviceKeys.From(login.DeviceKeys), keys, login.HmacKeys);
        var store = new InMemoryKeyStore();
        await store.SetAsync("user", stored.ToJson(), Ct);
        return (await client.LoadUserAsync(store, cancellationToken: Ct))!;
    }
}
