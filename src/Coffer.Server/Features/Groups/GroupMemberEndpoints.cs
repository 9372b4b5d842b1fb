using Coffer.Protocol;
using Coffer.Protocol.Groups;
using Coffer.Server.Api;
using Coffer.Server.Auth;

namespace Coffer.Server.Features.Groups;

/// <summary>
/// Every change of group membership: invites (§4.7, §4.19), join requests (§4.8), key sessions (§4.6), groups acting
/// as members (§4.10), leave and kick (§4.14) and the forced variants (§4.15). Invites check the caller's rank
/// themselves, because §4.7 puts the connected-group errors before the rank error.
/// </summary>
public static class GroupMemberEndpoints
{
    private const string InviteMessage = "Invite sent.";
    private const string MemberMessage = "Member added.";

    public static IEndpointRouteBuilder MapGroupMembers(this IEndpointRouteBuilder api)
    {
        // Invites by a member of the group (rank checked in the use case, §4.7 order).
        MapInvite(api, "/group/{groupId}/invite/{target}", AppOption.GroupInvite, TargetKind.User, InviteMode.Invite);
        MapInvite(api, "/group/{groupId}/invite_auto/{target}", AppOption.GroupAutoInvite, TargetKind.User, InviteMode.Auto);
        MapInvite(api, "/group/{groupId}/invite_group/{target}", AppOption.GroupInvite, TargetKind.Group, InviteMode.Invite);
        MapInvite(api, "/group/{groupId}/invite_group_auto/{target}", AppOption.GroupAutoInvite, TargetKind.Group, InviteMode.Auto);
        MapInvite(api, "/group/{groupId}/invite_group_auto_force/{target}", null, TargetKind.Group, InviteMode.Auto, force: true);
        MapReInvite(api, "/group/{groupId}/re_invite/{target}", AppOption.GroupAutoInvite, TargetKind.User, force: false);
        MapReInvite(api, "/group/{groupId}/re_invite_group/{target}", AppOption.GroupAutoInvite, TargetKind.Group, force: false);
        MapReInvite(api, "/group/{groupId}/re_invite_group_force/{target}", null, TargetKind.Group, force: true);

        // The invited user; the invited group (gid, r ≤ 1 in gid) under both URL forms (§8 #7).
        api.MapGet("/group/invite/{lastTime}/{lastId}", UserInvitesAsync).RequireAppToken(AppOption.GroupInvite).RequireJwt();
        api.MapPatch("/group/{groupId}/invite", AcceptInviteAsync).RequireAppToken(AppOption.GroupAcceptInvite).RequireJwt();
        api.MapDelete("/group/{groupId}/invite", RejectInviteAsync).RequireAppToken(AppOption.GroupRejectInvite).RequireJwt();
        api.MapGet("/group/{groupId}/invite/{lastTime}/{lastId}", GroupInvitesAsync)
            .RequireAppToken(AppOption.GroupInvite).RequireJwt().RequireGroupAccess(Ranks.Admin);
        foreach (string path in (string[])["/group/{groupId}/invite/{target}", "/group/{groupId}/{target}/invite"])
        {
            api.MapPatch(path, GroupAcceptInviteAsync).RequireAppToken(AppOption.GroupAcceptInvite).RequireJwt().RequireGroupAccess(Ranks.Admin);
            api.MapDelete(path, GroupRejectInviteAsync).RequireAppToken(AppOption.GroupRejectInvite).RequireJwt().RequireGroupAccess(Ranks.Admin);
        }

        // Join requests of a user.
        api.MapPatch("/group/{groupId}/join_req", SendJoinRequestAsync).RequireAppToken(AppOption.GroupJoinReq).RequireJwt();
        api.MapGet("/group/joins/{lastTime}/{lastId}", UserJoinRequestsAsync).RequireAppToken(AppOption.GroupJoinReq).RequireJwt();
        api.MapDelete("/group/joins/{target}", WithdrawJoinRequestAsync).RequireAppToken(AppOption.GroupJoinReq).RequireJwt();

        // Join requests to the group (r ≤ 2).
        api.MapGet("/group/{groupId}/join_req/{lastTime}/{lastId}", JoinRequestsAsync)
            .RequireAppToken(AppOption.GroupJoinReq).RequireJwt().RequireGroupAccess(Ranks.Manager);
        api.MapPut("/group/{groupId}/join_req/{target}", AcceptJoinRequestAsync)
            .RequireAppToken(AppOption.GroupAcceptJoinReq).RequireJwt().RequireGroupAccess(Ranks.Manager);
        api.MapPut("/group/{groupId}/join_req/{target}/light", AcceptJoinRequestLightAsync)
            .RequireAppToken(AppOption.GroupAcceptJoinReq).RequireJwt().RequireGroupAccess(Ranks.Manager);
        api.MapDelete("/group/{groupId}/join_req/{target}", RejectJoinRequestAsync)
            .RequireAppToken(AppOption.GroupRejectJoinReq).RequireJwt().RequireGroupAccess(Ranks.Manager);

        // Join requests of the group gid (r ≤ 1 in gid).
        api.MapPatch("/group/{groupId}/join_req/{target}", GroupSendJoinRequestAsync)
            .RequireAppToken(AppOption.GroupJoinReq).RequireJwt().RequireGroupAccess(Ranks.Admin);
        api.MapGet("/group/{groupId}/joins/{lastTime}/{lastId}", GroupJoinRequestsSentAsync)
            .RequireAppToken(AppOption.GroupJoinReq).RequireJwt().RequireGroupAccess(Ranks.Admin);
        api.MapDelete("/group/{groupId}/joins/{target}", GroupWithdrawJoinRequestAsync)
            .RequireAppToken(AppOption.GroupJoinReq).RequireJwt().RequireGroupAccess(Ranks.Admin);

        // Key sessions (no option, no rank).
        api.MapPut("/group/{groupId}/invite/session/{sessionId}", InviteSessionKeysAsync).RequireJwt().RequireGroupAccess();
        api.MapPut("/group/{groupId}/join_req/session/{sessionId}", MemberSessionKeysAsync).RequireJwt().RequireGroupAccess();

        // Leave and kick.
        api.MapDelete("/group/{groupId}/leave", LeaveAsync).RequireAppToken(AppOption.GroupLeave).RequireJwt().RequireGroupAccess();
        api.MapDelete("/group/{groupId}/kick/{target}", KickAsync)
            .RequireAppToken(AppOption.GroupUserDelete).RequireJwt().RequireGroupAccess(Ranks.Manager);

        // Forced (secret token), acting as :userId.
        api.MapDelete("/group/forced/{userId}/{groupId}/kick/{target}", ForcedKickAsync)
            .RequireSecretToken().RequireGroupAccessFor("userId", Ranks.Manager);
        MapForcedInvite(api, "/group/forced/{userId}/{groupId}/invite_auto/{target}", TargetKind.User, light: false);
        MapForcedInvite(api, "/group/forced/{userId}/{groupId}/invite_auto/{target}/light", TargetKind.User, light: true);
        MapForcedInvite(api, "/group/forced/{userId}/{groupId}/invite_auto/{target}/group", TargetKind.Group, light: false);
        MapForcedInvite(api, "/group/forced/{userId}/{groupId}/invite_auto/{target}/group_light", TargetKind.Group, light: true);
        return api;
    }

