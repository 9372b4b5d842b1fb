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
        api.MapPost("/prepare_login", PrepareLoginAsync).RequireAppToken(AppOption.UserPrepareLogin);
        api.MapPut("/refresh", RefreshAsync).RequireAppToken(AppOption.UserJwtRefresh).RequireJwt(JwtMode.IgnoreExpiry);
        api.MapPost("/init", InitAsync).RequireAppToken(AppOption.UserJwtRefresh).RequireJwt(JwtMode.IgnoreExpiry);
        api.MapPut("/user", UpdateIdentifierAsync).RequireAppToken(AppOption.UserUpdate).RequireJwt();
        api.MapDelete("/user", DeleteUserAsync).RequireAppToken(AppOption.UserDelete).RequireJwt(JwtMode.Fresh);

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

        AppId app = context.Identity().App;
        string identifierHash = UserRules.IdentifierHash(data.Device.DeviceIdentifier);
        if (await users.IdentifierInUseAsync(app, identifierHash, ct))
        {
            return Reply.Error(ProtocolError.UserExists);
        }

        (UserId User, DeviceId Device)? created = await users.RegisterAsync(app, data, identifierHash, ct);
        return created is var (user, device)
            ? Reply.Ok(new RegisterOutput(user.Value, device.Value, data.Device.DeviceIdentifier))
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

    public static async Task<IResult> ListDevicesAsync(
        string lastTime, string lastId, HttpContext context, UserStore users, CancellationToken ct)
    {
        if (!UserRules.TryParseTime(lastTime, out long time))
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
        if (!UserRules.TryParseTime(lastTime, out long time))
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
