using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Users;

/// <summary>Light users (api.md §4.19, §4.15 reset_pw_light): device keys, a user group without keys.</summary>
public sealed class LightUserTests(TestDatabases databases)
{
    private static string LightDone(string token, int? rank = null) =>
        new JsonObject { ["user_group"] = new JsonObject { ["rank"] = rank }, ["token"] = token }.ToJsonString();

    /// <summary>register_light with the vector's device (so <see cref="Bodies.DecryptChallenge"/> opens its challenges).</summary>
    private static async Task<string> RegisterLightAsync(TestApp app, string identifier)
    {
        ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/register_light", Bodies.Device(identifier), appToken: app.SecretToken);
        Assert.True(answer.Ok, answer.Text);
        return answer.Result.GetProperty("user_id").GetString()!;
    }

    /// <summary>done_login then verify_login_light: the light SDK's login.</summary>
    private static async Task<ApiAnswer> LoginLightAsync(
        TestApp app, string identifier, string? authKey = null, Func<JsonElement, string>? decrypt = null)
    {
        ApiAnswer done = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin(identifier, authKey));
        if (!done.Ok)
        {
            return done;
        }

        string challenge = (decrypt ?? Bodies.DecryptChallenge)(done.Result.GetProperty("Direct"));
        return await app.SendAsync(HttpMethod.Post, "/verify_login_light", Bodies.VerifyLogin(identifier, challenge, authKey));
    }

    private static async Task<string> LightJwtAsync(TestApp app, string identifier)
    {
        ApiAnswer verified = await LoginLightAsync(app, identifier);
        Assert.True(verified.Ok, verified.Text);
        return verified.Result.GetProperty("jwt").GetString()!;
    }

    /// <summary>Light user "lena" logged in (her JWT) and a pending device "lena-phone" (its registration token).</summary>
    private static async Task<(string Jwt, string Token)> LightUserWithPendingDeviceAsync(TestApp app)
    {
        await RegisterLightAsync(app, "lena");
        string jwt = await LightJwtAsync(app, "lena");
        ApiAnswer prepared = await app.SendAsync(HttpMethod.Post, "/user/prepare_register_device", Bodies.Device("lena-phone"));
        Assert.True(prepared.Ok, prepared.Text);
        return (jwt, prepared.Result.GetProperty("token").GetString()!);
    }

    [Theory, Databases]
    public async Task RegisterLight_ThenLogin_GivesJwtAndRefreshTokenOfTheNewUser(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer registered = await app.SendAsync(HttpMethod.Post, "/register_light", Bodies.Device("lena"), appToken: app.SecretToken);
        Assert.True(registered.Ok, registered.Text);
        Assert.Equal(["user_id", "device_id", "device_identifier"], registered.Result.EnumerateObject().Select(p => p.Name));
        Assert.Equal("lena", registered.Result.GetProperty("device_identifier").GetString());
        string userId = registered.Result.GetProperty("user_id").GetString()!;
        string deviceId = registered.Result.GetProperty("device_id").GetString()!;

        ApiAnswer salt = await app.SendAsync(HttpMethod.Post, "/prepare_login", Bodies.Identifier("lena"));
        Assert.Equal(Bodies.RegisterDerived.GetProperty("salt_b64").GetString(), salt.Result.GetProperty("salt_string").GetString());
        ApiAnswer verified = await LoginLightAsync(app, "lena");
        Assert.True(verified.Ok, verified.Text);
        Assert.Equal(["jwt", "refresh_token"], verified.Result.EnumerateObject().Select(p => p.Name));
        string jwt = verified.Result.GetProperty("jwt").GetString()!;

        ApiAnswer who = await app.SendAsync(HttpMethod.Get, "/user/jwt", jwt: jwt, appToken: app.SecretToken);
        Assert.Equal((userId, deviceId), (who.Result.GetProperty("id").GetString(), who.Result.GetProperty("device_id").GetString()));
        JsonElement device = Assert.Single((await app.SendAsync(HttpMethod.Get, "/user/device/0/none", jwt: jwt)).Result.EnumerateArray().ToList());
        Assert.Equal(deviceId, device.GetProperty("device_id").GetString());
        ApiAnswer refreshed = await app.SendAsync(HttpMethod.Put, "/refresh",
            Bodies.RefreshToken(verified.Result.GetProperty("refresh_token").GetString()!), jwt: jwt);
        Assert.True(refreshed.Ok, refreshed.Text);

        // No user keys: no public key, and the full verify_login has no keys to give.
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Get, $"/user/{userId}/public_key")).ErrCode);
        ApiAnswer full = await app.LoginAnswerAsync("lena");
        Assert.Equal(0, full.Result.GetProperty("user_keys").GetArrayLength());
    }

    [Theory, Databases]
    public async Task RegisterLight_PublicTokenTakenIdentifierOrBadBody_IsRefused(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer withPublic = await app.SendAsync(HttpMethod.Post, "/register_light", Bodies.Device("lena"));
        Assert.Equal((HttpStatusCode.BadRequest, 203), (withPublic.Status, withPublic.ErrCode));

        await app.RegisterAsync("alice");
        await RegisterLightAsync(app, "lena");
        foreach (string taken in new[] { "alice", "lena" })
        {
            ApiAnswer again = await app.SendAsync(HttpMethod.Post, "/register_light", Bodies.Device(taken), appToken: app.SecretToken);
            Assert.Equal((HttpStatusCode.BadRequest, 101), (again.Status, again.ErrCode));
        }

        JsonNode noMasterKey = JsonNode.Parse(Bodies.Device("max"))!;
        noMasterKey.AsObject().Remove("master_key");
        ApiAnswer bad = await app.SendAsync(HttpMethod.Post, "/register_light", noMasterKey.ToJsonString(), appToken: app.SecretToken);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, 11), (bad.Status, bad.ErrCode));
        Assert.True((await app.SendAsync(HttpMethod.Post, "/exists", Bodies.Identifier("max"))).Result.GetProperty("available").GetBoolean());
    }

    [Theory, Databases]
    public async Task RegisterLight_ConcurrentSameIdentifier_ExactlyOneWins(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer[] answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            app.SendAsync(HttpMethod.Post, "/register_light", Bodies.Device("lena"), appToken: app.SecretToken)));
        Assert.Single(answers, a => a.Ok);
        Assert.All(answers.Where(a => !a.Ok), a => Assert.Equal(101, a.ErrCode));
    }

    [Theory, Databases]
    public async Task DoneRegisterDeviceLight_AddsADeviceThatLogsIn(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        (string jwt, string token) = await LightUserWithPendingDeviceAsync(app);

        ApiAnswer done = await app.SendAsync(HttpMethod.Put, "/user/done_register_device_light", LightDone(token, rank: 2), jwt: jwt);
        Assert.Equal("""{"status":true,"result":"Success"}""", done.Text);
        Assert.Equal(2, (await app.SendAsync(HttpMethod.Get, "/user/device/0/none", jwt: jwt)).Result.GetArrayLength());
        string phoneJwt = await LightJwtAsync(app, "lena-phone");
        Assert.Equal(2, (await app.SendAsync(HttpMethod.Get, "/user/device/0/none", jwt: phoneJwt)).Result.GetArrayLength());

        // The token is used up.
        ApiAnswer again = await app.SendAsync(HttpMethod.Put, "/user/done_register_device_light", LightDone(token), jwt: jwt);
        Assert.Equal((HttpStatusCode.BadRequest, 100), (again.Status, again.ErrCode));
    }

    [Theory, Databases]
    public async Task DoneRegisterDeviceLight_BadTokenRankOrFullUser_IsRefused(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        (string jwt, string token) = await LightUserWithPendingDeviceAsync(app);

        Assert.Equal(100, (await app.SendAsync(HttpMethod.Put, "/user/done_register_device_light", LightDone("null"), jwt: jwt)).ErrCode);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Put, "/user/done_register_device_light", LightDone("unknown"), jwt: jwt)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Put, "/user/done_register_device_light", LightDone(token, rank: 5), jwt: jwt)).ErrCode);
        Assert.Equal(301, (await app.SendAsync(HttpMethod.Put, "/user/done_register_device_light", LightDone(token, rank: 0), jwt: jwt)).ErrCode);
        ApiAnswer noJwt = await app.SendAsync(HttpMethod.Put, "/user/done_register_device_light", LightDone(token));
        Assert.Equal((HttpStatusCode.Unauthorized, 31), (noJwt.Status, noJwt.ErrCode));
        ApiAnswer badBody = await app.SendAsync(HttpMethod.Put, "/user/done_register_device_light", """{"token":"x"}""", jwt: jwt);
        Assert.Equal((HttpStatusCode.UnprocessableEntity, 11), (badBody.Status, badBody.ErrCode));

        // A full user's new device would have no copy of the user keys: it must use the full endpoint.
        TestUser alice = await app.RegisterAsync("alice");
        ApiAnswer full = await app.SendAsync(HttpMethod.Put, "/user/done_register_device_light", LightDone(token), jwt: alice.Jwt);
        Assert.Equal((HttpStatusCode.BadRequest, 303), (full.Status, full.ErrCode));
        Assert.Single((await app.SendAsync(HttpMethod.Get, "/user/device/0/none", jwt: alice.Jwt)).Result.EnumerateArray());

        // The refused attempts left the pending device usable.
        Assert.True((await app.SendAsync(HttpMethod.Put, "/user/done_register_device_light", LightDone(token), jwt: jwt)).Ok);
    }

    [Theory, Databases]
    public async Task ResetPasswordLight_NewPasswordLogsIn_OldOneNoLonger(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        await RegisterLightAsync(app, "lena");
        using var reset = new ClientRegistration("lena", "a new password");
        string newDevice = JsonNode.Parse(reset.RegisterBody)!["device"]!.ToJsonString();

        ApiAnswer withPublic = await app.SendAsync(HttpMethod.Put, "/user/reset_pw_light", newDevice);
        Assert.Equal((HttpStatusCode.BadRequest, 203), (withPublic.Status, withPublic.ErrCode));
        ApiAnswer answer = await app.SendAsync(HttpMethod.Put, "/user/reset_pw_light", newDevice, appToken: app.SecretToken);
        Assert.Equal("""{"status":true,"result":"Success"}""", answer.Text);

        ApiAnswer old = await LoginLightAsync(app, "lena");
        Assert.Equal((HttpStatusCode.Unauthorized, 112), (old.Status, old.ErrCode));
        ApiAnswer done = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("lena", reset.AuthKey));
        Assert.True(done.Ok, done.Text);
        JsonElement keys = done.Result.GetProperty("Direct").GetProperty("device_keys");
        JsonElement derived = JsonDocument.Parse(newDevice).RootElement.GetProperty("derived");
        Assert.Equal(derived.GetProperty("encrypted_private_key").GetString(), keys.GetProperty("encrypted_private_key").GetString());
        Assert.Equal(derived.GetProperty("public_key").GetString(), keys.GetProperty("public_key_string").GetString());
        string challenge = reset.DecryptChallenge(done.Result.GetProperty("Direct"));
        Assert.True((await app.SendAsync(HttpMethod.Post, "/verify_login_light", Bodies.VerifyLogin("lena", challenge, reset.AuthKey))).Ok);
    }

    [Theory, Databases]
    public async Task ResetPasswordLight_FullOrUnknownUser_Returns400Code100AndChangesNothing(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        await app.RegisterAsync("alice");
        using var reset = new ClientRegistration("alice", "a new password");
        string newDevice = JsonNode.Parse(reset.RegisterBody)!["device"]!.ToJsonString();

        ApiAnswer full = await app.SendAsync(HttpMethod.Put, "/user/reset_pw_light", newDevice, appToken: app.SecretToken);
        Assert.Equal((HttpStatusCode.BadRequest, 100), (full.Status, full.ErrCode));
        Assert.True((await app.LoginAnswerAsync("alice")).Ok);

        string unknown = JsonNode.Parse(reset.RegisterBody)!["device"]!.ToJsonString().Replace("\"alice\"", "\"nobody\"", StringComparison.Ordinal);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Put, "/user/reset_pw_light", unknown, appToken: app.SecretToken)).ErrCode);
    }
}
