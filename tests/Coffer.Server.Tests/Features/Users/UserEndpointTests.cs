using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Users;

public sealed class UserEndpointTests(TestDatabases databases)
{
    private static JsonElement OfficialGroup => JsonDocument.Parse(Bodies.OfficialRegisterBody).RootElement.GetProperty("group");

    private static JsonElement OfficialDevice => JsonDocument.Parse(Bodies.OfficialRegisterBody).RootElement.GetProperty("device");

    [Theory, Databases]
    public async Task Exists_TellsWhetherTheIdentifierIsTaken(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer before = await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("alice"));
        Assert.Equal("""{"status":true,"result":{"user_identifier":"alice","available":true}}""", before.Text);
        await app.RegisterAsync("alice");
        ApiAnswer after = await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("alice"));
        Assert.Equal("""{"status":true,"result":{"user_identifier":"alice","available":false}}""", after.Text);
    }

    [Theory, Databases]
    public async Task Register_OfficialBody_ReturnsIdsAndPlainIdentifier(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/register", Bodies.OfficialRegisterBody, appToken: app.SecretToken);
        Assert.True(answer.Ok, answer.Text);
        Assert.True(NewId.IsUuid(answer.Result.GetProperty("user_id").GetString()!));
        Assert.True(NewId.IsUuid(answer.Result.GetProperty("device_id").GetString()!));
        Assert.Equal("alice", answer.Result.GetProperty("device_identifier").GetString());
    }

    [Theory, Databases]
    public async Task Register_TakenIdentifier_Returns400Code101(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        await app.RegisterAsync("alice");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/register", Bodies.Register("alice"), appToken: app.SecretToken);
        Assert.Equal((HttpStatusCode.BadRequest, 101), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task Register_ConcurrentSameIdentifier_ExactlyOneWins(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer[] answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            app.SendAsync(HttpMethod.Post, "/register", Bodies.Register("carol"), appToken: app.SecretToken)));
        Assert.Single(answers, a => a.Ok);
        Assert.All(answers.Where(a => !a.Ok), a => Assert.Equal(101, a.ErrCode));
    }

    [Theory, Databases]
    public async Task Register_UserGroupWithoutSignKeys_Returns400Code117(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        foreach (string field in new[] { "encrypted_sign_key", "verify_key", "keypair_sign_alg", "public_key_sig" })
        {
            ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/register", Bodies.RegisterWithout("alice", field), appToken: app.SecretToken);
            Assert.Equal((HttpStatusCode.BadRequest, 117), (answer.Status, answer.ErrCode));
        }

        Assert.True((await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("alice"))).Result.GetProperty("available").GetBoolean());
    }

    [Theory, Databases]
    public async Task Register_MissingRequiredField_Returns422Code11(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/register", Bodies.RegisterWithout("alice", "public_group_key"), appToken: app.SecretToken);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, 11), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task PrepareLogin_KnownUser_ReturnsTheClientsSalt(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        await app.SendAsync(HttpMethod.Post, "/register", Bodies.OfficialRegisterBody, appToken: app.SecretToken);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/prepare_login", Bodies.Identifier("alice"));
        Assert.True(answer.Ok, answer.Text);
        Assert.Equal(Bodies.RegisterDerived.GetProperty("salt_b64").GetString(), answer.Result.GetProperty("salt_string").GetString());
        Assert.Equal("ARGON-2-SHA256", answer.Result.GetProperty("derived_encryption_key_alg").GetString());
    }

    [Theory, Databases]
    public async Task PrepareLogin_UnknownUser_ReturnsStableFakeSalt(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer first = await app.SendAsync(HttpMethod.Post, "/prepare_login", Bodies.Identifier("alice@example.com"));
        ApiAnswer second = await app.SendAsync(HttpMethod.Post, "/prepare_login", Bodies.Identifier("alice@example.com"));
        Assert.Equal(
            """{"status":true,"result":{"salt_string":"KlZ7kRlBxeU3mZWMRjmoLRgZ/lY5ih+pEqTSKhMwuRY=","derived_encryption_key_alg":"ARGON-2-SHA256"}}""",
            first.Text);
        Assert.Equal(first.Text, second.Text);
    }

    [Theory, Databases]
    public async Task DeviceList_ShowsTheDeviceWithHashedIdentifier(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, "/user/device/0/none", jwt: alice.Jwt);
        JsonElement device = Assert.Single(answer.Result.EnumerateArray().ToList());
        Assert.Equal(alice.DeviceId, device.GetProperty("device_id").GetString());
        Assert.Equal(Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("alice"))), device.GetProperty("device_identifier").GetString());
        long time = device.GetProperty("time").GetInt64();
        ApiAnswer next = await app.SendAsync(HttpMethod.Get, $"/user/device/{time}/{alice.DeviceId}", jwt: alice.Jwt);
        Assert.Empty(next.Result.EnumerateArray());
    }

    [Theory, Databases]
    public async Task Paging_TimeNotAnUnsignedInteger_Returns400Code13(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        foreach (string path in new[] { "/user/device/-1/none", "/user/device/abc/none", "/user/user_keys/keys/1.5/none" })
        {
            ApiAnswer answer = await app.SendAsync(HttpMethod.Get, path, jwt: alice.Jwt);
            Assert.Equal((HttpStatusCode.BadRequest, 13), (answer.Status, answer.ErrCode));
        }
    }

    [Theory, Databases]
    public async Task DeleteDevice_LastDevice_Returns400Code115(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Delete, "/user/device/" + alice.DeviceId, jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.BadRequest, 115), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task DeleteDevice_OfAnotherUser_Returns400Code100(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Delete, "/user/device/" + bob.DeviceId, jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.BadRequest, 100), (answer.Status, answer.ErrCode));
        Assert.Single((await app.SendAsync(HttpMethod.Get, "/user/device/0/none", jwt: bob.Jwt)).Result.EnumerateArray());
    }

    [Theory, Databases]
    public async Task UserKeys_ReturnTheRegisteredUserKeyByteExact(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer list = await app.SendAsync(HttpMethod.Get, "/user/user_keys/keys/0/none", jwt: alice.Jwt);
        JsonElement key = Assert.Single(list.Result.EnumerateArray().ToList());
        string keyId = key.GetProperty("group_key_id").GetString()!;
        JsonElement group = OfficialGroup;
        Assert.Equal(group.GetProperty("encrypted_group_key").GetString(), key.GetProperty("encrypted_group_key").GetString());
        Assert.Equal(group.GetProperty("encrypted_private_group_key").GetString(), key.GetProperty("encrypted_private_group_key").GetString());
        Assert.Equal(group.GetProperty("public_group_key").GetString(), key.GetProperty("public_group_key").GetString());
        Assert.Equal(group.GetProperty("encrypted_sign_key").GetString(), key.GetProperty("encrypted_sign_key").GetString());
        Assert.Equal(group.GetProperty("verify_key").GetString(), key.GetProperty("verify_key").GetString());
        Assert.Equal(group.GetProperty("public_key_sig").GetString(), key.GetProperty("public_key_sig").GetString());
        Assert.Equal(alice.DeviceId, key.GetProperty("user_public_key_id").GetString());
        Assert.Equal(keyId, key.GetProperty("key_pair_id").GetString());
        Assert.Equal(keyId, key.GetProperty("keypair_sign_id").GetString());
        Assert.Equal(keyId, key.GetProperty("public_key_sig_key_id").GetString());
        Assert.False(key.TryGetProperty("signed_by_user_id", out _));
        Assert.False(key.TryGetProperty("group_key_sig", out _));

        ApiAnswer single = await app.SendAsync(HttpMethod.Get, "/user/user_keys/key/" + keyId, jwt: alice.Jwt);
        Assert.Equal(key.GetRawText(), single.Result.GetRawText());
        long time = key.GetProperty("time").GetInt64();
        Assert.Empty((await app.SendAsync(HttpMethod.Get, $"/user/user_keys/keys/{time}/{keyId}", jwt: alice.Jwt)).Result.EnumerateArray());
    }

    [Theory, Databases]
    public async Task UserKey_UnknownOrOtherUsersKey_Returns400Code304(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        string bobKey = (await app.SendAsync(HttpMethod.Get, $"/user/{bob.UserId}/public_key")).Result.GetProperty("public_key_id").GetString()!;
        foreach (string key in new[] { NewId.Uuid(), bobKey })
        {
            ApiAnswer answer = await app.SendAsync(HttpMethod.Get, "/user/user_keys/key/" + key, jwt: alice.Jwt);
            Assert.Equal((HttpStatusCode.BadRequest, 304), (answer.Status, answer.ErrCode));
        }
    }

    [Theory, Databases]
    public async Task PublicAndVerifyKey_OfAUser_AreTheUserGroupKeys(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer newest = await app.SendAsync(HttpMethod.Get, $"/user/{alice.UserId}/public_key");
        JsonElement group = OfficialGroup;
        string keyId = newest.Result.GetProperty("public_key_id").GetString()!;
        Assert.Equal(["public_key_id", "public_key", "public_key_alg", "public_key_sig", "public_key_sig_key_id"],
            newest.Result.EnumerateObject().Select(p => p.Name));
        Assert.Equal(group.GetProperty("public_group_key").GetString(), newest.Result.GetProperty("public_key").GetString());
        Assert.Equal(group.GetProperty("keypair_encrypt_alg").GetString(), newest.Result.GetProperty("public_key_alg").GetString());
        Assert.Equal(group.GetProperty("public_key_sig").GetString(), newest.Result.GetProperty("public_key_sig").GetString());
        Assert.Equal(keyId, newest.Result.GetProperty("public_key_sig_key_id").GetString());

        ApiAnswer byId = await app.SendAsync(HttpMethod.Get, $"/user/{alice.UserId}/public_key/{keyId}");
        Assert.Equal(newest.Text, byId.Text);
        ApiAnswer verify = await app.SendAsync(HttpMethod.Get, $"/user/{alice.UserId}/verify_key/{keyId}");
        Assert.Equal(keyId, verify.Result.GetProperty("verify_key_id").GetString());
        Assert.Equal(group.GetProperty("verify_key").GetString(), verify.Result.GetProperty("verify_key").GetString());
        Assert.Equal(group.GetProperty("keypair_sign_alg").GetString(), verify.Result.GetProperty("verify_key_alg").GetString());
    }

    [Theory, Databases]
    public async Task PublicKey_UnknownUserOrKey_Returns400Code100(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string[] paths = [$"/user/{NewId.Uuid()}/public_key", $"/user/{alice.UserId}/public_key/{NewId.Uuid()}", $"/user/{alice.UserId}/verify_key/nope"];
        foreach (string path in paths)
        {
            ApiAnswer answer = await app.SendAsync(HttpMethod.Get, path);
            Assert.Equal((HttpStatusCode.BadRequest, 100), (answer.Status, answer.ErrCode));
        }
    }

    [Theory, Databases]
    public async Task GroupPublicKey_UserGroupOrUnknown_Returns400Code304(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        await app.RegisterAsync("alice");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, $"/group/{NewId.Uuid()}/public_key");
        Assert.Equal((HttpStatusCode.BadRequest, 304), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task UpdateIdentifier_ChangesTheLoginName(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Put, "/user", Bodies.Identifier("alice2"), jwt: alice.Jwt);
        Assert.Equal("""{"status":true,"result":"Success"}""", answer.Text);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("alice"))).Result.GetProperty("available").GetBoolean());
        Assert.False((await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("alice2"))).Result.GetProperty("available").GetBoolean());
    }

    [Theory, Databases]
    public async Task UpdateIdentifier_ToATakenOne_Returns400Code101(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        await app.RegisterAsync("bob");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Put, "/user", Bodies.Identifier("bob"), jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.BadRequest, 101), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task DeleteUser_WithSecretTokenAndFreshJwt_RemovesEverything(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Delete, "/user", appToken: app.SecretToken, jwt: alice.Jwt);
        Assert.Equal("""{"status":true,"result":"Success"}""", answer.Text);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("alice"))).Result.GetProperty("available").GetBoolean());
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Get, $"/user/{alice.UserId}/public_key")).ErrCode);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/register", Bodies.Register("alice"), appToken: app.SecretToken)).Ok);
    }

    [Theory, Databases]
    public async Task DeleteUser_PublicToken_Returns400Code203(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Delete, "/user", jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.BadRequest, 203), (answer.Status, answer.ErrCode));
    }

    [Theory, Databases]
    public async Task Refresh_ValidToken_ReturnsNonFreshJwt(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Put, "/refresh", Bodies.RefreshToken(alice.RefreshToken), jwt: alice.Jwt);
        Assert.True(answer.Ok, answer.Text);
        Assert.Equal(alice.UserId, answer.Result.GetProperty("user_id").GetString());
        Assert.Equal(alice.DeviceId, answer.Result.GetProperty("device_id").GetString());
        string jwt = answer.Result.GetProperty("jwt").GetString()!;
        using JsonDocument claims = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[1]));
        Assert.False(claims.RootElement.GetProperty("fresh").GetBoolean());
        Assert.Equal(113, (await app.SendAsync(HttpMethod.Delete, "/user/device/" + alice.DeviceId, jwt: jwt)).ErrCode);
        Assert.True((await app.SendAsync(HttpMethod.Get, "/user/device/0/none", jwt: jwt)).Ok);
    }

    [Theory, Databases]
    public async Task Refresh_UnknownOrOtherDevicesToken_Returns400Code114(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        foreach (string token in new[] { "nope", bob.RefreshToken })
        {
            ApiAnswer answer = await app.SendAsync(HttpMethod.Put, "/refresh", Bodies.RefreshToken(token), jwt: alice.Jwt);
            Assert.Equal((HttpStatusCode.BadRequest, 114), (answer.Status, answer.ErrCode));
        }
    }

    [Theory, Databases]
    public async Task Init_ReturnsJwtAndEmptyInvites(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/init", Bodies.RefreshToken(alice.RefreshToken), jwt: alice.Jwt);
        Assert.True(answer.Ok, answer.Text);
        Assert.Equal(["jwt", "invites"], answer.Result.EnumerateObject().Select(p => p.Name));
        Assert.Empty(answer.Result.GetProperty("invites").EnumerateArray());
    }

    [Theory, Databases]
    public async Task Register_StoresDeviceKeysByteExact(DatabaseKind db)
    {
        // The device's own data comes back only through done_login (not served yet); check it in the database.
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        var database = (Coffer.Server.Data.Database)app.Services.GetService(typeof(Coffer.Server.Data.Database))!;
        await using System.Data.Common.DbConnection connection = await database.OpenAsync(CancellationToken.None);
        await using System.Data.Common.DbCommand command = connection.CreateCommand();
        command.CommandText = $"SELECT public_key, encrypted_private_key, verify_key, encrypted_sign_key, encrypted_master_key, hashed_auth_key FROM device WHERE id = '{alice.DeviceId}'";
        await using System.Data.Common.DbDataReader reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        JsonElement device = OfficialDevice;
        Assert.Equal(device.GetProperty("derived").GetProperty("public_key").GetString(), reader.GetString(0));
        Assert.Equal(device.GetProperty("derived").GetProperty("encrypted_private_key").GetString(), reader.GetString(1));
        Assert.Equal(device.GetProperty("derived").GetProperty("verify_key").GetString(), reader.GetString(2));
        Assert.Equal(device.GetProperty("derived").GetProperty("encrypted_sign_key").GetString(), reader.GetString(3));
        Assert.Equal(device.GetProperty("master_key").GetProperty("encrypted_master_key").GetString(), reader.GetString(4));
        Assert.Equal(device.GetProperty("derived").GetProperty("hashed_authentication_key").GetString(), reader.GetString(5));
    }
}
