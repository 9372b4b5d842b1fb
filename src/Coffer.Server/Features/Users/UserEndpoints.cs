using Coffer.Protocol;
using Coffer.Protocol.Groups;
using Coffer.Protocol.Keys;
using Coffer.Protocol.Users;
using Coffer.Server.Api;
using Coffer.Server.Auth;

namespace Coffer.Server.Features.Users;

/// <summary>Users, devices, user keys and public keys: api.md §4.1–§4.4 (the parts without server-side crypto).</summary>
public static class UserEndpoints
{
    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder api)
    {
        api.MapPost("/exists", ExistsAsync).RequireAppToken(AppOption.UserExists);
        api.MapPost("/register", RegisterAsync).RequireAppToken(AppOption.UserRegister);
        api.MapPost("/register_light", RegisterLightAsync).RequireAppToken(AppOption.UserRegister);
        api.MapPost("/prepare_login", PrepareLoginAsync).RequireAppToken(AppOption.UserPrepareLogin);
        api.MapPut("/refresh", RefreshAsync).RequireAppToken(AppOption.UserJwtRefresh).RequireJwt(JwtMode.IgnoreExpiry);
        api.MapPost("/init", InitAsync).RequireAppToken(AppOption.UserJwtRefresh).RequireJwt(JwtMode.IgnoreExpiry);
        api.MapPut("/user", UpdateIdentifierAsync).RequireAppToken(AppOption.UserUpdate).RequireJwt();
        api.MapDelete("/user", DeleteUserAsync).RequireAppToken(AppOption.UserDelete).RequireJwt(JwtMode.Fresh);
        api.MapPut("/user/update_pw", ChangePasswordAsync).RequireAppToken(AppOption.UserChangePassword).RequireJwt(JwtMode.Fresh);
        api.MapPut("/user/reset_pw", ResetPasswordAsync).RequireAppToken(AppOption.UserResetPassword).RequireJwt();
        api.MapPut("/user/reset_pw_light", ResetPasswordLightAsync).RequireSecretToken();

        api.MapPost("/user/prepare_register_device", PrepareDeviceAsync).RequireAppToken(AppOption.UserDeviceRegister);
        api.MapPut("/user/done_register_device", DoneDeviceAsync).RequireAppToken(AppOption.UserDeviceRegister).RequireJwt();
        api.MapPut("/user/done_register_device_light", DoneDeviceLightAsync).RequireAppToken(AppOption.UserDeviceRegister).RequireJwt();
        api.MapPut("/user/user_keys/session/{sessionId}", AddSessionKeysAsync).RequireJwt();

        api.MapGet("/user/device/{lastTime}/{lastId}", ListDevicesAsync).RequireAppToken(AppOption.UserDeviceList).RequireJwt();
        api.MapDelete("/user/device/{deviceId}", DeleteDeviceAsync).RequireAppToken(AppOption.UserDeviceDelete).RequireJwt(JwtMode.Fresh);

        api.MapGet("/user/user_keys/key/{keyId}", UserKeyAsync).RequireAppToken(AppOption.UserDoneLogin).RequireJwt();
        api.MapGet("/user/user_keys/keys/{lastTime}/{lastId}", UserKeysAsync).RequireAppToken(AppOption.UserDoneLogin).RequireJwt();

        api.MapGet("/user/{userId}/public_key", PublicKeyAsync).RequireAppToken(AppOption.UserPublicData);
        api.MapGet("/user/{userId}/public_key/{keyId}", PublicKeyByIdAsync).RequireAppToken(AppOption.UserPublicData);
        api.MapGet("/user/{userId}/verify_key/{keyId}", VerifyKeyAsync).RequireAppToken(AppOption.UserPublicData);
        api.MapGet("/group/{groupId}/public_key", GroupPublicKeyAsync).RequireAppToken(AppOption.UserPublicData);
        return api;
    }

    public static async Task<IResult> ExistsAsync(
        JsonBody<UserIdentifierInput> body, HttpContext context, UserStore users, CancellationToken ct)
    {
        string identifier = body.Value.UserIdentifier;
        bool inUse = await users.IdentifierInUseAsync(context.Identity().App, UserRules.IdentifierHash(identifier), ct);
        return Reply.Ok(new UserExistsOutput(identifier, Available: !inUse));
    }

    public static async Task<IResult> RegisterAsync(
        JsonBody<RegisterData> body, HttpContext context, UserStore users, CancellationToken ct)
    {
        RegisterData data = body.Value;
        if (!UserRules.HasUserKeys(data.Group))
        {
            return Reply.Error(ProtocolError.UserKeysNotFound);
        }

        return await RegisterUserAsync(context, users, data.Device, data.Group, ct);
    }

    /// <summary>POST /register_light (§4.19): a light user (device keys, no user keys); the device is the user group's creator.</summary>
    public static Task<IResult> RegisterLightAsync(
        JsonBody<UserDeviceRegisterInput> body, HttpContext context, UserStore users, CancellationToken ct) =>
        RegisterUserAsync(context, users, body.Value, userGroup: null, ct);

    /// <summary>The identifier must be unused (101); then user, device and user group (keyless when null) are created.</summary>
    private static async Task<IResult> RegisterUserAsync(
        HttpContext context, UserStore users, UserDeviceRegisterInput device, CreateData? userGroup, CancellationToken ct)
    {
        AppId app = context.Identity().App;
        string identifierHash = UserRules.IdentifierHash(device.DeviceIdentifier);
        if (await users.IdentifierInUseAsync(app, identifierHash, ct))
        {
            return Reply.Error(ProtocolError.UserExists);
        }

        (UserId User, DeviceId Device)? created = await users.RegisterAsync(app, device, userGroup, identifierHash, ct);
        return created is var (userId, deviceId)
            ? Reply.Ok(new RegisterOutput(userId.Value, deviceId.Value, device.DeviceIdentifier))
            : Reply.Error(ProtocolError.UserExists);
    }

    public static async Task<IResult> PrepareLoginAsync(
        JsonBody<UserIdentifierInput> body, HttpContext context, UserStore users, CancellationToken ct)
    {
        string identifier = body.Value.UserIdentifier;
        LoginData? login = await users.FindLoginDataAsync(context.Identity().App, UserRules.IdentifierHash(identifier), ct);
        if (login is null)
        {
            return Reply.Ok(new PrepareLoginSaltOutput(UserRules.FakeSalt(identifier), UserRules.DerivedAlgArgon2));
        }

        string? salt = login.DerivedAlg == UserRules.DerivedAlgArgon2 ? UserRules.RealSalt(login.ClientRandomValue) : null;
        return salt is null
            ? Reply.Error(ProtocolError.SaltError)
            : Reply.Ok(new PrepareLoginSaltOutput(salt, login.DerivedAlg));
    }

    public static async Task<IResult> RefreshAsync(
        JsonBody<JwtRefreshInput> body, HttpContext context, UserStore users, JwtService jwt, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        if (!await users.UseRefreshTokenAsync(identity.App, identity.Device, body.Value.RefreshToken, ct))
        {
            return Reply.Error(ProtocolError.RefreshToken);
        }

        string token = await jwt.IssueAsync(identity.App, identity.User, identity.Device, fresh: false, ct);
        return Reply.Ok(new RefreshOutput(identity.User.Value, token, identity.Device.Value));
    }

    public static async Task<IResult> InitAsync(
        JsonBody<JwtRefreshInput> body, HttpContext context, UserStore users, JwtService jwt, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        if (!await users.UseRefreshTokenAsync(identity.App, identity.Device, body.Value.RefreshToken, ct))
        {
            return Reply.Error(ProtocolError.RefreshToken);
        }

        string token = await jwt.IssueAsync(identity.App, identity.User, identity.Device, fresh: false, ct);
        IReadOnlyList<GroupInviteReqList> invites = await users.InvitesAsync(identity.App, identity.User, ct);
        return Reply.Ok(new InitOutput(token, invites));
    }

    public static async Task<IResult> UpdateIdentifierAsync(
        JsonBody<UserIdentifierInput> body, HttpContext context, UserStore users, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        bool updated = await users.UpdateIdentifierAsync(
            identity.App, identity.Device, UserRules.IdentifierHash(body.Value.UserIdentifier), ct);
        return updated ? Reply.Success() : Reply.Error(ProtocolError.UserExists);
    }

    public static async Task<IResult> DeleteUserAsync(HttpContext context, UserStore users, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        await users.DeleteUserAsync(identity.App, identity.User, ct);
        return Reply.Success();
    }

    public static async Task<IResult> ChangePasswordAsync(
        JsonBody<ChangePasswordData> body, HttpContext context, UserStore users, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        return await users.ChangePasswordAsync(identity.App, identity.Device, body.Value, ct) switch
        {
            PasswordChangeOutcome.Changed => Reply.Success(),
            PasswordChangeOutcome.AuthKeyFormat => Reply.Error(ProtocolError.AuthKeyFormat),
            PasswordChangeOutcome.WrongAuthKey => Reply.Error(ProtocolError.Login),
        };
    }

    public static async Task<IResult> ResetPasswordAsync(
        JsonBody<ResetPasswordData> body, HttpContext context, UserStore users, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        await users.ResetPasswordAsync(identity.App, identity.Device, body.Value, ct);
        return Reply.Success();
    }

    /// <summary>PUT /user/reset_pw_light (§4.15, secret token): the customer backend resets a light user's password.</summary>
    public static async Task<IResult> ResetPasswordLightAsync(
        JsonBody<UserDeviceRegisterInput> body, HttpContext context, UserStore users, CancellationToken ct)
    {
        UserDeviceRegisterInput input = body.Value;
        bool reset = await users.ResetPasswordLightAsync(context.Identity().App, input, UserRules.IdentifierHash(input.DeviceIdentifier), ct);
        return reset ? Reply.Success() : Reply.Error(ProtocolError.UserNotFound);
    }

    public static async Task<IResult> PrepareDeviceAsync(
        JsonBody<UserDeviceRegisterInput> body, HttpContext context, UserStore users, CancellationToken ct)
    {
        UserDeviceRegisterInput input = body.Value;
        AppId app = context.Identity().App;
        string identifierHash = UserRules.IdentifierHash(input.DeviceIdentifier);
        if (await users.IdentifierInUseAsync(app, identifierHash, ct))
        {
            return Reply.Error(ProtocolError.UserExists);
        }

        (DeviceId Device, string Token)? prepared = await users.PrepareDeviceAsync(app, input, identifierHash, ct);
        return prepared is var (device, token)
            ? Reply.Ok(new UserDeviceRegisterOutput(
                device.Value, token, input.DeviceIdentifier, input.Derived.PublicKey, input.Derived.KeypairEncryptAlg))
            : Reply.Error(ProtocolError.UserExists);
    }

    public static async Task<IResult> DoneDeviceAsync(
        JsonBody<UserDeviceDoneRegisterInput> body, HttpContext context, UserStore users, CancellationToken ct)
    {
        UserDeviceDoneRegisterInput input = body.Value;
        if (input.Token is "null" or "NULL")
        {
            return Reply.Error(ProtocolError.UserNotFound);
        }

        if (UserRules.CheckKeyCount(input.UserKeys.Keys.Count) is ProtocolError countError)
        {
            return Reply.Error(countError);
        }

        if (UserRules.NewMemberRank(input.UserKeys.Rank) is not int rank)
        {
            return Reply.Error(ProtocolError.GroupUserRank);
        }

        RequestIdentity identity = context.Identity();
        DeviceKeysOutcome outcome = await users.DoneDeviceAsync(identity.App, identity.User, input.Token, input.UserKeys, rank, ct);
        return outcome.Error is null
            ? Reply.Ok(new GroupInviteServerOutput(outcome.SessionId, "The device was added to the user."))
            : Reply.Error(outcome.Error);
    }

    public static async Task<IResult> DoneDeviceLightAsync(
        JsonBody<UserDeviceDoneRegisterInputLight> body, HttpContext context, UserStore users, CancellationToken ct)
    {
        UserDeviceDoneRegisterInputLight input = body.Value;
        if (input.Token is "null" or "NULL")
        {
            return Reply.Error(ProtocolError.UserNotFound);
        }

        if (UserRules.NewMemberRank(input.UserGroup.Rank) is not int rank)
        {
            return Reply.Error(ProtocolError.GroupUserRank);
        }

        RequestIdentity identity = context.Identity();
        ProtocolError? error = await users.DoneDeviceLightAsync(identity.App, identity.User, input.Token, rank, ct);
        return error is null ? Reply.Success() : Reply.Error(error);
    }

    public static async Task<IResult> AddSessionKeysAsync(
        string sessionId, JsonBody<IReadOnlyList<GroupKeysForNewMember>> body, HttpContext context, UserStore users, CancellationToken ct)
    {
        if (UserRules.CheckKeyCount(body.Value.Count) is ProtocolError countError)
        {
            return Reply.Error(countError);
        }

        RequestIdentity identity = context.Identity();
        DeviceKeysOutcome outcome = await users.AddSessionKeysAsync(identity.App, identity.User, sessionId, body.Value, ct);
        return outcome.Error is null ? Reply.Success() : Reply.Error(outcome.Error);
    }

    public static async Task<IResult> ListDevicesAsync(
        string lastTime, string lastId, HttpContext context, UserStore users, CancellationToken ct)
    {
        if (!PageCursor.TryParseTime(lastTime, out long time))
        {
            return Reply.Error(ProtocolError.UnexpectedTime);
        }

        RequestIdentity identity = context.Identity();
        return Reply.Ok(await users.ListDevicesAsync(identity.App, identity.User, time, lastId, ct));
    }

    public static async Task<IResult> DeleteDeviceAsync(string deviceId, HttpContext context, UserStore users, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        return await users.DeleteDeviceAsync(identity.App, identity.User, new DeviceId(deviceId), ct) switch
        {
            DeleteDeviceOutcome.Deleted => Reply.Success(),
            DeleteDeviceOutcome.NotFound => Reply.Error(ProtocolError.UserNotFound),
            DeleteDeviceOutcome.LastDevice => Reply.Error(ProtocolError.UserDeviceDelete),
        };
    }

    public static async Task<IResult> UserKeyAsync(string keyId, HttpContext context, UserStore users, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        GroupKeyServerOutput? key = await users.UserKeyAsync(identity.App, identity.User, identity.Device, keyId, ct);
        return key is null ? Reply.Error(ProtocolError.GroupKeyNotFound) : Reply.Ok(key);
    }

    public static async Task<IResult> UserKeysAsync(
        string lastTime, string lastId, HttpContext context, UserStore users, CancellationToken ct)
    {
        if (!PageCursor.TryParseTime(lastTime, out long time))
        {
            return Reply.Error(ProtocolError.UnexpectedTime);
        }

        RequestIdentity identity = context.Identity();
        return Reply.Ok(await users.UserKeysAsync(identity.App, identity.User, identity.Device, time, lastId, ct));
    }

    public static async Task<IResult> PublicKeyAsync(string userId, HttpContext context, UserStore users, CancellationToken ct) =>
        PublicKeyResult(await users.UserPublicKeyAsync(context.Identity().App, userId, key: null, ct));

    public static async Task<IResult> PublicKeyByIdAsync(
        string userId, string keyId, HttpContext context, UserStore users, CancellationToken ct) =>
        PublicKeyResult(await users.UserPublicKeyAsync(context.Identity().App, userId, keyId, ct));

    public static async Task<IResult> VerifyKeyAsync(
        string userId, string keyId, HttpContext context, UserStore users, CancellationToken ct)
    {
        UserVerifyKeyData? key = await users.UserVerifyKeyAsync(context.Identity().App, userId, keyId, ct);
        return key is null ? Reply.Error(ProtocolError.UserNotFound) : Reply.Ok(key);
    }

    public static async Task<IResult> GroupPublicKeyAsync(string groupId, HttpContext context, UserStore users, CancellationToken ct)
    {
        UserPublicKeyData? key = await users.GroupPublicKeyAsync(context.Identity().App, groupId, ct);
        return key is null ? Reply.Error(ProtocolError.GroupKeyNotFound) : Reply.Ok(key);
    }

    private static IResult PublicKeyResult(UserPublicKeyData? key) =>
        key is null ? Reply.Error(ProtocolError.UserNotFound) : Reply.Ok(key);
}