    private static void MapInvite(
        IEndpointRouteBuilder api, string path, AppOption? option, TargetKind kind, InviteMode mode, bool force = false)
    {
        RouteHandlerBuilder full = api.MapPut(path, (string target, JsonBody<GroupKeysForNewMemberServerInput> body, HttpContext context,
            GroupMemberStore store, CancellationToken ct) =>
            InviteAsync(target, body.Value, context, store, new InviteRequest(kind, mode, force, body.Value.Keys, body.Value.Rank, body.Value.KeySession), ct));
        RouteHandlerBuilder light = api.MapPut(path + "/light", (string target, JsonBody<GroupNewMemberLightInput> body, HttpContext context,
            GroupMemberStore store, CancellationToken ct) =>
            InviteLightAsync(target, context, store, new InviteRequest(kind, mode, force, null, body.Value.Rank, false), ct));
        foreach (RouteHandlerBuilder route in (RouteHandlerBuilder[])[full, light])
        {
            Require(route, option).RequireJwt().RequireGroupAccess();
        }
    }

    private static void MapReInvite(IEndpointRouteBuilder api, string path, AppOption? option, TargetKind kind, bool force) =>
        Require(api.MapPut(path, (string target, JsonBody<GroupKeysForNewMemberServerInput> body, HttpContext context,
            GroupMemberStore store, CancellationToken ct) =>
            InviteAsync(target, body.Value, context, store, new InviteRequest(kind, InviteMode.ReInvite, force, body.Value.Keys, null, body.Value.KeySession), ct)), option)
            .RequireJwt().RequireGroupAccess();

