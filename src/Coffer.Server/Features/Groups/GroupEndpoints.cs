using Coffer.Protocol;
using Coffer.Protocol.Groups;
using Coffer.Server.Api;
using Coffer.Server.Auth;
using Coffer.Server.Features.Users;

namespace Coffer.Server.Features.Groups;

/// <summary>
/// Group lifecycle, reads and ranks: api.md §4.5, §4.9, §4.10 (create connected, list a group's memberships), §4.12,
/// §4.13, §4.14 (delete), §4.15 (forced create, delete, member check), §4.16, §4.19. Requirements are route metadata;
/// mutating handlers re-resolve access inside their transaction (<see cref="GroupStore"/>).
/// </summary>
public static class GroupEndpoints
{
    public static IEndpointRouteBuilder MapGroups(this IEndpointRouteBuilder api)
    {
        api.MapPost("/group", CreateAsync).RequireAppToken(AppOption.GroupCreate).RequireJwt();
        api.MapPost("/group/light", CreateLightAsync).RequireAppToken(AppOption.GroupCreate).RequireJwt();
        api.MapGet("/group/all/{lastTime}/{lastId}", ListAllAsync).RequireAppToken(AppOption.GroupList).RequireJwt();

        api.MapGet("/group/{groupId}", GetAsync).RequireAppToken(AppOption.GroupGet).RequireJwt().RequireGroupAccess();
        api.MapGet("/group/{groupId}/light", GetLightAsync).RequireAppToken(AppOption.GroupGet).RequireJwt().RequireGroupAccess();
        api.MapGet("/group/{groupId}/update_check", UpdateCheckAsync)
            .RequireAppToken(AppOption.GroupUserUpdateCheck).RequireJwt().RequireGroupAccess();
        api.MapGet("/group/{groupId}/update_check_light", UpdateCheckLight)
            .RequireAppToken(AppOption.GroupUserUpdateCheck).RequireJwt().RequireGroupAccess();
        api.MapGet("/group/{groupId}/keys/{lastTime}/{lastId}", KeysAsync)
            .RequireAppToken(AppOption.GroupUserKeys).RequireJwt().RequireGroupAccess();
        api.MapGet("/group/{groupId}/key/{keyId}", KeyAsync).RequireAppToken(AppOption.GroupUserKeys).RequireJwt().RequireGroupAccess();
        api.MapGet("/group/{groupId}/children/{lastTime}/{lastId}", ChildrenAsync)
            .RequireAppToken(AppOption.GroupList).RequireJwt().RequireGroupAccess();
        api.MapGet("/group/{groupId}/all/{lastTime}/{lastId}", GroupMembershipsAsync)
            .RequireAppToken(AppOption.GroupList).RequireJwt().RequireGroupAccess();
        api.MapGet("/group/{groupId}/member/{lastTime}/{lastId}", MembersAsync).RequireAnyAppToken().RequireJwt().RequireGroupAccess();

        api.MapPost("/group/{groupId}/child", CreateChildAsync)
            .RequireAppToken(AppOption.GroupCreate).RequireJwt().RequireGroupAccess(Ranks.Admin);
        api.MapPost("/group/{groupId}/child/light", CreateChildLightAsync)
            .RequireAppToken(AppOption.GroupCreate).RequireJwt().RequireGroupAccess(Ranks.Admin);
        api.MapPost("/group/{groupId}/connected", CreateConnectedAsync)
            .RequireAppToken(AppOption.GroupCreate).RequireJwt().RequireGroupAccess(Ranks.Admin);
        api.MapPost("/group/{groupId}/connected/light", CreateConnectedLightAsync)
            .RequireAppToken(AppOption.GroupCreate).RequireJwt().RequireGroupAccess(Ranks.Admin);

        api.MapPut("/group/{groupId}/change_rank", ChangeRankAsync)
            .RequireAppToken(AppOption.GroupChangeRank).RequireJwt().RequireGroupAccess(Ranks.Admin);
        api.MapPatch("/group/{groupId}/change_invite", ChangeInviteAsync)
            .RequireAppToken(AppOption.GroupInviteStop).RequireJwt().RequireGroupAccess(Ranks.Admin);
        api.MapDelete("/group/{groupId}", DeleteAsync).RequireAppToken(AppOption.GroupDelete).RequireJwt().RequireGroupAccess(Ranks.Admin);

        api.MapDelete("/group/forced/{groupId}", ForcedDeleteAsync).RequireSecretToken();
        api.MapGet("/group/forced/{groupId}/user/{userId}", ForcedMemberAsync).RequireSecretToken();
        api.MapPost("/group/forced/{userId}", ForcedCreateAsync).RequireSecretToken();
        api.MapPost("/group/forced/{userId}/light", ForcedCreateLightAsync).RequireSecretToken();
        api.MapPost("/group/forced/{userId}/{groupId}/child", ForcedCreateChildAsync)
            .RequireSecretToken().RequireGroupAccessFor("userId", Ranks.Admin);
        api.MapPost("/group/forced/{userId}/{groupId}/child/light", ForcedCreateChildLightAsync)
            .RequireSecretToken().RequireGroupAccessFor("userId", Ranks.Admin);
        api.MapPost("/group/forced/{userId}/{groupId}/connected", ForcedCreateConnectedAsync)
            .RequireSecretToken().RequireGroupAccessFor("userId", Ranks.Admin);
        api.MapPost("/group/forced/{userId}/{groupId}/connected/light", ForcedCreateConnectedLightAsync)
            .RequireSecretToken().RequireGroupAccessFor("userId", Ranks.Admin);
        return api;
    }

