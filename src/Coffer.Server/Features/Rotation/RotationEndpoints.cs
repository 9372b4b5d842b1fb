using Coffer.Protocol;
using Coffer.Protocol.Groups;
using Coffer.Server.Api;
using Coffer.Server.Auth;
using Coffer.Server.Features.Groups;

namespace Coffer.Server.Features.Rotation;

/// <summary>
/// Key rotation of groups (api.md §4.11) and of user keys (§4.3), behaviour in §6; plus our progress endpoints outside
/// the sentc paths (docs/openapi/coffer-extensions.yaml).
/// </summary>
public static class RotationEndpoints
{
    /// <summary>Prefix of Coffer's own endpoints (not part of the sentc protocol).</summary>
    public const string ExtensionPrefix = "/api/coffer/v1";

    public static IEndpointRouteBuilder MapRotation(this IEndpointRouteBuilder api)
    {
        api.MapPost("/group/{groupId}/key_rotation", StartGroupAsync)
            .RequireAppToken(AppOption.GroupKeyRotation).RequireJwt().RequireGroupAccess();
        api.MapGet("/group/{groupId}/key_rotation", PendingGroupAsync)
            .RequireAppToken(AppOption.GroupGet).RequireJwt().RequireGroupAccess();
        api.MapPut("/group/{groupId}/key_rotation/{keyId}", FinishGroupAsync)
            .RequireAppToken(AppOption.GroupGet).RequireJwt().RequireGroupAccess();

        api.MapPost("/user/user_keys/rotation", StartUserAsync).RequireAppToken(AppOption.UserKeyUpdate).RequireJwt();
        api.MapGet("/user/user_keys/rotation", PendingUserAsync).RequireAppToken(AppOption.UserKeyUpdate).RequireJwt();
        api.MapPut("/user/user_keys/rotation/{keyId}", FinishUserAsync).RequireAppToken(AppOption.UserKeyUpdate).RequireJwt();
        return api;
    }

    /// <summary>GET …/progress for a group rotation (JWT + group access) and for a user-key rotation (JWT, own user group).</summary>
    public static IEndpointRouteBuilder MapRotationProgress(this IEndpointRouteBuilder extensions)
    {
        extensions.MapGet("/group/{groupId}/key_rotation/{keyId}/progress", GroupProgressAsync)
            .RequireAppToken(AppOption.GroupGet).RequireJwt().RequireGroupAccess();
        extensions.MapGet("/user/user_keys/rotation/{keyId}/progress", UserProgressAsync)
            .RequireAppToken(AppOption.UserKeyUpdate).RequireJwt();
        return extensions;
    }

    public static async Task<IResult> StartGroupAsync(
        JsonBody<KeyRotationData> body, HttpContext context, RotationStore rotations, RotationSignal signal, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        GroupAccess access = context.GroupAccess();
        Outcome<KeyRotationStartServerOutput> started = await rotations.StartGroupRotationAsync(
            identity.App, access.Group.Value, identity.User.Value, MemberGroupHeader(context), body.Value, ct);
        return Answer(started, signal);
    }

    public static async Task<IResult> PendingGroupAsync(HttpContext context, RotationStore rotations, CancellationToken ct)
    {
        GroupAccess access = context.GroupAccess();
        return Reply.Ok(await rotations.PendingAsync(access.Group.Value, access.Member, ct));
    }

    public static async Task<IResult> FinishGroupAsync(
        string keyId, JsonBody<DoneKeyRotationData> body, HttpContext context, RotationStore rotations, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        GroupAccess access = context.GroupAccess();
        ProtocolError? error = await rotations.FinishGroupRotationAsync(
            identity.App, access.Group.Value, identity.User.Value, MemberGroupHeader(context), keyId, body.Value, ct);
        return error is null ? Reply.Success() : Reply.Error(error);
    }

    public static async Task<IResult> StartUserAsync(
        JsonBody<KeyRotationData> body, HttpContext context, RotationStore rotations, RotationSignal signal, CancellationToken ct)
    {
        KeyRotationData data = body.Value;
        if (!RotationRules.HasUserKeys(data))
        {
            return Reply.Error(ProtocolError.UserKeysNotFound);
        }

        if (RotationRules.CheckIds(data) is ProtocolError idError)
        {
            return Reply.Error(idError);
        }

        RequestIdentity identity = context.Identity();
        return Answer(await rotations.StartUserRotationAsync(identity.App, identity.User, identity.Device, data, ct), signal);
    }

    public static async Task<IResult> PendingUserAsync(HttpContext context, RotationStore rotations, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        IReadOnlyList<KeyRotationInput>? pending = await rotations.UserPendingAsync(identity.App, identity.User, identity.Device, ct);
        return pending is null ? Reply.Error(ProtocolError.UserNotFound) : Reply.Ok(pending);
    }

    public static async Task<IResult> FinishUserAsync(
        string keyId, JsonBody<DoneKeyRotationData> body, HttpContext context, RotationStore rotations, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        ProtocolError? error = await rotations.FinishUserRotationAsync(identity.App, identity.User, identity.Device, keyId, body.Value, ct);
        return error is null ? Reply.Success() : Reply.Error(error);
    }

    public static async Task<IResult> GroupProgressAsync(string keyId, HttpContext context, RotationStore rotations, CancellationToken ct)
    {
        KeyRotationProgress? progress = await rotations.ProgressAsync(context.GroupAccess().Group.Value, keyId, ct);
        return progress is null ? Reply.Error(ProtocolError.GroupKeyNotFound) : Reply.Ok(progress);
    }

    public static async Task<IResult> UserProgressAsync(string keyId, HttpContext context, RotationStore rotations, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        KeyRotationProgress? progress = await rotations.UserProgressAsync(identity.App, identity.User, identity.Device, keyId, ct);
        return progress is null ? Reply.Error(ProtocolError.GroupKeyNotFound) : Reply.Ok(progress);
    }

    private static IResult Answer(Outcome<KeyRotationStartServerOutput> started, RotationSignal signal)
    {
        if (started.Value is null)
        {
            return Reply.Error(started.Error!);
        }

        signal.Notify();
        return Reply.Ok(started.Value);
    }

    /// <summary>The member-group header, already checked for UUID format by the pipeline (null when absent).</summary>
    private static string? MemberGroupHeader(HttpContext context) =>
        context.Request.Headers[GroupAccessResolver.AccessHeader] is { Count: > 0 } values && !string.IsNullOrEmpty(values[0]) ? values[0] : null;
}
