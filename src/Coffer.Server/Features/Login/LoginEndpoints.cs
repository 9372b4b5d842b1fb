using Coffer.Protocol;
using Coffer.Protocol.Groups;
using Coffer.Protocol.Users;
using Coffer.Server.Api;
using Coffer.Server.Auth;
using Coffer.Server.Features.Mfa;
using Coffer.Server.Features.Users;

namespace Coffer.Server.Features.Login;

/// <summary>The login of api.md §4.1 (done/verify, MFA) and the forced user actions of §4.15.</summary>
public static class LoginEndpoints
{
    public static IEndpointRouteBuilder MapLogin(this IEndpointRouteBuilder api)
    {
        api.MapPost("/done_login", DoneLoginAsync).RequireAppToken(AppOption.UserDoneLogin).RequireLoginRateLimit();
        api.MapPost("/validate_mfa", ValidateMfaAsync).RequireAppToken(AppOption.UserDoneLogin).RequireLoginRateLimit();
        api.MapPost("/validate_recovery_otp", ValidateRecoveryAsync).RequireAppToken(AppOption.UserDoneLogin).RequireLoginRateLimit();
        api.MapPost("/verify_login", VerifyLoginAsync).RequireAppToken(AppOption.UserDoneLogin).RequireLoginRateLimit();
        api.MapPost("/verify_login_light", VerifyLoginLightAsync).RequireAppToken(AppOption.UserDoneLogin).RequireLoginRateLimit();

        api.MapPut("/user/forced/delete", ForcedDeleteAsync).RequireSecretToken();
        api.MapDelete("/user/forced/delete/{userId}", ForcedDeleteByIdAsync).RequireSecretToken();
        api.MapPut("/user/forced/disable_otp", ForcedDisableOtpAsync).RequireSecretToken();
        api.MapDelete("/user/forced/sessions", ForcedDeleteSessionsAsync).RequireSecretToken();
        api.MapPost("/user/forced/login", ForcedLoginAsync).RequireSecretToken();
        api.MapPost("/user/forced/login_light", ForcedLoginLightAsync).RequireSecretToken();
        api.MapPut("/user/forced/reset_user", ForcedResetUserAsync).RequireSecretToken();
        api.MapGet("/user/jwt", JwtInfo).RequireSecretToken().RequireJwt();
        return api;
    }

    public static async Task<IResult> DoneLoginAsync(
        JsonBody<DoneLoginInput> body, HttpContext context, LoginStore store, CancellationToken ct)
    {
        (LoginDevice? device, ProtocolError? error) = await CheckPasswordAsync(context, store, body.Value.AuthKey, body.Value.DeviceIdentifier, ct);
        if (device is null)
        {
            return Reply.Error(error!);
        }

        return device.OtpSecretEnc is not null
            ? Reply.Ok<DoneLoginResult>(new DoneLoginResult.Otp())
            : Reply.Ok<DoneLoginResult>(new DoneLoginResult.Direct(await ChallengeAsync(store, device, ct)));
    }

    public static async Task<IResult> ValidateMfaAsync(
        JsonBody<OtpInput> body, HttpContext context, LoginStore store, MfaStore mfa, TimeProvider time, CancellationToken ct)
    {
        OtpInput input = body.Value;
        (LoginDevice? device, ProtocolError? error) = await CheckPasswordAsync(context, store, input.AuthKey, input.DeviceIdentifier, ct);
        if (device is null)
        {
            return Reply.Error(error!);
        }

        if (device.OtpSecretEnc is null)
        {
            return Reply.Error(ProtocolError.TotpGet);
        }

        string? secret = mfa.OpenSecret(new UserId(device.UserId), device.OtpSecretEnc);
        if (secret is null)
        {
            return Reply.Error(ProtocolError.TotpSecretDecode);
        }

        return MfaRules.VerifyTotp(secret, input.Token, time.GetUtcNow().ToUnixTimeSeconds())
            ? Reply.Ok(await ChallengeAsync(store, device, ct))
            : Reply.Error(ProtocolError.TotpWrongToken);
    }

    public static async Task<IResult> ValidateRecoveryAsync(
        JsonBody<OtpInput> body, HttpContext context, LoginStore store, CancellationToken ct)
    {
        OtpInput input = body.Value;
        (LoginDevice? device, ProtocolError? error) = await CheckPasswordAsync(context, store, input.AuthKey, input.DeviceIdentifier, ct);
        if (device is null)
        {
            return Reply.Error(error!);
        }

        // The code is consumed before the challenge is made: the DELETE decides, so one code gives one login.
        return device.OtpSecretEnc is not null && await store.UseRecoveryCodeAsync(device.UserId, MfaRules.CodeHash(input.Token), ct)
            ? Reply.Ok(await ChallengeAsync(store, device, ct))
            : Reply.Error(ProtocolError.TotpGet);
    }