    private static void MapForcedInvite(IEndpointRouteBuilder api, string path, TargetKind kind, bool light)
    {
        // Forced group invites skip the connected-group checks (§4.15).
        RouteHandlerBuilder route = light
            ? api.MapPost(path, (string userId, string target, JsonBody<GroupNewMemberLightInput> body, HttpContext context,
                GroupMemberStore store, CancellationToken ct) =>
                InviteLightAsync(target, context, store, new InviteRequest(kind, InviteMode.Auto, true, null, body.Value.Rank, false), ct, userId))
            : api.MapPost(path, (string userId, string target, JsonBody<GroupKeysForNewMemberServerInput> body, HttpContext context,
                GroupMemberStore store, CancellationToken ct) =>
                InviteAsync(target, body.Value, context, store,
                    new InviteRequest(kind, InviteMode.Auto, true, body.Value.Keys, body.Value.Rank, body.Value.KeySession), ct, userId));
        route.RequireSecretToken().RequireGroupAccessFor("userId", Ranks.Manager);
    }

    private static RouteHandlerBuilder Require(RouteHandlerBuilder route, AppOption? option) =>
        option is null ? route.RequireSecretToken() : route.RequireAppToken(option);

    /// <summary>The group of the route (resolved by the pipeline).</summary>
    private static string Group(HttpContext context) => context.GroupAccess().Group.Value;

    private static IResult Answer(MemberOutcome outcome) => outcome.Error is null ? Reply.Success() : Reply.Error(outcome.Error);

    private static IResult AnswerWithSession(MemberOutcome outcome, string message) =>
        outcome.Error is null ? Reply.Ok(new GroupInviteServerOutput(outcome.SessionId, message)) : Reply.Error(outcome.Error);

    // ---- invites ---------------------------------------------------------------------------------------------------

    private static async Task<IResult> InviteAsync(
        string target, GroupKeysForNewMemberServerInput body, HttpContext context, GroupMemberStore store, InviteRequest request,
        CancellationToken ct, string? forcedUser = null)
    {
        MemberOutcome outcome = await store.InviteAsync(GroupEndpoints.Actor(context, forcedUser), Group(context), target, request, ct);
        return AnswerWithSession(outcome, request.Mode == InviteMode.Invite ? InviteMessage : MemberMessage);
    }

    private static async Task<IResult> InviteLightAsync(
        string target, HttpContext context, GroupMemberStore store, InviteRequest request, CancellationToken ct, string? forcedUser = null) =>
        Answer(await store.InviteAsync(GroupEndpoints.Actor(context, forcedUser), Group(context), target, request, ct));

    public static async Task<IResult> UserInvitesAsync(
        string lastTime, string lastId, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        if (!PageCursor.TryParseTime(lastTime, out long time))
        {
            return Reply.Error(ProtocolError.UnexpectedTime);
        }

        RequestIdentity identity = context.Identity();
        return Reply.Ok(await store.RequestsOfMemberAsync(identity.App, identity.User.Value, invites: true, time, lastId, ct));
    }

    public static async Task<IResult> GroupInvitesAsync(
        string lastTime, string lastId, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        if (!PageCursor.TryParseTime(lastTime, out long time))
        {
            return Reply.Error(ProtocolError.UnexpectedTime);
        }

        return Reply.Ok(await store.RequestsOfMemberAsync(
            context.Identity().App, context.GroupAccess().Group.Value, invites: true, time, lastId, ct));
    }

    public static async Task<IResult> AcceptInviteAsync(string groupId, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        return Answer(await store.AcceptInviteAsync(identity.App, groupId, identity.User.Value, onBehalf: null, ct));
    }

    public static async Task<IResult> RejectInviteAsync(string groupId, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        return Answer(await store.RejectInviteAsync(identity.App, groupId, identity.User.Value, onBehalf: null, ct));
    }

    public static async Task<IResult> GroupAcceptInviteAsync(string target, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        GroupActor actor = GroupEndpoints.Actor(context);
        return Answer(await store.AcceptInviteAsync(actor.App, target, Group(context), actor, ct));
    }

    public static async Task<IResult> GroupRejectInviteAsync(string target, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        GroupActor actor = GroupEndpoints.Actor(context);
        return Answer(await store.RejectInviteAsync(actor.App, target, Group(context), actor, ct));
    }

    // ---- join requests ---------------------------------------------------------------------------------------------

    public static async Task<IResult> SendJoinRequestAsync(string groupId, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        return Answer(await store.SendJoinRequestAsync(identity.App, groupId, identity.User.Value, asGroup: null, ct));
    }

    public static async Task<IResult> UserJoinRequestsAsync(
        string lastTime, string lastId, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        if (!PageCursor.TryParseTime(lastTime, out long time))
        {
            return Reply.Error(ProtocolError.UnexpectedTime);
        }

        RequestIdentity identity = context.Identity();
        return Reply.Ok(await store.RequestsOfMemberAsync(identity.App, identity.User.Value, invites: false, time, lastId, ct));
    }

