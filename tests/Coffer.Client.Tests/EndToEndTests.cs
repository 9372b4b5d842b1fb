using System.Net;
using System.Text;
using System.Text.Json;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Crypto;
using Coffer.Crypto.Password;
using Coffer.Protocol;
using static Coffer.Client.Tests.Infrastructure.JsonShape;

namespace Coffer.Client.Tests;

/// <summary>
/// The SDK against the real server on 127.0.0.1 (<see cref="RunningServer"/>). No response is faked. Paths whose
/// server endpoint is missing fail at the first request the server answers with 404 (<c>server_404</c>),
/// naming the endpoint, so they run as soon as the server has it.
/// </summary>
public sealed class EndToEndTests
{
    private const string Password = "correct horse battery staple ✓";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Register_NewIdentifier_TakesTheIdentifier()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using CofferClient app = server.PublicClient();
        using CofferClient backend = server.SecretClient();

        Assert.True(await app.IsIdentifierAvailableAsync("alice", Ct));
        RegisteredUser user = await backend.RegisterAsync("alice", Password, Ct);
        Assert.True(Guid.TryParse(user.UserId.Value, out _));
        Assert.True(Guid.TryParse(user.DeviceId.Value, out _));
        Assert.Equal("alice", user.DeviceIdentifier);
        Assert.False(await app.IsIdentifierAvailableAsync("alice", Ct));
        Assert.True(await app.IsIdentifierAvailableAsync("bob", Ct));
    }

    [Fact]
    public async Task Register_TakenIdentifier_IsServer101()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using CofferClient backend = server.SecretClient();
        await backend.RegisterAsync("alice", Password, Ct);
        var error = await Assert.ThrowsAsync<CofferException>(() => backend.RegisterAsync("alice", "other", Ct));
        Assert.True(error.Is(ProtocolError.UserExists));
        Assert.Equal(("server_101", HttpStatusCode.BadRequest), (error.Code, error.HttpStatus));
    }

    [Fact]
    public async Task Register_WithThePublicToken_IsServer203ByDefault()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using CofferClient app = server.PublicClient();
        var error = await Assert.ThrowsAsync<CofferException>(() => app.RegisterAsync("alice", Password, Ct));
        Assert.True(error.Is(ProtocolError.AppAction));
    }

    [Fact]
    public async Task WrongAppToken_IsServer200()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using var client = new CofferClient(server.BaseUrl, Convert.ToBase64String(new byte[30]));
        var error = await Assert.ThrowsAsync<CofferException>(() => client.IsIdentifierAvailableAsync("alice", Ct));
        Assert.Equal((200, HttpStatusCode.Unauthorized), (error.ServerCode, error.HttpStatus));
    }

    [Fact]
    public async Task FetchPublicKeyAsync_RegisteredUser_VerifiesTheUsersSignature()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using CofferClient backend = server.SecretClient();
        using CofferClient app = server.PublicClient();
        RegisteredUser user = await backend.RegisterAsync("alice", Password, Ct);

        UserPublicKey newest = await app.FetchPublicKeyAsync(user.UserId, verify: true, Ct);
        Assert.True(newest.Verified);
        Assert.Equal(EncryptionAlgorithm.Default, newest.Key.Algorithm);
        Assert.NotNull(newest.SignatureKeyId);

        VerifyKey verifyKey = await app.FetchVerifyKeyAsync(user.UserId, newest.SignatureKeyId!, Ct);
        Assert.Equal(SignatureAlgorithm.Default, verifyKey.Algorithm);
        Assert.True(verifyKey.VerifyText(newest.Key.Export(), newest.Signature!));

        UserPublicKey byId = await app.FetchPublicKeyAsync(user.UserId, newest.Key.KeyId, verify: true, Ct);
        Assert.Equal(newest.Key, byId.Key);
    }

    [Fact]
    public async Task FetchPublicKeyAsync_UnknownUser_IsServer100()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using CofferClient app = server.PublicClient();
        var error = await Assert.ThrowsAsync<CofferException>(() => app.FetchPublicKeyAsync(new UserId(Guid.NewGuid().ToString()), cancellationToken: Ct));
        Assert.True(error.Is(ProtocolError.UserNotFound));
    }

    [Fact]
    public async Task OwnBackend_RegisterThenPrepareLogin_ServerSaltGivesTheRegisteredAuthKey()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };

        // The app's backend forwards the client's prepared body with the secret token.
        string body = OwnBackend.PrepareRegister("carol", Password);
        RegisteredUser user = OwnBackend.DoneRegister(await PostAsync(http, "/api/v1/register", body, server.Credentials.SecretToken));
        Assert.Equal("carol", user.DeviceIdentifier);

        string salt = await PostAsync(http, "/api/v1/prepare_login", OwnBackend.PrepareLoginStart("carol"), server.Credentials.PublicToken);
        using LoginPreparation preparation = OwnBackend.PrepareLogin("carol", Password, salt);

        // The auth key derived from the server's salt hashes to what the registration sent.
        JsonElement derived = Parse(body).GetProperty("device").GetProperty("derived");
        byte[] authKey = Convert.FromBase64String(Parse(preparation.DoneLoginBody).Str("auth_key"));
        Assert.True(AuthKeyHash.Matches(authKey, Convert.FromBase64String(derived.Str("hashed_authentication_key"))));

        // And the public key the server hands out is the one the registration created.
        using CofferClient app = server.PublicClient();
        UserPublicKey fetched = await app.FetchPublicKeyAsync(user.UserId, verify: true, Ct);
        PublicKey registered = PublicKey.FromWireText(EncryptionAlgorithm.Default, Parse(body).GetProperty("group").Str("public_group_key"), "x");
        Assert.Equal(registered, fetched.Key);
    }

    [Fact]
    public async Task RegisterDeviceStartAsync_NewIdentifier_ReservesItForThePendingDevice()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using CofferClient backend = server.SecretClient();
        using CofferClient app = server.PublicClient();
        await backend.RegisterAsync("erin", Password, Ct);

        DeviceRegistrationStart start = await app.RegisterDeviceStartAsync("erin-phone", "phone password", Ct);
        Assert.True(Guid.TryParse(start.DeviceId.Value, out _));
        Assert.Equal(("erin-phone", start.DeviceId.Value), (start.DeviceIdentifier, start.PublicKey.KeyId));
        Assert.False(await app.IsIdentifierAvailableAsync("erin-phone", Ct));
        var taken = await Assert.ThrowsAsync<CofferException>(() => app.RegisterDeviceStartAsync("erin", "other", Ct));
        Assert.True(taken.Is(ProtocolError.UserExists));

        // What the new device shows to the logged-in one survives the transfer as JSON.
        DeviceRegistrationStart transferred = DeviceRegistrationStart.FromJson(start.ToJson());
        Assert.Equal((start.DeviceId, start.Token, start.PublicKey), (transferred.DeviceId, transferred.Token, transferred.PublicKey));
    }

    [Fact]
    public async Task OwnBackend_PrepareRegisterDeviceStart_ServerReturnsTheDevicesPublicKey()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        string body = OwnBackend.PrepareRegisterDeviceStart("tablet", "tablet password");
        DeviceRegistrationStart start = OwnBackend.DoneRegisterDeviceStart(
            await PostAsync(http, "/api/v1/user/prepare_register_device", body, server.Credentials.PublicToken));
        JsonElement derived = Parse(body).GetProperty("derived");
        Assert.Equal(PublicKey.FromWireText(EncryptionAlgorithm.Default, derived.Str("public_key"), "x"), start.PublicKey);
        Assert.Equal("tablet", start.DeviceIdentifier);
    }

    [Fact]
    public async Task UserLifecycle_RegisterLoginInitRefreshDevicesChangePasswordDelete()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        var clock = new MovableClock();
        using CofferClient backend = server.SecretClient(clock);
        using CofferClient app = server.PublicClient(clock);
        RegisteredUser registered = await backend.RegisterAsync("dave", Password, Ct);

        // login (prepare → done → verify)
        LoginResult result = await Endpoint("POST /done_login, POST /verify_login", () => app.LoginAsync("dave", Password, Ct));
        using CofferUser user = Assert.IsType<LoginResult.LoggedIn>(result).User;
        Assert.Equal((registered.UserId, registered.DeviceId), (user.UserId, user.DeviceId));
        UserKey userKey = Assert.Single(user.UserKeys);
        UserPublicKey published = await app.FetchPublicKeyAsync(user.UserId, verify: true, Ct);
        Assert.Equal(userKey.PublicKey, published.Key);

        // init and refresh
        string loginJwt = user.Jwt;
        await user.InitAsync(Ct);
        Assert.NotEqual(loginJwt, user.Jwt);
        clock.Advance(TimeSpan.FromSeconds(280)); // within 30 s of exp: the next request refreshes first
        string beforeRefresh = user.Jwt;
        IReadOnlyList<DeviceInfo> devices = await user.GetDevicesAsync(cancellationToken: Ct);
        Assert.NotEqual(beforeRefresh, user.Jwt);
        Assert.Equal(registered.DeviceId, Assert.Single(devices).DeviceId);

        // user key by id from the server
        Assert.Same(userKey, await user.GetUserKeyAsync(userKey.GroupKeyId, Ct));

        // change password, then log in with the new one only
        await Endpoint("PUT /user/update_pw", () => user.ChangePasswordAsync(Password, "new password", cancellationToken: Ct));
        var wrong = await Assert.ThrowsAsync<CofferException>(() => app.LoginAsync("dave", Password, Ct));
        Assert.True(wrong.Is(ProtocolError.Login));
        using (CofferUser again = Assert.IsType<LoginResult.LoggedIn>(await app.LoginAsync("dave", "new password", Ct)).User)
        {
            Assert.Equal(userKey.GroupKey.ExportJson(), again.NewestUserKey.GroupKey.ExportJson());
        }

        // delete (secret token by default, fresh JWT by re-login)
        using CofferUser owner = Assert.IsType<LoginResult.LoggedIn>(await backend.LoginAsync("dave", "new password", Ct)).User;
        await owner.DeleteAsync("new password", cancellationToken: Ct);
        Assert.True(await app.IsIdentifierAvailableAsync("dave", Ct));
    }

    [Fact]
    public async Task NewDevice_RegisterStartThenAddFromLoggedInDevice_NewDeviceLogsInWithTheUserKeys()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using CofferClient backend = server.SecretClient();
        using CofferClient app = server.PublicClient();
        await backend.RegisterAsync("erin", Password, Ct);
        DeviceRegistrationStart start = await Endpoint("POST /user/prepare_register_device",
            () => app.RegisterDeviceStartAsync("erin-phone", "phone password", Ct));

        using CofferUser first = Assert.IsType<LoginResult.LoggedIn>(
            await Endpoint("POST /done_login", () => app.LoginAsync("erin", Password, Ct))).User;
        await Endpoint("PUT /user/done_register_device", () => first.RegisterDeviceAsync(DeviceRegistrationStart.FromJson(start.ToJson()), Ct));

        using CofferUser phone = Assert.IsType<LoginResult.LoggedIn>(await app.LoginAsync("erin-phone", "phone password", Ct)).User;
        Assert.Equal(first.UserId, phone.UserId);
        Assert.Equal(first.NewestUserKey.GroupKey.ExportJson(), phone.NewestUserKey.GroupKey.ExportJson());
        Assert.Equal(2, (await first.GetDevicesAsync(cancellationToken: Ct)).Count);

        await first.DeleteDeviceAsync(phone.DeviceId, Password, cancellationToken: Ct);
        Assert.Single(await first.GetDevicesAsync(cancellationToken: Ct));
    }

    [Fact]
    public async Task ResetPasswordAndUpdateIdentifier_LoggedInUser_NewCredentialsWork()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using CofferClient backend = server.SecretClient();
        using CofferClient app = server.PublicClient();
        await backend.RegisterAsync("frank", Password, Ct);
        using CofferUser user = Assert.IsType<LoginResult.LoggedIn>(
            await Endpoint("POST /done_login", () => app.LoginAsync("frank", Password, Ct))).User;

        await Endpoint("PUT /user/reset_pw", () => user.ResetPasswordAsync("reset password", Ct));
        await user.UpdateIdentifierAsync("frank2", Ct);
        Assert.True(await app.IsIdentifierAvailableAsync("frank", Ct));
        using CofferUser again = Assert.IsType<LoginResult.LoggedIn>(await app.LoginAsync("frank2", "reset password", Ct)).User;
        Assert.Equal(user.DeviceKeys.PublicKey, again.DeviceKeys.PublicKey);
    }

    [Fact]
    public async Task Mfa_RegisterLoginWithTotpAndRecoveryCodeThenDisable()
    {
        await using RunningServer server = await RunningServer.StartAsync(Ct);
        using CofferClient backend = server.SecretClient();
        using CofferClient app = server.PublicClient();
        await backend.RegisterAsync("grace", Password, Ct);
        using CofferUser user = Assert.IsType<LoginResult.LoggedIn>(
            await Endpoint("POST /done_login", () => app.LoginAsync("grace", Password, Ct))).User;

        OtpRegistration otp = await Endpoint("PATCH /user/register_otp", () => user.RegisterOtpAsync(Password, cancellationToken: Ct));
        Assert.Equal("totp_sha256", otp.Algorithm);
        Assert.Equal(6, otp.RecoveryCodes.Count);
        Assert.StartsWith("otpauth://totp/Coffer:grace?secret=" + otp.Secret, otp.GetAuthenticatorUri("Coffer", "grace"), StringComparison.Ordinal);

        // A login now needs the second factor; a wrong code is server_902 and the pending login can try again.
        using PendingMfaLogin pending = Assert.IsType<LoginResult.MfaRequired>(await app.LoginAsync("grace", Password, Ct)).Pending;
        string wrongCode = ((int.Parse(Totp.Code(otp.Secret, DateTimeOffset.UtcNow), System.Globalization.CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
        var wrong = await Assert.ThrowsAsync<CofferException>(() => pending.CompleteAsync(wrongCode, cancellationToken: Ct));
        Assert.Equal((902, HttpStatusCode.PaymentRequired), (wrong.ServerCode, wrong.HttpStatus));
        using CofferUser withTotp = await Endpoint("POST /validate_mfa", () => pending.CompleteAsync(Totp.Code(otp.Secret, DateTimeOffset.UtcNow), cancellationToken: Ct));
        Assert.Equal(user.UserId, withTotp.UserId);

        // Actions that re-run the login need the second factor too.
        var withoutCode = await Assert.ThrowsAsync<CofferException>(() => user.RegisterOtpAsync(Password, cancellationToken: Ct));
        Assert.Equal(SdkError.MfaRequired, withoutCode.SdkError);
        IReadOnlyList<string> recovery = await Endpoint("GET /user/otp_recovery_keys",
            () => user.GetOtpRecoveryKeysAsync(Password, new MfaCode(Totp.Code(otp.Secret, DateTimeOffset.UtcNow)), Ct));
        Assert.Equal(otp.RecoveryCodes.Order(), recovery.Order());

        // A recovery code works once.
        using (PendingMfaLogin second = Assert.IsType<LoginResult.MfaRequired>(await app.LoginAsync("grace", Password, Ct)).Pending)
        {
            using CofferUser withRecovery = await Endpoint("POST /validate_recovery_otp",
                () => second.CompleteAsync(recovery[0], isRecoveryCode: true, Ct));
            Assert.Equal(user.UserId, withRecovery.UserId);
        }

        IReadOnlyList<string> remaining = await user.GetOtpRecoveryKeysAsync(Password, new MfaCode(Totp.Code(otp.Secret, DateTimeOffset.UtcNow)), Ct);
        Assert.Equal(5, remaining.Count);
        Assert.DoesNotContain(recovery[0], remaining);

        await Endpoint("PATCH /user/disable_otp", () => user.DisableOtpAsync(Password, new MfaCode(Totp.Code(otp.Secret, DateTimeOffset.UtcNow)), Ct));
        Assert.IsType<LoginResult.LoggedIn>(await app.LoginAsync("grace", Password, Ct)).User.Dispose();
    }

    /// <summary>Runs a step, naming the endpoint in the failure when the server has no such route (404).</summary>
    private static async Task<T> Endpoint<T>(string endpoint, Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (CofferException error) when (error.Is(ProtocolError.PageNotFound))
        {
            Assert.Fail($"The server has no {endpoint} (answered 404).");
            throw; // unreachable: Assert.Fail throws
        }
    }

    private static Task Endpoint(string endpoint, Func<Task> step) => Endpoint(endpoint, async () =>
    {
        await step();
        return true;
    });

    private static async Task<string> PostAsync(HttpClient http, string path, string body, string appToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-sentc-app-token", appToken);
        using HttpResponseMessage response = await http.SendAsync(request, Ct);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>The SDK's clock, moved by the test to reach the refresh margin without waiting.</summary>
    private sealed class MovableClock : TimeProvider
    {
        private TimeSpan offset;

        public override DateTimeOffset GetUtcNow() => DateTimeOffset.UtcNow + offset;

        public void Advance(TimeSpan by) => offset += by;
    }
}