    public static async Task<IResult> CreateAsync(JsonBody<CreateData> body, HttpContext context, GroupStore groups, CancellationToken ct) =>
        Created(await groups.CreateRootAsync(context.Identity().App, context.Identity().User.Value, body.Value, ct));

    public static async Task<IResult> CreateLightAsync(HttpContext context, GroupStore groups, CancellationToken ct) =>
        Created(await groups.CreateRootAsync(context.Identity().App, context.Identity().User.Value, data: null, ct));

    public static async Task<IResult> ListAllAsync(string lastTime, string lastId, HttpContext context, GroupStore groups, CancellationToken ct) =>
        PageCursor.TryParseTime(lastTime, out long time)
            ? Reply.Ok(await groups.MembershipsAsync(context.Identity().App, context.Identity().User.Value, time, lastId, ct))
            : Reply.Error(ProtocolError.UnexpectedTime);

    public static async Task<IResult> GetAsync(HttpContext context, GroupStore groups, CancellationToken ct) =>
        Reply.Ok(await groups.GroupDataAsync(context.GroupAccess(), ct));

    public static IResult GetLightAsync(HttpContext context)
    {
        GroupAccess access = context.GroupAccess();
        return Reply.Ok(new GroupLightServerData(
            access.Group.Value, access.ParentId, access.Rank, access.CreatedAt, access.JoinedAt, access.AccessBy, access.IsConnected));
    }

    public static async Task<IResult> UpdateCheckAsync(HttpContext context, GroupStore groups, CancellationToken ct)
    {
        GroupAccess access = context.GroupAccess();
        return Reply.Ok(new GroupDataCheckUpdateServerOutput(await groups.KeyUpdateAsync(access, ct), access.Rank));
    }

    public static IResult UpdateCheckLight(HttpContext context) =>
        Reply.Ok(new GroupDataCheckUpdateServerOutputLight(context.GroupAccess().Rank));

    public static async Task<IResult> KeysAsync(string lastTime, string lastId, HttpContext context, GroupStore groups, CancellationToken ct) =>
        PageCursor.TryParseTime(lastTime, out long time)
            ? Reply.Ok(await groups.KeysAsync(context.GroupAccess(), time, lastId, ct))
            : Reply.Error(ProtocolError.UnexpectedTime);

    public static async Task<IResult> KeyAsync(string keyId, HttpContext context, GroupStore groups, CancellationToken ct) =>
        await groups.KeyAsync(context.GroupAccess(), keyId, ct) is GroupKeyServerOutput key
            ? Reply.Ok(key)
            : Reply.Error(ProtocolError.GroupKeyNotFound);

    public static async Task<IResult> ChildrenAsync(string lastTime, string lastId, HttpContext context, GroupStore groups, CancellationToken ct) =>
        PageCursor.TryParseTime(lastTime, out long time)
            ? Reply.Ok(await groups.ChildrenAsync(context.Identity().App, context.GroupAccess().Group, time, lastId, ct))
            : Reply.Error(ProtocolError.UnexpectedTime);

    public static async Task<IResult> GroupMembershipsAsync(
        string lastTime, string lastId, HttpContext context, GroupStore groups, CancellationToken ct) =>
        PageCursor.TryParseTime(lastTime, out long time)
            ? Reply.Ok(await groups.MembershipsAsync(context.Identity().App, context.GroupAccess().Group.Value, time, lastId, ct))
            : Reply.Error(ProtocolError.UnexpectedTime);

    public static async Task<IResult> MembersAsync(string lastTime, string lastId, HttpContext context, GroupStore groups, CancellationToken ct) =>
        PageCursor.TryParseTime(lastTime, out long time)
            ? Reply.Ok(await groups.MembersAsync(context.GroupAccess(), time, lastId, ct))
            : Reply.Error(ProtocolError.UnexpectedTime);

    public static async Task<IResult> CreateChildAsync(
        string groupId, JsonBody<CreateData> body, HttpContext context, GroupStore groups, CancellationToken ct) =>
        Created(await groups.CreateSubGroupAsync(Actor(context), groupId, SubGroupKind.Child, body.Value, ct));

    public static async Task<IResult> CreateChildLightAsync(string groupId, HttpContext context, GroupStore groups, CancellationToken ct) =>
        Created(await groups.CreateSubGroupAsync(Actor(context), groupId, SubGroupKind.Child, data: null, ct));

