using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Users;

public sealed class DeviceAndPasswordTests(TestDatabases databases)
{
    private static async Task<string> UserKeyIdAsync(TestApp app, TestUser user) =>
        (await app.SendAsync(HttpMethod.Get, $"/user/{user.UserId}/public_key")).Result.GetProperty("public_key_id").GetString()!;

    /// <summary>prepare_register_device + done_register_device; returns the new device id and a JWT for it.</summary>
    private static async Task<(string DeviceId, string Jwt)> AddDeviceAsync(TestApp app, TestUser user, string identifier)
    {
        ApiAnswer prepared = await app.SendAsync(HttpMethod.Post, "/user/prepare_register_device", Bodies.Device(identifier));
        Assert.True(prepared.Ok, prepared.Text);
        string token = prepared.Result.GetProperty("token").GetString()!;
        ApiAnswer done = await app.SendAsync(HttpMethod.Put, "/user/done_register_device",
            Bodies.DoneDevice(token, [await UserKeyIdAsync(app, user)]), jwt: user.Jwt);
        Assert.True(done.Ok, done.Text);
        string deviceId = prepared.Result.GetProperty("device_id").GetString()!;
        (string jwt, _) = await app.LoginAsync(identifier);
        return (deviceId, jwt);
    }

    [Theory, Databases]
    public async Task PrepareRegisterDevice_ReturnsTokenAndPublicKey_AndReservesTheIdentifier(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/user/prepare_register_device", Bodies.Device("alice-phone"));
        Assert.True(answer.Ok, answer.Text);
        JsonElement device = JsonDocument.Parse(Bodies.Device("x")).RootElement;
        Assert.Equal(["device_id", "token", "device_identifier", "public_key_string", "keypair_encrypt_alg"],
            answer.Result.EnumerateObject().Select(p => p.Name));
        Assert.Equal("alice-phone", answer.Result.GetProperty("device_identifier").GetString());
        Assert.Equal(device.GetProperty("derived").GetProperty("public_key").GetString(), answer.Result.GetProperty("public_key_string").GetString());
        Assert.False((await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("alice-phone"))).Result.GetProperty("available").GetBoolean());
        ApiAnswer again = await app.SendAsync(HttpMethod.Post, "/user/prepare_register_device", Bodies.Device("alice-phone"));
        Assert.Equal((HttpStatusCode.BadRequest, 101), (again.Status, again.ErrCode));
        // A pending device cannot log in: prepare_login answers with the fake salt.
        ApiAnswer salt = await app.SendAsync(HttpMethod.Post, "/prepare_login", Bodies.Identifier("alice-phone"));
        Assert.NotEqual(Bodies.RegisterDerived.GetProperty("salt_b64").GetString(), salt.Result.GetProperty("salt_string").GetString());
    }

    [Theory, Databases]
    public async Task DoneRegisterDevice_AddsTheDeviceWithItsUserKeys(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        (string phone, string phoneJwt) = await AddDeviceAsync(app, alice, "alice-phone");

        ApiAnswer devices = await app.SendAsync(HttpMethod.Get, "/user/device/0/none", jwt: alice.Jwt);
        Assert.Equal(2, devices.Result.GetArrayLength());
        JsonElement key = Assert.Single((await app.SendAsync(HttpMethod.Get, "/user/user_keys/keys/0/none", jwt: phoneJwt)).Result.EnumerateArray().ToList());
        Assert.Equal("enc-for-new-device-" + key.GetProperty("group_key_id").GetString(), key.GetProperty("encrypted_group_key").GetString());
        Assert.Equal("the-new-device", key.GetProperty("user_public_key_id").GetString());
        ApiAnswer salt = await app.SendAsync(HttpMethod.Post, "/prepare_login", Bodies.Identifier("alice-phone"));
        Assert.Equal(Bodies.RegisterDerived.GetProperty("salt_b64").GetString(), salt.Result.GetProperty("salt_string").GetString());
        Assert.NotEqual(alice.DeviceId, phone);
    }

    [Theory, Databases]
    public async Task DoneRegisterDevice_UnknownOrUsedToken_Returns400Code100(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string key = await UserKeyIdAsync(app, alice);
        foreach (string token in new[] { "null", "NULL", "unknown" })
        {
            ApiAnswer answer = await app.SendAsync(HttpMethod.Put, "/user/done_register_device", Bodies.DoneDevice(token, [key]), jwt: alice.Jwt);
            Assert.Equal((HttpStatusCode.BadRequest, 100), (answer.Status, answer.ErrCode));
        }

        string used = (await app.SendAsync(HttpMethod.Post, "/user/prepare_register_device", Bodies.Device("p"))).Result.GetProperty("token").GetString()!;
        Assert.True((await app.SendAsync(HttpMethod.Put, "/user/done_register_device", Bodies.DoneDevice(used, [key]), jwt: alice.Jwt)).Ok);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Put, "/user/done_register_device", Bodies.DoneDevice(used, [key]), jwt: alice.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task DoneRegisterDevice_BadKeyLists_AreRejectedBeforeAnyChange(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        string token = (await app.SendAsync(HttpMethod.Post, "/user/prepare_register_device", Bodies.Device("p"))).Result.GetProperty("token").GetString()!;
        string key = await UserKeyIdAsync(app, alice);
        (string Body, int Code)[] cases =
        [
            (Bodies.DoneDevice(token, []), 303),
            (Bodies.DoneDevice(token, Enumerable.Repeat(key, 101)), 305),
            (Bodies.DoneDevice(token, [key], rank: 0), 301),
            (Bodies.DoneDevice(token, [key], rank: 5), 301),
            (Bodies.DoneDevice(token, [await UserKeyIdAsync(app, bob)]), 304),
        ];
        foreach ((string body, int code) in cases)
        {
            ApiAnswer answer = await app.SendAsync(HttpMethod.Put, "/user/done_register_device", body, jwt: alice.Jwt);
            Assert.Equal((HttpStatusCode.BadRequest, code), (answer.Status, answer.ErrCode));
        }

        Assert.True((await app.SendAsync(HttpMethod.Put, "/user/done_register_device", Bodies.DoneDevice(token, [key]), jwt: alice.Jwt)).Ok);
    }

    [Theory, Databases]
    public async Task KeySession_OpenedOnRequest_TakesMoreKeys_DuplicatesIgnored(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string key = await UserKeyIdAsync(app, alice);
        ApiAnswer prepared = await app.SendAsync(HttpMethod.Post, "/user/prepare_register_device", Bodies.Device("p"));
        string token = prepared.Result.GetProperty("token").GetString()!;
        ApiAnswer done = await app.SendAsync(HttpMethod.Put, "/user/done_register_device", Bodies.DoneDevice(token, [key], keySession: true), jwt: alice.Jwt);
        string session = done.Result.GetProperty("session_id").GetString()!;
        Assert.True(NewId.IsUuid(session));

        string page = Bodies.Keys([key]).ToJsonString();
        Assert.True((await app.SendAsync(HttpMethod.Put, "/user/user_keys/session/" + session, page, jwt: alice.Jwt)).Ok);
        Assert.Equal(306, (await app.SendAsync(HttpMethod.Put, "/user/user_keys/session/" + NewId.Uuid(), page, jwt: alice.Jwt)).ErrCode);
        Assert.Equal(303, (await app.SendAsync(HttpMethod.Put, "/user/user_keys/session/" + session, "[]", jwt: alice.Jwt)).ErrCode);

        TestUser bob = await app.RegisterAsync("bob");
        Assert.Equal(306, (await app.SendAsync(HttpMethod.Put, "/user/user_keys/session/" + session, page, jwt: bob.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task DoneRegisterDevice_WithoutSession_HasNoSessionId(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string token = (await app.SendAsync(HttpMethod.Post, "/user/prepare_register_device", Bodies.Device("p"))).Result.GetProperty("token").GetString()!;
        ApiAnswer done = await app.SendAsync(HttpMethod.Put, "/user/done_register_device", Bodies.DoneDevice(token, [await UserKeyIdAsync(app, alice)]), jwt: alice.Jwt);
        Assert.Equal(["message"], done.Result.EnumerateObject().Select(p => p.Name));
    }

    [Theory, Databases]
    public async Task DeleteDevice_SecondDevice_RemovesItAndItsKeysAndItsJwtStopsWorking(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        (string phone, string phoneJwt) = await AddDeviceAsync(app, alice, "alice-phone");
        ApiAnswer answer = await app.SendAsync(HttpMethod.Delete, "/user/device/" + phone, jwt: alice.Jwt);
        Assert.Equal("""{"status":true,"result":"Success"}""", answer.Text);
        Assert.Single((await app.SendAsync(HttpMethod.Get, "/user/device/0/none", jwt: alice.Jwt)).Result.EnumerateArray());
        ApiAnswer withPhone = await app.SendAsync(HttpMethod.Get, "/user/device/0/none", jwt: phoneJwt);
        Assert.Equal((HttpStatusCode.Unauthorized, 31), (withPhone.Status, withPhone.ErrCode));
        Assert.True((await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("alice-phone"))).Result.GetProperty("available").GetBoolean());
        Assert.Equal(115, (await app.SendAsync(HttpMethod.Delete, "/user/device/" + alice.DeviceId, jwt: alice.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task DeleteDevice_TheCallingDevice_IsAllowedWhileAnotherRemains(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        (_, string phoneJwt) = await AddDeviceAsync(app, alice, "alice-phone");
        Assert.True((await app.SendAsync(HttpMethod.Delete, "/user/device/" + alice.DeviceId, jwt: alice.Jwt)).Ok);
        Assert.Single((await app.SendAsync(HttpMethod.Get, "/user/device/0/none", jwt: phoneJwt)).Result.EnumerateArray());
    }

    [Theory, Databases]
    public async Task ChangePassword_WithTheOldAuthKey_ReplacesTheSalt(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string body = ChangePassword(Bodies.RegisterDerived.GetProperty("auth_key_b64").GetString()!);
        ApiAnswer answer = await app.SendAsync(HttpMethod.Put, "/user/update_pw", body, jwt: alice.Jwt);
        Assert.Equal("""{"status":true,"result":"Success"}""", answer.Text);
        ApiAnswer salt = await app.SendAsync(HttpMethod.Post, "/prepare_login", Bodies.Identifier("alice"));
        Assert.Equal(Convert.ToBase64String(Coffer.Server.Features.Users.UserRules.Salt(new byte[16], "")),
            salt.Result.GetProperty("salt_string").GetString());
        Assert.Equal(112, (await app.SendAsync(HttpMethod.Put, "/user/update_pw", body, jwt: alice.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task ChangePassword_WrongOrMalformedAuthKey_Returns401(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer wrong = await app.SendAsync(HttpMethod.Put, "/user/update_pw", ChangePassword(Convert.ToBase64String(new byte[32])), jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.Unauthorized, 112), (wrong.Status, wrong.ErrCode));
        ApiAnswer malformed = await app.SendAsync(HttpMethod.Put, "/user/update_pw", ChangePassword("short"), jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.Unauthorized, 111), (malformed.Status, malformed.ErrCode));
        TestUser stale = await app.RegisterAsync("bob", fresh: false);
        Assert.Equal(113, (await app.SendAsync(HttpMethod.Put, "/user/update_pw", ChangePassword("x"), jwt: stale.Jwt)).ErrCode);
    }

    [Theory, Databases]
    public async Task ResetPassword_ReplacesThePasswordData(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice", fresh: false);
        var body = new JsonObject
        {
            ["client_random_value"] = Convert.ToBase64String(new byte[16]),
            ["hashed_authentication_key"] = Convert.ToBase64String(new byte[16]),
            ["master_key"] = new JsonObject { ["master_key_alg"] = "AES-GCM-256", ["encrypted_master_key"] = "m", ["encrypted_master_key_alg"] = "AES-GCM-256" },
            ["derived_alg"] = "ARGON-2-SHA256",
            ["encrypted_private_key"] = "p",
            ["encrypted_sign_key"] = "s",
        };
        Assert.True((await app.SendAsync(HttpMethod.Put, "/user/reset_pw", body.ToJsonString(), jwt: alice.Jwt)).Ok);
        ApiAnswer salt = await app.SendAsync(HttpMethod.Post, "/prepare_login", Bodies.Identifier("alice"));
        Assert.Equal(Convert.ToBase64String(Coffer.Server.Features.Users.UserRules.Salt(new byte[16], "")),
            salt.Result.GetProperty("salt_string").GetString());
    }

    private static string ChangePassword(string oldAuthKey) => new JsonObject
    {
        ["new_derived_alg"] = "ARGON-2-SHA256",
        ["new_client_random_value"] = Convert.ToBase64String(new byte[16]),
        ["new_hashed_authentication_key"] = Convert.ToBase64String(new byte[16]),
        ["new_encrypted_master_key"] = "new-master-key",
        ["new_encrypted_master_key_alg"] = "AES-GCM-256",
        ["old_auth_key"] = oldAuthKey,
    }.ToJsonString();
}

public sealed class PendingDeviceExpiryTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task PendingDevice_After24Hours_FreesTheIdentifierAndItsTokenStopsWorking(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        string key = (await app.SendAsync(HttpMethod.Get, $"/user/{alice.UserId}/public_key")).Result.GetProperty("public_key_id").GetString()!;
        string token = (await app.SendAsync(HttpMethod.Post, "/user/prepare_register_device", Bodies.Device("p"))).Result.GetProperty("token").GetString()!;
        app.Clock.Advance(TimeSpan.FromHours(25));
        (string jwt, _) = await app.LoginAsync(alice.Identifier);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Put, "/user/done_register_device", Bodies.DoneDevice(token, [key]), jwt: jwt)).ErrCode);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("p"))).Result.GetProperty("available").GetBoolean());
        Assert.True((await app.SendAsync(HttpMethod.Post, "/register", Bodies.Register("p"), appToken: app.SecretToken)).Ok);
    }
}
