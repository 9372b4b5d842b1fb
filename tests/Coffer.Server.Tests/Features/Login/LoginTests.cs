using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using Coffer.Server.Features.Login;
using Coffer.Server.Features.Mfa;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Login;

public sealed class LoginTests(TestDatabases databases)
{
    private static readonly HttpMethod Patch = new("PATCH");

    private const string WrongAuthKey = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    [Theory, Databases]
    public async Task Login_WithTheVectorKeys_ChallengeDecryptsAndVerifyReturnsKeysAndFreshJwt(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        ApiAnswer registered = await app.SendAsync(HttpMethod.Post, "/register", Bodies.Register("alice"), appToken: app.SecretToken);
        string userId = registered.Result.GetProperty("user_id").GetString()!;
        string deviceId = registered.Result.GetProperty("device_id").GetString()!;

        ApiAnswer done = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("alice"));
        Assert.True(done.Ok, done.Text);
        JsonElement direct = done.Result.GetProperty("Direct");
        JsonElement keys = direct.GetProperty("device_keys");
        Assert.Equal(deviceId, keys.GetProperty("device_id").GetString());
        Assert.Equal(userId, keys.GetProperty("user_id").GetString());
        Assert.Equal(deviceId, keys.GetProperty("keypair_encrypt_id").GetString());
        Assert.Equal(deviceId, keys.GetProperty("keypair_sign_id").GetString());
        string challenge = Bodies.DecryptChallenge(direct);
        Assert.Equal(67, challenge.Length);
        Assert.Equal(50, Base64Url.DecodeFromChars(challenge).Length);