    public static async Task<IResult> CreateConnectedAsync(
        string groupId, JsonBody<CreateData> body, HttpContext context, GroupStore groups, CancellationToken ct) =>
        Created(await groups.CreateSubGroupAsync(Actor(context), groupId, SubGroupKind.Connected, body.Value, ct));

    public static async Task<IResult> CreateConnectedLightAsync(string groupId, HttpContext context, GroupStore groups, CancellationToken ct) =>
        Created(await groups.CreateSubGroupAsync(Actor(context), groupId, SubGroupKind.Connected, data: null, ct));

    public static async Task<IResult> ChangeRankAsync(
        string groupId, JsonBody<GroupChangeRankInput> body, HttpContext context, GroupStore groups, CancellationToken ct) =>
        Done(await groups.ChangeRankAsync(Actor(context), groupId, body.Value.ChangedUserId, body.Value.NewRank, ct));

    public static async Task<IResult> ChangeInviteAsync(string groupId, HttpContext context, GroupStore groups, CancellationToken ct) =>
        Done(await groups.ToggleInviteAsync(Actor(context), groupId, ct));

    public static async Task<IResult> DeleteAsync(string groupId, HttpContext context, GroupStore groups, CancellationToken ct) =>
        Done(await groups.DeleteAsync(Actor(context), groupId, ct));

    public static async Task<IResult> ForcedDeleteAsync(string groupId, HttpContext context, GroupStore groups, CancellationToken ct) =>
        NewId.IsUuid(groupId)
            ? Done(await groups.ForcedDeleteAsync(context.Identity().App, groupId, ct))
            : Reply.Error(ProtocolError.IdWrongFormat);

    public static async Task<IResult> ForcedMemberAsync(
        string groupId, string userId, HttpContext context, GroupStore groups, CancellationToken ct)
    {
        if (!NewId.IsUuid(groupId))
        {
            return Reply.Error(ProtocolError.IdWrongFormat);
        }

        (GroupUserListItem? member, ProtocolError? error) = await groups.DirectMemberAsync(context.Identity().App, groupId, userId, ct);
        return member is null ? Reply.Error(error!) : Reply.Ok(member);
    }

    public static async Task<IResult> ForcedCreateAsync(
        string userId, JsonBody<CreateData> body, HttpContext context, GroupStore groups, UserStore users, CancellationToken ct) =>
        await users.UserExistsAsync(context.Identity().App, userId, ct)
            ? Created(await groups.CreateRootAsync(context.Identity().App, userId, body.Value, ct))
            : Reply.Error(ProtocolError.UserNotFound);

    public static async Task<IResult> ForcedCreateLightAsync(
        string userId, HttpContext context, GroupStore groups, UserStore users, CancellationToken ct) =>
        await users.UserExistsAsync(context.Identity().App, userId, ct)
            ? Created(await groups.CreateRootAsync(context.Identity().App, userId, data: null, ct))
            : Reply.Error(ProtocolError.UserNotFound);

    public static async Task<IResult> ForcedCreateChildAsync(
        string userId, string groupId, JsonBody<CreateData> body, HttpContext context, GroupStore groups, CancellationToken ct) =>
        Created(await groups.CreateSubGroupAsync(Actor(context, userId), groupId, SubGroupKind.Child, body.Value, ct));

    public static async Task<IResult> ForcedCreateChildLightAsync(
        string userId, string groupId, HttpContext context, GroupStore groups, CancellationToken ct) =>
        Created(await groups.CreateSubGroupAsync(Actor(context, userId), groupId, SubGroupKind.Child, data: null, ct));

    public static async Task<IResult> ForcedCreateConnectedAsync(
        string userId, string groupId, JsonBody<CreateData> body, HttpContext context, GroupStore groups, CancellationToken ct) =>
        Created(await groups.CreateSubGroupAsync(Actor(context, userId), groupId, SubGroupKind.Connected, body.Value, ct));

    public static async Task<IResult> ForcedCreateConnectedLightAsync(
        string userId, string groupId, HttpContext context, GroupStore groups, CancellationToken ct) =>
        Created(await groups.CreateSubGroupAsync(Actor(context, userId), groupId, SubGroupKind.Connected, data: null, ct));

    /// <summary>The caller as the store re-resolves it: the JWT user, or the forced route's <c>:user_id</c>.</summary>
    public static GroupActor Actor(HttpContext context, string? user = null) =>
        new(context.Identity().App, user ?? context.Identity().User.Value, GroupRules.MemberGroupHeader(context));

    private static IResult Created(string group) => Reply.Ok(new GroupCreateOutput(group));

    private static IResult Created(CreateOutcome outcome) =>
        outcome.GroupId is string group ? Created(group) : Reply.Error(outcome.Error!);

    private static IResult Done(ProtocolError? error) => error is null ? Reply.Success() : Reply.Error(error);
}