    public static async Task<IResult> VerifyLoginAsync(
        JsonBody<VerifyLoginInput> body, HttpContext context, LoginStore store, UserStore users, JwtService jwt, CancellationToken ct)
    {
        (LoginDevice? device, ProtocolError? error) = await VerifyAsync(context, store, body.Value, ct);
        return device is null
            ? Reply.Error(error!)
            : Reply.Ok(await IssueAsync(context.Identity().App, device, store, users, jwt, ct));
    }

    public static async Task<IResult> VerifyLoginLightAsync(
        JsonBody<VerifyLoginInput> body, HttpContext context, LoginStore store, UserStore users, JwtService jwt, CancellationToken ct)
    {
        (LoginDevice? device, ProtocolError? error) = await VerifyAsync(context, store, body.Value, ct);
        if (device is null)
        {
            return Reply.Error(error!);
        }

        AppId app = context.Identity().App;
        string token = await jwt.IssueAsync(app, new UserId(device.UserId), new DeviceId(device.DeviceId), fresh: true, ct);
        string refresh = await users.CreateRefreshTokenAsync(app, new DeviceId(device.DeviceId), ct);
        return Reply.Ok(new VerifyLoginLightOutput(token, refresh));
    }

    public static async Task<IResult> ForcedDeleteAsync(
        JsonBody<UserIdentifierInput> body, HttpContext context, LoginStore store, UserStore users, CancellationToken ct)
    {
        AppId app = context.Identity().App;
        string? user = await store.FindUserAsync(app, UserRules.IdentifierHash(body.Value.UserIdentifier), ct);
        if (user is null)
        {
            return Reply.Error(ProtocolError.UserNotFound);
        }

        await users.DeleteUserAsync(app, new UserId(user), ct);
        return Reply.Success();
    }

    public static async Task<IResult> ForcedDeleteByIdAsync(
        string userId, HttpContext context, LoginStore store, UserStore users, CancellationToken ct)
    {
        AppId app = context.Identity().App;
        if (!await store.UserExistsAsync(app, userId, ct))
        {
            return Reply.Error(ProtocolError.UserNotFound);
        }

        await users.DeleteUserAsync(app, new UserId(userId), ct);
        return Reply.Success();
    }

    public static async Task<IResult> ForcedDisableOtpAsync(
        JsonBody<UserIdentifierInput> body, HttpContext context, LoginStore store, MfaStore mfa, CancellationToken ct)
    {
        AppId app = context.Identity().App;
        string? user = await store.FindUserAsync(app, UserRules.IdentifierHash(body.Value.UserIdentifier), ct);
        if (user is null)
        {
            return Reply.Error(ProtocolError.UserNotFound);
        }

        await mfa.DisableAsync(app, new UserId(user), ct);
        return Reply.Success();
    }

    public static async Task<IResult> ForcedDeleteSessionsAsync(
        JsonBody<UserIdentifierInput> body, HttpContext context, LoginStore store, CancellationToken ct)
    {
        AppId app = context.Identity().App;
        string? user = await store.FindUserAsync(app, UserRules.IdentifierHash(body.Value.UserIdentifier), ct);
        if (user is null)
        {
            return Reply.Error(ProtocolError.UserNotFound);
        }

        await store.DeleteSessionsAsync(app, user, ct);
        return Reply.Success();
    }

    /// <summary>Reset with data loss: new device and new user group; the groups the user was in must re-invite it.</summary>
    public static async Task<IResult> ForcedResetUserAsync(
        JsonBody<RegisterData> body, HttpContext context, UserStore users, CancellationToken ct)
    {
        RegisterData data = body.Value;
        if (!UserRules.HasUserKeys(data.Group))
        {
            return Reply.Error(ProtocolError.UserKeysNotFound);
        }

        bool reset = await users.ResetUserAsync(context.Identity().App, data, UserRules.IdentifierHash(data.Device.DeviceIdentifier), ct);
        return reset ? Reply.Success() : Reply.Error(ProtocolError.UserNotFound);
    }