        ApiAnswer verified = await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin("alice", challenge));
        Assert.True(verified.Ok, verified.Text);
        Assert.Equal(["user_keys", "hmac_keys", "jwt", "refresh_token"], verified.Result.EnumerateObject().Select(p => p.Name));
        Assert.Single(verified.Result.GetProperty("user_keys").EnumerateArray());
        JsonElement hmac = Assert.Single(verified.Result.GetProperty("hmac_keys").EnumerateArray());
        Assert.Equal(
            verified.Result.GetProperty("user_keys")[0].GetProperty("group_key_id").GetString(),
            hmac.GetProperty("encrypted_hmac_encryption_key_id").GetString());
        string jwt = verified.Result.GetProperty("jwt").GetString()!;
        using JsonDocument claims = JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1]));
        Assert.True(claims.RootElement.GetProperty("fresh").GetBoolean());
        Assert.Equal(userId, claims.RootElement.GetProperty("aud").GetString());

        string refresh = verified.Result.GetProperty("refresh_token").GetString()!;
        Assert.True((await app.SendAsync(HttpMethod.Put, "/refresh", Bodies.RefreshToken(refresh), jwt: jwt)).Ok);
        // A fresh JWT allows what needs one (DELETE /user needs the secret token by default).
        Assert.True((await app.SendAsync(HttpMethod.Delete, "/user", jwt: jwt, appToken: app.SecretToken)).Ok);
    }

    [Theory, Databases]
    public async Task DoneLogin_WrongPasswordOrUnknownUser_SameError112(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        await app.RegisterAsync("alice");
        ApiAnswer wrong = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("alice", WrongAuthKey));
        ApiAnswer unknown = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("nobody"));
        Assert.Equal((HttpStatusCode.Unauthorized, 112), (wrong.Status, wrong.ErrCode));
        Assert.Equal((HttpStatusCode.Unauthorized, 112), (unknown.Status, unknown.ErrCode));
        Assert.Equal(wrong.Text, unknown.Text);

        ApiAnswer malformed = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("alice", "bm90IDMyIGJ5dGVz"));
        Assert.Equal((HttpStatusCode.Unauthorized, 111), (malformed.Status, malformed.ErrCode));
        ApiAnswer verifyUnknown = await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin("nobody", "x"));
        Assert.Equal(112, verifyUnknown.ErrCode);
    }

    [Theory, Databases]
    public async Task VerifyLogin_WrongReusedSupersededOrExpiredChallenge_Error112(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        await app.RegisterAsync("alice");

        Assert.Equal(112, (await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin("alice", "not-the-challenge"))).ErrCode);

        string first = await ChallengeAsync(app, "alice");
        string second = await ChallengeAsync(app, "alice");
        Assert.Equal(112, (await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin("alice", first, WrongAuthKey))).ErrCode);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin("alice", first))).Ok);
        ApiAnswer reused = await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin("alice", first));
        Assert.Equal((HttpStatusCode.Unauthorized, 112), (reused.Status, reused.ErrCode));
        // One successful verify deletes all challenges of the device.
        Assert.Equal(112, (await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin("alice", second))).ErrCode);

        string old = await ChallengeAsync(app, "alice");
        app.Clock.Advance(LoginRules.ChallengeLifetime + TimeSpan.FromSeconds(1));
        Assert.Equal(112, (await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin("alice", old))).ErrCode);
        string young = await ChallengeAsync(app, "alice");
        app.Clock.Advance(LoginRules.ChallengeLifetime - TimeSpan.FromSeconds(5));
        Assert.True((await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin("alice", young))).Ok);

        string forLight = await ChallengeAsync(app, "alice");
        ApiAnswer light = await app.SendAsync(HttpMethod.Post, "/verify_login_light", Bodies.VerifyLogin("alice", forLight));
        Assert.Equal(["jwt", "refresh_token"], light.Result.EnumerateObject().Select(p => p.Name));
        Assert.Equal(112, (await app.SendAsync(HttpMethod.Post, "/verify_login_light", Bodies.VerifyLogin("alice", forLight))).ErrCode);
    }

    [Theory, Databases]
    public async Task MfaLogin_WithTotpAndRecoveryCode_WrongCode402AndReusedCodeRefused(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        Assert.Equal(901, (await app.SendAsync(HttpMethod.Post, "/validate_mfa", Bodies.Otp("alice", "123456"))).ErrCode);

        JsonElement otp = (await app.SendAsync(Patch, "/user/register_otp", jwt: alice.Jwt)).Result;
        string secret = otp.GetProperty("secret").GetString()!;
        string code = otp.GetProperty("recover")[0].GetString()!;

        ApiAnswer done = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("alice"));
        Assert.Equal("\"Otp\"", done.Result.GetRawText());

        string totp = MfaRules.Totp(MfaRules.FromBase32(secret)!, app.Clock.GetUtcNow().ToUnixTimeSeconds() / MfaRules.TotpStepSeconds);
        string wrongTotp = ((int.Parse(totp, System.Globalization.CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        ApiAnswer wrong = await app.SendAsync(HttpMethod.Post, "/validate_mfa", Bodies.Otp("alice", wrongTotp));
        Assert.Equal(((HttpStatusCode)402, 902), (wrong.Status, wrong.ErrCode));

        ApiAnswer mfa = await app.SendAsync(HttpMethod.Post, "/validate_mfa", Bodies.Otp("alice", totp));
        Assert.True(mfa.Ok, mfa.Text);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin("alice", Bodies.DecryptChallenge(mfa.Result)))).Ok);

        ApiAnswer recovered = await app.SendAsync(HttpMethod.Post, "/validate_recovery_otp", Bodies.Otp("alice", code));
        Assert.True(recovered.Ok, recovered.Text);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin("alice", Bodies.DecryptChallenge(recovered.Result)))).Ok);
        Assert.Equal(901, (await app.SendAsync(HttpMethod.Post, "/validate_recovery_otp", Bodies.Otp("alice", code))).ErrCode);
        Assert.Equal(5, (await app.SendAsync(HttpMethod.Get, "/user/otp_recovery_keys", jwt: alice.Jwt)).Result.GetProperty("keys").GetArrayLength());
    }

    [Theory, Databases]
    public async Task ForcedEndpoints_NeedTheSecretToken_AndActOnTheUser(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        foreach ((HttpMethod method, string path) in new[]
        {
            (HttpMethod.Post, "/user/forced/login"), (HttpMethod.Put, "/user/forced/delete"), (HttpMethod.Put, "/user/forced/disable_otp"),
            (HttpMethod.Delete, "/user/forced/sessions"), (HttpMethod.Delete, $"/user/forced/delete/{alice.UserId}"),
        })
        {
            Assert.Equal(203, (await app.SendAsync(method, path, Bodies.Identifier("alice"))).ErrCode);
        }

        ApiAnswer login = await app.SendAsync(HttpMethod.Post, "/user/forced/login", Bodies.Identifier("alice"), appToken: app.SecretToken);
        Assert.True(login.Ok, login.Text);
        Assert.Equal(alice.DeviceId, login.Result.GetProperty("device_keys").GetProperty("device_id").GetString());
        string jwt = login.Result.GetProperty("verify").GetProperty("jwt").GetString()!;
        string refresh = login.Result.GetProperty("verify").GetProperty("refresh_token").GetString()!;
        Assert.Single(login.Result.GetProperty("verify").GetProperty("user_keys").EnumerateArray());
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Post, "/user/forced/login", Bodies.Identifier("nobody"), appToken: app.SecretToken)).ErrCode);

        ApiAnswer light = await app.SendAsync(HttpMethod.Post, "/user/forced/login_light", Bodies.Identifier("alice"), appToken: app.SecretToken);
        Assert.Equal(["jwt", "refresh_token"], light.Result.GetProperty("verify").EnumerateObject().Select(p => p.Name));
        Assert.Equal(203, (await app.SendAsync(HttpMethod.Get, "/user/jwt", jwt: jwt)).ErrCode);
        ApiAnswer who = await app.SendAsync(HttpMethod.Get, "/user/jwt", jwt: light.Result.GetProperty("verify").GetProperty("jwt").GetString(), appToken: app.SecretToken);
        Assert.Equal((alice.UserId, alice.DeviceId), (who.Result.GetProperty("id").GetString(), who.Result.GetProperty("device_id").GetString()));

        Assert.True((await app.SendAsync(Patch, "/user/register_otp", jwt: jwt)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Put, "/user/forced/disable_otp", Bodies.Identifier("alice"), appToken: app.SecretToken)).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("alice"))).Result.TryGetProperty("Direct", out _));

        Assert.True((await app.SendAsync(HttpMethod.Delete, "/user/forced/sessions", Bodies.Identifier("alice"), appToken: app.SecretToken)).Ok);
        Assert.Equal(114, (await app.SendAsync(HttpMethod.Put, "/refresh", Bodies.RefreshToken(refresh), jwt: jwt)).ErrCode);
        Assert.Equal(114, (await app.SendAsync(HttpMethod.Put, "/refresh", Bodies.RefreshToken(alice.RefreshToken), jwt: alice.Jwt)).ErrCode);

        Assert.True((await app.SendAsync(HttpMethod.Put, "/user/forced/delete", Bodies.Identifier("alice"), appToken: app.SecretToken)).Ok);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Get, $"/user/{alice.UserId}/public_key")).ErrCode);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Put, "/user/forced/delete", Bodies.Identifier("alice"), appToken: app.SecretToken)).ErrCode);

        TestUser bob = await app.RegisterAsync("bob");
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/user/forced/delete/{bob.UserId}", appToken: app.SecretToken)).Ok);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Get, $"/user/{bob.UserId}/public_key")).ErrCode);
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Delete, $"/user/forced/delete/{bob.UserId}", appToken: app.SecretToken)).ErrCode);
    }

    [Theory, Databases]
    public async Task ForcedResetUser_ReplacesDevicesAndUserGroup_NewPasswordLogsIn(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        (string oldKey, _) = await PublicKeyAsync(app, alice.UserId);
        using var fresh = new ClientRegistration("alice", "a new password");

        Assert.Equal(203, (await app.SendAsync(HttpMethod.Put, "/user/forced/reset_user", fresh.RegisterBody)).ErrCode);
        using var stranger = new ClientRegistration("nobody", "x");
        Assert.Equal(100, (await app.SendAsync(HttpMethod.Put, "/user/forced/reset_user", stranger.RegisterBody, appToken: app.SecretToken)).ErrCode);
        Assert.Equal(117, (await app.SendAsync(HttpMethod.Put, "/user/forced/reset_user", Bodies.RegisterWithout("alice", "public_key_sig"), appToken: app.SecretToken)).ErrCode);

        ApiAnswer reset = await app.SendAsync(HttpMethod.Put, "/user/forced/reset_user", fresh.RegisterBody, appToken: app.SecretToken);
        Assert.True(reset.Ok, reset.Text);
        (string newKey, string newPublicKey) = await PublicKeyAsync(app, alice.UserId);
        Assert.NotEqual(oldKey, newKey);
        Assert.Equal(System.Text.Json.Nodes.JsonNode.Parse(fresh.RegisterBody)!["group"]!["public_group_key"]!.GetValue<string>(), newPublicKey);

        Assert.Equal(112, (await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("alice"))).ErrCode);
        // The old device is gone, so its JWT no longer names a device (401/31) and its refresh token is gone with it.
        Assert.Equal(31, (await app.SendAsync(HttpMethod.Put, "/refresh", Bodies.RefreshToken(alice.RefreshToken), jwt: alice.Jwt)).ErrCode);
        ApiAnswer done = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("alice", fresh.AuthKey));
        Assert.True(done.Ok, done.Text);
        Assert.Equal(alice.UserId, done.Result.GetProperty("Direct").GetProperty("device_keys").GetProperty("user_id").GetString());
        string challenge = fresh.DecryptChallenge(done.Result.GetProperty("Direct"));
        ApiAnswer verified = await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin("alice", challenge, fresh.AuthKey));
        Assert.True(verified.Ok, verified.Text);
        Assert.Equal(newKey, verified.Result.GetProperty("user_keys")[0].GetProperty("group_key_id").GetString());
    }

    private static async Task<(string Id, string Key)> PublicKeyAsync(TestApp app, string userId)
    {
        ApiAnswer answer = await app.SendAsync(HttpMethod.Get, $"/user/{userId}/public_key");
        Assert.True(answer.Ok, answer.Text);
        return (answer.Result.GetProperty("public_key_id").GetString()!, answer.Result.GetProperty("public_key").GetString()!);
    }

    [Theory, Databases]
    public async Task LoginRateLimit_PerIdentifierAndPerAddress_RefusesUntilTheWindowEnds(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases, new Dictionary<string, string>
        {
            [LoginRateLimit.PerIdentifierKey] = "3",
            [LoginRateLimit.PerAddressKey] = "5",
            [LoginRateLimit.WindowSecondsKey] = "60",
        });
        // Start the test at the beginning of a window, so that it does not end half-way.
        long now = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        app.Clock.Advance(TimeSpan.FromMilliseconds(60_000 - (now % 60_000)));
        await app.SendAsync(HttpMethod.Post, "/register", Bodies.Register("alice"), appToken: app.SecretToken);

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(112, (await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("alice", WrongAuthKey))).ErrCode);
        }

        ApiAnswer limited = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("alice"));
        Assert.Equal(((HttpStatusCode)429, 118, false), (limited.Status, limited.ErrCode, limited.Ok));
        Assert.Equal(118, (await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin("alice", "c"))).ErrCode);

        // The sixth attempt from this address: another identifier is refused by the address limit.
        Assert.Equal(118, (await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("bob"))).ErrCode);

        app.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.True((await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("alice"))).Ok);
        Assert.Equal(112, (await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin("bob"))).ErrCode);
    }

    private static async Task<string> ChallengeAsync(TestApp app, string identifier)
    {
        ApiAnswer done = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin(identifier));
        Assert.True(done.Ok, done.Text);
        return Bodies.DecryptChallenge(done.Result.GetProperty("Direct"));
    }
}