    public static async Task<IResult> WithdrawJoinRequestAsync(string target, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        RequestIdentity identity = context.Identity();
        return Answer(await store.WithdrawJoinRequestAsync(identity.App, target, identity.User.Value, asGroup: null, ct));
    }

    public static async Task<IResult> JoinRequestsAsync(
        string lastTime, string lastId, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        if (!PageCursor.TryParseTime(lastTime, out long time))
        {
            return Reply.Error(ProtocolError.UnexpectedTime);
        }

        return Reply.Ok(await store.JoinRequestsOfGroupAsync(context.GroupAccess().Group.Value, time, lastId, ct));
    }

    public static async Task<IResult> AcceptJoinRequestAsync(
        string target, JsonBody<GroupKeysForNewMemberServerInput> body, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        GroupKeysForNewMemberServerInput input = body.Value;
        MemberOutcome outcome = await store.AcceptJoinRequestAsync(GroupEndpoints.Actor(context), Group(context), target, input.Keys, input.Rank, input.KeySession, ct);
        return AnswerWithSession(outcome, MemberMessage);
    }

    public static async Task<IResult> AcceptJoinRequestLightAsync(
        string target, JsonBody<GroupNewMemberLightInput> body, HttpContext context, GroupMemberStore store, CancellationToken ct) =>
        Answer(await store.AcceptJoinRequestAsync(GroupEndpoints.Actor(context), Group(context), target, keys: null, body.Value.Rank, keySession: false, ct));

    public static async Task<IResult> RejectJoinRequestAsync(string target, HttpContext context, GroupMemberStore store, CancellationToken ct) =>
        Answer(await store.RejectJoinRequestAsync(GroupEndpoints.Actor(context), Group(context), target, ct));

    public static async Task<IResult> GroupSendJoinRequestAsync(string target, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        GroupActor actor = GroupEndpoints.Actor(context);
        return Answer(await store.SendJoinRequestAsync(actor.App, target, Group(context), actor, ct));
    }

    public static async Task<IResult> GroupJoinRequestsSentAsync(
        string lastTime, string lastId, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        if (!PageCursor.TryParseTime(lastTime, out long time))
        {
            return Reply.Error(ProtocolError.UnexpectedTime);
        }

        return Reply.Ok(await store.RequestsOfMemberAsync(
            context.Identity().App, context.GroupAccess().Group.Value, invites: false, time, lastId, ct));
    }

    public static async Task<IResult> GroupWithdrawJoinRequestAsync(string target, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        GroupActor actor = GroupEndpoints.Actor(context);
        return Answer(await store.WithdrawJoinRequestAsync(actor.App, target, Group(context), actor, ct));
    }

    // ---- key sessions ----------------------------------------------------------------------------------------------

    public static Task<IResult> InviteSessionKeysAsync(
        string sessionId, JsonBody<IReadOnlyList<GroupKeysForNewMember>> body, HttpContext context, GroupMemberStore store, CancellationToken ct) =>
        SessionKeysAsync(sessionId, ofInvite: true, body.Value, context, store, ct);

    public static Task<IResult> MemberSessionKeysAsync(
        string sessionId, JsonBody<IReadOnlyList<GroupKeysForNewMember>> body, HttpContext context, GroupMemberStore store, CancellationToken ct) =>
        SessionKeysAsync(sessionId, ofInvite: false, body.Value, context, store, ct);

    private static async Task<IResult> SessionKeysAsync(
        string sessionId, bool ofInvite, IReadOnlyList<GroupKeysForNewMember> keys, HttpContext context, GroupMemberStore store, CancellationToken ct)
    {
        if (GroupMemberStore.CheckKeyCount(keys.Count) is ProtocolError countError)
        {
            return Reply.Error(countError);
        }

        return Answer(await store.AddSessionKeysAsync(GroupEndpoints.Actor(context), Group(context), sessionId, ofInvite, keys, ct));
    }

    // ---- leave and kick --------------------------------------------------------------------------------------------

    public static async Task<IResult> LeaveAsync(HttpContext context, GroupMemberStore store, CancellationToken ct) =>
        Answer(await store.LeaveAsync(GroupEndpoints.Actor(context), Group(context), ct));

    public static async Task<IResult> KickAsync(string target, HttpContext context, GroupMemberStore store, CancellationToken ct) =>
        Answer(await store.KickAsync(GroupEndpoints.Actor(context), Group(context), target, ct));

    public static async Task<IResult> ForcedKickAsync(string userId, string target, HttpContext context, GroupMemberStore store, CancellationToken ct) =>
        Answer(await store.KickAsync(GroupEndpoints.Actor(context, userId), Group(context), target, ct));
}