    /// <summary>Forced login: no password, no MFA (the customer backend vouches for the user); real keys (§8 #24).</summary>
    public static async Task<IResult> ForcedLoginAsync(
        JsonBody<UserIdentifierInput> body, HttpContext context, LoginStore store, UserStore users, JwtService jwt, CancellationToken ct)
    {
        AppId app = context.Identity().App;
        LoginDevice? device = await store.FindDeviceAsync(app, UserRules.IdentifierHash(body.Value.UserIdentifier), ct);
        return device is null
            ? Reply.Error(ProtocolError.UserNotFound)
            : Reply.Ok(new UserLoginForcedOutput(device.ToForcedEntity(), await IssueAsync(app, device, store, users, jwt, ct)));
    }

    public static async Task<IResult> ForcedLoginLightAsync(
        JsonBody<UserIdentifierInput> body, HttpContext context, LoginStore store, UserStore users, JwtService jwt, CancellationToken ct)
    {
        AppId app = context.Identity().App;
        LoginDevice? device = await store.FindDeviceAsync(app, UserRules.IdentifierHash(body.Value.UserIdentifier), ct);
        if (device is null)
        {
            return Reply.Error(ProtocolError.UserNotFound);
        }

        var deviceId = new DeviceId(device.DeviceId);
        string token = await jwt.IssueAsync(app, new UserId(device.UserId), deviceId, fresh: true, ct);
        string refresh = await users.CreateRefreshTokenAsync(app, deviceId, ct);
        return Reply.Ok(new UserLoginLightForcedOutput(device.ToForcedEntity(), new VerifyLoginLightOutput(token, refresh)));
    }

    /// <summary>GET /user/jwt: the customer backend asks which user and device a JWT names.</summary>
    public static IResult JwtInfo(HttpContext context)
    {
        RequestIdentity identity = context.Identity();
        return Reply.Ok(new UserJwtInfo(identity.User.Value, identity.Device.Value));
    }

    /// <summary>
    /// Finds the device and checks the auth key. Unknown identifier and wrong password answer the same 401/112 after
    /// the same work (the unknown one is checked against a dummy hash; §8 #21). A malformed auth key is 401/111.
    /// </summary>
    private static async Task<(LoginDevice? Device, ProtocolError? Error)> CheckPasswordAsync(
        HttpContext context, LoginStore store, string authKey, string identifier, CancellationToken ct)
    {
        LoginDevice? device = await store.FindDeviceAsync(context.Identity().App, UserRules.IdentifierHash(identifier), ct);
        return UserRules.AuthKeyMatches(authKey, device?.HashedAuthKey) switch
        {
            null => (null, ProtocolError.AuthKeyFormat),
            false => (null, ProtocolError.Login),
            true => (device, null),
        };
    }

    private static async Task<(LoginDevice? Device, ProtocolError? Error)> VerifyAsync(
        HttpContext context, LoginStore store, VerifyLoginInput input, CancellationToken ct)
    {
        (LoginDevice? device, ProtocolError? error) = await CheckPasswordAsync(context, store, input.AuthKey, input.DeviceIdentifier, ct);
        if (device is null)
        {
            return (null, error);
        }

        return await store.UseChallengeAsync(device.DeviceId, UserRules.SecretHash(input.Challenge), ct)
            ? (device, null)
            : (null, ProtocolError.Login);
    }

    private static async Task<DoneLoginServerOutput> ChallengeAsync(LoginStore store, LoginDevice device, CancellationToken ct)
    {
        string challenge = LoginRules.NewChallenge();
        await store.AddChallengeAsync(device.DeviceId, UserRules.SecretHash(challenge), ct);
        return new DoneLoginServerOutput(
            device.ToDeviceKeys(), LoginRules.EncryptChallenge(challenge, device.KeypairEncryptAlg, device.PublicKey, device.DeviceId));
    }

    private static async Task<VerifyLoginOutput> IssueAsync(
        AppId app, LoginDevice device, LoginStore store, UserStore users, JwtService jwt, CancellationToken ct)
    {
        var user = new UserId(device.UserId);
        var deviceId = new DeviceId(device.DeviceId);
        string token = await jwt.IssueAsync(app, user, deviceId, fresh: true, ct);
        string refresh = await users.CreateRefreshTokenAsync(app, deviceId, ct);
        IReadOnlyList<GroupKeyServerOutput> keys = await users.UserKeysAsync(app, user, deviceId, 0, "", ct);
        return new VerifyLoginOutput(keys, await store.HmacKeysAsync(device.UserGroupId, ct), token, refresh);
    }
}
