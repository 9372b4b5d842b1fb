using System.Data.Common;
using Coffer.Protocol;
using Coffer.Protocol.Groups;
using Coffer.Server.Data;
using Dapper;

namespace Coffer.Server.Features.Groups;

public enum TargetKind
{
    User,
    Group,
}

public enum InviteMode
{
    /// <summary>Store an invite the target accepts or rejects.</summary>
    Invite,

    /// <summary>Make the target a member at once.</summary>
    Auto,

    /// <summary>Replace a member's row and keys, keeping its rank (§4.7).</summary>
    ReInvite,
}

/// <summary>
/// One invite call (§4.7, §4.15, §4.19). <see cref="Keys"/> is null for the light variants. <see cref="Force"/> skips
/// the connected-group rules (the secret-token variants).
/// </summary>
public sealed record InviteRequest(
    TargetKind Kind, InviteMode Mode, bool Force, IReadOnlyList<GroupKeysForNewMember>? Keys, int? Rank, bool KeySession);

/// <summary>Done (with the key session id, if one was opened) or the protocol error to answer.</summary>
public sealed record MemberOutcome(ProtocolError? Error, string? SessionId = null)
{
    public static MemberOutcome Done { get; } = new(null);

    public static implicit operator MemberOutcome(ProtocolError error) => new(error);
}

/// <summary>
/// Every change of group membership (api.md §4.6–§4.8, §4.10, §4.14, §4.15, §4.19): invites, join requests, key
/// sessions, accept/reject, leave and kick. Each mutating use case runs in one serializable transaction that resolves
/// the caller's access again and validates everything before its first write; the rank and ownership rules are also
/// predicates of the statements that delete rows.
/// </summary>
public sealed class GroupMemberStore(Database db, TimeProvider time)
{
    public const int PageSize = 50;

    /// <summary>Key sessions stay usable this long after they were opened (§4.6).</summary>
    public static readonly TimeSpan KeySessionLifetime = TimeSpan.FromHours(24);

    private const int InviteKind = 0;
    private const int JoinKind = 1;

    // ---- invites -------------------------------------------------------------------------------------------------

    /// <summary>All invite variants, in the validation order of §4.7 (steps 1–7), then the writes.</summary>
    public Task<MemberOutcome> InviteAsync(GroupActor actor, string group, string target, InviteRequest request, CancellationToken ct) =>
        RunAsync(async (c, tx) =>
        {
            if (await ResolveAsync(c, tx, actor, group, ct) is not GroupAccess access)
            {
                return ProtocolError.GroupAccess;
            }

            // 1. Connected-group rules for group targets (skipped by the _force variants).
            if (request.Kind == TargetKind.Group && !request.Force)
            {
                if (!access.IsConnected)
                {
                    return ProtocolError.GroupJoinAsConnectedGroup;
                }

                if (await NormalGroupAsync(c, tx, actor.App, target) is not GroupRow invited)
                {
                    return ProtocolError.GroupAccess;
                }

                if (invited.IsConnected)
                {
                    return ProtocolError.GroupJoinAsConnectedGroup;
                }
            }

            // 2. Caller rank.
            if (!access.AtLeast(Ranks.Manager))
            {
                return ProtocolError.GroupUserRank;
            }

            // 3. Key list.
            if (request.Keys is not null && CheckKeyCount(request.Keys.Count) is ProtocolError countError)
            {
                return countError;
            }

            // 4. Invites open (re-invite too).
            if (!access.InviteOpen)
            {
                return ProtocolError.GroupInviteStop;
            }

            // 5. New rank (re-invite keeps the old one).
            int rank = request.Rank ?? Ranks.Member;
            if (request.Mode != InviteMode.ReInvite && (!Ranks.IsAssignable(rank) || !access.AtLeast(rank)))
            {
                return ProtocolError.GroupUserRank;
            }

            // 6. The target exists in the app.
            if (request.Kind == TargetKind.User)
            {
                if (!await UserExistsAsync(c, tx, actor.App, target))
                {
                    return ProtocolError.UserNotFound;
                }
            }
            else if (request.Force)
            {
                if (await NormalGroupAsync(c, tx, actor.App, target) is null)
                {
                    return ProtocolError.GroupAccess;
                }
            }

            if (request.Kind == TargetKind.Group && target == group)
            {
                return ProtocolError.GroupJoinAsConnectedGroup; // a group is never a member of itself
            }

            // 7. Membership and pending invites.
            MemberRow? member = await MemberAsync(c, tx, group, target);
            int type = request.Kind == TargetKind.User ? (int)MemberType.User : (int)MemberType.GroupAsMember;
            if (request.Mode == InviteMode.ReInvite)
            {
                if (member is null)
                {
                    return ProtocolError.GroupReInviteMemberNotFound;
                }

                rank = member.Rank;
                type = member.MemberType;
            }
            else if (member is not null || await RequestKindAsync(c, tx, group, target) == InviteKind)
            {
                return ProtocolError.GroupUserExists;
            }

            if (request.Keys is not null && !await AreKeysOfGroupAsync(c, tx, group, request.Keys))
            {
                return ProtocolError.GroupKeyNotFound;
            }

            // Writes.
            long now = Now();
            string? session = request.Keys is not null && request.KeySession ? NewId.Uuid() : null;
            await RemoveMemberAsync(c, tx, group, target); // re-invite: the old row; otherwise stale key rows, if any
            await c.ExecuteAsync(
                "DELETE FROM membership_request WHERE group_id = @group AND member_id = @target AND kind = @kind",
                new { group, target, kind = JoinKind }, tx);
            if (request.Mode == InviteMode.Invite)
            {
                await c.ExecuteAsync(
                    """
                    INSERT INTO membership_request (group_id, member_id, kind, member_type, new_rank, created_at, key_session_id)
                    VALUES (@group, @target, @kind, @type, @rank, @now, @session)
                    """,
                    new { group, target, kind = InviteKind, type, rank, now, session }, tx);
            }
            else
            {
                await InsertMemberAsync(c, tx, group, target, type, rank, now, session, now);
            }

            if (request.Keys is not null)
            {
                await InsertKeysAsync(c, tx, group, target, request.Keys, now);
            }

            return new MemberOutcome(null, session);
        }, ct);

    /// <summary>PATCH /group/:gid/invite (the user) and PATCH /group/:gid/invite/:target (the group gid): accept.</summary>
    public Task<MemberOutcome> AcceptInviteAsync(AppId app, string group, string member, GroupActor? onBehalf, CancellationToken ct) =>
        RunAsync(async (c, tx) =>
        {
            if (onBehalf is not null && await CheckOnBehalfAsync(c, tx, onBehalf, member, ct) is ProtocolError error)
            {
                return error;
            }

            RequestRow? invite = await RequestInAppAsync(c, tx, app, group, member, InviteKind);
            if (invite is null)
            {
                return ProtocolError.GroupInviteNotFound;
            }

            // Allowed even if invites were stopped meanwhile (§4.7). A pending key session moves to the membership.
            await c.ExecuteAsync(
                "DELETE FROM membership_request WHERE group_id = @group AND member_id = @member AND kind = @kind",
                new { group, member, kind = InviteKind }, tx);
            await InsertMemberAsync(c, tx, group, member, invite.MemberType, invite.NewRank, Now(), invite.KeySessionId, invite.CreatedAt);
            return MemberOutcome.Done;
        }, ct);

    /// <summary>DELETE /group/:gid/invite (the user) and DELETE /group/:gid/invite/:target (the group gid): reject.</summary>
    public Task<MemberOutcome> RejectInviteAsync(AppId app, string group, string member, GroupActor? onBehalf, CancellationToken ct) =>
        RunAsync(async (c, tx) =>
        {
            if (onBehalf is not null && await CheckOnBehalfAsync(c, tx, onBehalf, member, ct) is ProtocolError error)
            {
                return error;
            }

            if (await RequestInAppAsync(c, tx, app, group, member, InviteKind) is null)
            {
                return ProtocolError.GroupInviteNotFound;
            }

            await c.ExecuteAsync(
                "DELETE FROM membership_request WHERE group_id = @group AND member_id = @member AND kind = @kind",
                new { group, member, kind = InviteKind }, tx);
            await RemoveMemberAsync(c, tx, group, member); // no member row exists; this drops the invite's key rows
            return MemberOutcome.Done;
        }, ct);

    // ---- join requests -------------------------------------------------------------------------------------------

    /// <summary>
    /// PATCH /group/:gid/join_req (a user, <paramref name="asGroup"/> null) and PATCH /group/:gid/join_req/:target (the
    /// group of <paramref name="asGroup"/> asks to join <paramref name="target"/>).
    /// </summary>
    public Task<MemberOutcome> SendJoinRequestAsync(AppId app, string target, string member, GroupActor? asGroup, CancellationToken ct) =>
        RunAsync(async (c, tx) =>
        {
            bool requesterIsGroup = asGroup is not null;
            if (asGroup is not null)
            {
                if (await CheckOnBehalfAsync(c, tx, asGroup, member, ct) is ProtocolError error)
                {
                    return error;
                }

                if ((await ResolveAsync(c, tx, asGroup, member, ct))!.IsConnected)
                {
                    return ProtocolError.GroupJoinAsConnectedGroup;
                }
            }

            if (await NormalGroupAsync(c, tx, app, target) is not GroupRow group)
            {
                return ProtocolError.GroupAccess;
            }

            if (requesterIsGroup && !group.IsConnected)
            {
                return ProtocolError.GroupJoinAsConnectedGroup;
            }

            if (!group.InviteOpen)
            {
                return ProtocolError.GroupInviteStop;
            }

            if (await MemberAsync(c, tx, target, member) is not null)
            {
                return ProtocolError.GroupUserExists;
            }

            // A duplicate request, or a pending invite, leaves everything as it is.
            await c.ExecuteAsync(
                """
                INSERT INTO membership_request (group_id, member_id, kind, member_type, new_rank, created_at, key_session_id)
                VALUES (@target, @member, @kind, @type, @rank, @now, NULL)
                ON CONFLICT (group_id, member_id) DO NOTHING
                """,
                new
                {
                    target, member, kind = JoinKind, rank = Ranks.Member, now = Now(),
                    type = requesterIsGroup ? (int)MemberType.GroupAsMember : (int)MemberType.User,
                },
                tx);
            return MemberOutcome.Done;
        }, ct);

    /// <summary>DELETE /group/joins/:gid2 and DELETE /group/:gid/joins/:target: withdraw (only kind join, §8 #15).</summary>
    public Task<MemberOutcome> WithdrawJoinRequestAsync(AppId app, string target, string member, GroupActor? asGroup, CancellationToken ct) =>
        RunAsync(async (c, tx) =>
        {
            if (asGroup is not null && await CheckOnBehalfAsync(c, tx, asGroup, member, ct) is ProtocolError error)
            {
                return error;
            }

            if (await NormalGroupAsync(c, tx, app, target) is null)
            {
                return ProtocolError.GroupAccess;
            }

            await c.ExecuteAsync(
                "DELETE FROM membership_request WHERE group_id = @target AND member_id = @member AND kind = @kind",
                new { target, member, kind = JoinKind }, tx);
            return MemberOutcome.Done;
        }, ct);

    /// <summary>PUT /group/:gid/join_req/:uid (keys) and …/light (<paramref name="keys"/> null): accept.</summary>
    public Task<MemberOutcome> AcceptJoinRequestAsync(
        GroupActor actor, string group, string target, IReadOnlyList<GroupKeysForNewMember>? keys, int? requestedRank, bool keySession, CancellationToken ct) =>
        RunAsync(async (c, tx) =>
        {
            if (await ResolveAsync(c, tx, actor, group, ct) is not GroupAccess access)
            {
                return ProtocolError.GroupAccess;
            }

            if (!access.AtLeast(Ranks.Manager))
            {
                return ProtocolError.GroupUserRank;
            }

            if (keys is not null && CheckKeyCount(keys.Count) is ProtocolError countError)
            {
                return countError;
            }

            int rank = requestedRank ?? Ranks.Member;
            if (!Ranks.IsAssignable(rank) || !access.AtLeast(rank))
            {
                return ProtocolError.GroupUserRank;
            }

            if (await MemberAsync(c, tx, group, target) is not null)
            {
                return ProtocolError.GroupUserExists;
            }

            if (await RequestInAppAsync(c, tx, actor.App, group, target, JoinKind) is not RequestRow request)
            {
                return ProtocolError.GroupJoinReqNotFound;
            }

            if (keys is not null && !await AreKeysOfGroupAsync(c, tx, group, keys))
            {
                return ProtocolError.GroupKeyNotFound;
            }

            long now = Now();
            string? session = keys is not null && keySession ? NewId.Uuid() : null;
            await c.ExecuteAsync(
                "DELETE FROM membership_request WHERE group_id = @group AND member_id = @target AND kind = @kind",
                new { group, target, kind = JoinKind }, tx);
            await RemoveMemberAsync(c, tx, group, target); // stale key rows, if any
            await InsertMemberAsync(c, tx, group, target, request.MemberType, rank, now, session, now);
            if (keys is not null)
            {
                await InsertKeysAsync(c, tx, group, target, keys, now);
            }

            return new MemberOutcome(null, session);
        }, ct);

    /// <summary>DELETE /group/:gid/join_req/:uid: reject (only kind join, §8 #15); success even if none.</summary>
    public Task<MemberOutcome> RejectJoinRequestAsync(GroupActor actor, string group, string target, CancellationToken ct) =>
        RunAsync(async (c, tx) =>
        {
            if (await ResolveAsync(c, tx, actor, group, ct) is not GroupAccess access)
            {
                return ProtocolError.GroupAccess;
            }

            if (!access.AtLeast(Ranks.Manager))
            {
                return ProtocolError.GroupUserRank;
            }

            await c.ExecuteAsync(
                "DELETE FROM membership_request WHERE group_id = @group AND member_id = @target AND kind = @kind",
                new { group, target, kind = JoinKind }, tx);
            return MemberOutcome.Done;
        }, ct);

    // ---- key sessions ----------------------------------------------------------------------------------------------

    /// <summary>
    /// PUT /group/:gid/invite/session/:sid (<paramref name="ofInvite"/>) and PUT /group/:gid/join_req/session/:sid: more
    /// keys for the member of the session. An invite's session moves to the membership when the invite is accepted, so
    /// the inviter's later pages still arrive.
    /// </summary>
    public Task<MemberOutcome> AddSessionKeysAsync(
        GroupActor actor, string group, string session, bool ofInvite, IReadOnlyList<GroupKeysForNewMember> keys, CancellationToken ct) =>
        RunAsync(async (c, tx) =>
        {
            if (await ResolveAsync(c, tx, actor, group, ct) is null)
            {
                return ProtocolError.GroupAccess;
            }

            long cutoff = (time.GetUtcNow() - KeySessionLifetime).ToUnixTimeMilliseconds();
            string? member = ofInvite
                ? await c.QuerySingleOrDefaultAsync<string?>(
                    """
                    SELECT member_id FROM membership_request
                    WHERE group_id = @group AND key_session_id = @session AND kind = @kind AND created_at >= @cutoff
                    """,
                    new { group, session, kind = InviteKind, cutoff }, tx)
                : null;
            member ??= await c.QuerySingleOrDefaultAsync<string?>(
                "SELECT member_id FROM group_member WHERE group_id = @group AND key_session_id = @session AND key_session_at >= @cutoff",
                new { group, session, cutoff }, tx);
            if (member is null)
            {
                return ProtocolError.GroupKeySession;
            }

            if (!await AreKeysOfGroupAsync(c, tx, group, keys))
            {
                return ProtocolError.GroupKeyNotFound;
            }

            await InsertKeysAsync(c, tx, group, member, keys, Now());
            return MemberOutcome.Done;
        }, ct);

    // ---- leave and kick --------------------------------------------------------------------------------------------

    /// <summary>DELETE /group/:gid/leave (§4.14).</summary>
    public Task<MemberOutcome> LeaveAsync(GroupActor actor, string group, CancellationToken ct) =>
        RunAsync(async (c, tx) => await ResolveAsync(c, tx, actor, group, ct) is GroupAccess access
            ? await LeaveAsync(c, tx, actor, access, ct)
            : ProtocolError.GroupAccess, ct);

    /// <summary>DELETE /group/:gid/kick/:uid and the forced variant (§4.14); kicking oneself follows the leave rules.</summary>
    public Task<MemberOutcome> KickAsync(GroupActor actor, string group, string target, CancellationToken ct) =>
        RunAsync(async (c, tx) =>
        {
            if (await ResolveAsync(c, tx, actor, group, ct) is not GroupAccess access)
            {
                return ProtocolError.GroupAccess;
            }

            if (!access.AtLeast(Ranks.Manager))
            {
                return ProtocolError.GroupUserRank;
            }

            if (target == access.Member && access.AccessBy is GroupAccessBy.User or GroupAccessBy.GroupAsUser)
            {
                return await LeaveAsync(c, tx, actor, access, ct);
            }

            if (await MemberAsync(c, tx, group, target) is not MemberRow row)
            {
                return ProtocolError.GroupUserNotFound;
            }

            if (row.Rank == Ranks.Creator)
            {
                return ProtocolError.GroupUserKick;
            }

            if (!access.AtLeast(row.Rank))
            {
                return ProtocolError.GroupUserKickRank;
            }

            // The rules again as predicates of the delete: never the creator, never a stronger rank.
            int deleted = await c.ExecuteAsync(
                "DELETE FROM group_member WHERE group_id = @group AND member_id = @target AND rank <> @creator AND rank >= @rank",
                new { group, target, creator = Ranks.Creator, rank = access.Rank }, tx);
            if (deleted != 1)
            {
                return ProtocolError.GroupUserKickRank;
            }

            await RemoveMemberAsync(c, tx, group, target);
            return MemberOutcome.Done;
        }, ct);

    private static async Task<MemberOutcome> LeaveAsync(DbConnection c, DbTransaction tx, GroupActor actor, GroupAccess access, CancellationToken ct)
    {
        // Leaving as a member group needs admin rights in that group.
        if (actor.MemberGroup is not null)
        {
            GroupAccess? inMemberGroup =
                (await GroupAccessResolver.ResolveAsync(c, tx, actor.App, actor.MemberGroup, actor.User, null, ct)).Access;
            if (inMemberGroup is null)
            {
                return ProtocolError.GroupAccess;
            }

            if (!inMemberGroup.AtLeast(Ranks.Admin))
            {
                return ProtocolError.GroupUserRank;
            }
        }

        // Reachable only through a parent: nothing of its own to leave (§8 #13).
        if (access.AccessBy is GroupAccessBy.Parent or GroupAccessBy.GroupAsUserAsParent)
        {
            return ProtocolError.GroupUserNotFound;
        }

        string group = access.Group.Value;
        string member = access.Member;
        if (await MemberAsync(c, tx, group, member) is not MemberRow row || row.MemberType == (int)MemberType.ParentGroup)
        {
            return ProtocolError.GroupUserNotFound; // the parent row never leaves
        }

        // The last member with rank ≤ 1 cannot leave; the same rule is the predicate of the delete.
        int deleted = await c.ExecuteAsync(
            """
            DELETE FROM group_member
            WHERE group_id = @group AND member_id = @member AND member_type <> @parentType
              AND (rank > @admin OR EXISTS (
                  SELECT 1 FROM group_member o WHERE o.group_id = @group AND o.member_id <> @member AND o.rank <= @admin))
            """,
            new { group, member, parentType = (int)MemberType.ParentGroup, admin = Ranks.Admin }, tx);
        if (deleted != 1)
        {
            return ProtocolError.GroupOnlyOneAdmin;
        }

        await RemoveMemberAsync(c, tx, group, member);
        return MemberOutcome.Done;
    }

    // ---- lists (reads) ---------------------------------------------------------------------------------------------

    /// <summary>
    /// GET /group/invite/:t/:id, /group/:gid/invite/:t/:id (<paramref name="invites"/> true) and GET /group/joins/:t/:id,
    /// /group/:gid/joins/:t/:id (join): requests addressed to / sent by <paramref name="member"/>, newest first.
    /// </summary>
    public async Task<IReadOnlyList<GroupInviteReqList>> RequestsOfMemberAsync(
        AppId app, string member, bool invites, long lastTime, string lastId, CancellationToken ct)
    {
        await using DbConnection c = await db.OpenAsync(ct);
        IEnumerable<ListRow> rows = await c.QueryAsync<ListRow>(new CommandDefinition(
            """
            SELECT r.group_id AS Id, r.created_at AS CreatedAt, r.member_type AS MemberType FROM membership_request r
            JOIN grp g ON g.id = r.group_id AND g.app_id = @app
            WHERE r.member_id = @member AND r.kind = @kind
              AND (@lastTime = 0 OR r.created_at < @lastTime OR (r.created_at = @lastTime AND r.group_id > @lastId))
            ORDER BY r.created_at DESC, r.group_id ASC
            LIMIT 50
            """,
            new { app = app.Value, member, kind = invites ? InviteKind : JoinKind, lastTime, lastId }, cancellationToken: ct));
        return rows.Select(r => new GroupInviteReqList(r.Id, r.CreatedAt)).ToList();
    }

    /// <summary>GET /group/:gid/join_req/:t/:id: pending join requests to the group, oldest first.</summary>
    public async Task<IReadOnlyList<GroupJoinReqList>> JoinRequestsOfGroupAsync(string group, long lastTime, string lastId, CancellationToken ct)
    {
        await using DbConnection c = await db.OpenAsync(ct);
        IEnumerable<ListRow> rows = await c.QueryAsync<ListRow>(new CommandDefinition(
            """
            SELECT member_id AS Id, created_at AS CreatedAt, member_type AS MemberType FROM membership_request
            WHERE group_id = @group AND kind = @kind
              AND (@lastTime = 0 OR created_at > @lastTime OR (created_at = @lastTime AND member_id > @lastId))
            ORDER BY created_at ASC, member_id ASC
            LIMIT 50
            """,
            new { group, kind = JoinKind, lastTime, lastId }, cancellationToken: ct));
        return rows.Select(r => new GroupJoinReqList(r.Id, r.CreatedAt, r.MemberType)).ToList();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /// <summary>A key list for a new member: 1..100 keys (303 / 305, §4.6, §4.7).</summary>
    public static ProtocolError? CheckKeyCount(int count) => count switch
    {
        0 => ProtocolError.GroupNoKeys,
        > 100 => ProtocolError.GroupTooManyKeys,
        _ => null,
    };

    /// <summary>
    /// Runs a use case in a serializable transaction. Validation errors return before the first write, so committing
    /// them writes nothing; a unique violation means a concurrent request created the same member or request first.
    /// </summary>
    private async Task<MemberOutcome> RunAsync(Func<DbConnection, DbTransaction, Task<MemberOutcome>> work, CancellationToken ct)
    {
        try
        {
            return await db.InSerializableTransactionAsync(work, ct);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return ProtocolError.GroupUserExists;
        }
    }

    private static async Task<GroupAccess?> ResolveAsync(DbConnection c, DbTransaction tx, GroupActor actor, string group, CancellationToken ct) =>
        (await GroupAccessResolver.ResolveAsync(c, tx, actor.App, group, actor.User, actor.MemberGroup, ct)).Access;

    /// <summary>Acting for <paramref name="group"/> (as member group, §4.10) needs r ≤ 1 in it.</summary>
    private static async Task<ProtocolError?> CheckOnBehalfAsync(DbConnection c, DbTransaction tx, GroupActor actor, string group, CancellationToken ct) =>
        await ResolveAsync(c, tx, actor, group, ct) switch
        {
            null => ProtocolError.GroupAccess,
            { } access when !access.AtLeast(Ranks.Admin) => ProtocolError.GroupUserRank,
            _ => null,
        };

    private static Task<GroupRow?> NormalGroupAsync(DbConnection c, DbTransaction tx, AppId app, string group) =>
        c.QuerySingleOrDefaultAsync<GroupRow?>(
            "SELECT is_connected AS IsConnected, invite_open AS InviteOpen FROM grp WHERE id = @group AND app_id = @app AND kind = @kind",
            new { group, app = app.Value, kind = (int)GroupKind.Normal }, tx);

    private static async Task<bool> UserExistsAsync(DbConnection c, DbTransaction tx, AppId app, string user) =>
        await c.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM app_user WHERE id = @user AND app_id = @app", new { user, app = app.Value }, tx) == 1;

    private static Task<MemberRow?> MemberAsync(DbConnection c, DbTransaction tx, string group, string member) =>
        c.QuerySingleOrDefaultAsync<MemberRow?>(
            "SELECT rank AS Rank, member_type AS MemberType FROM group_member WHERE group_id = @group AND member_id = @member",
            new { group, member }, tx);

    private static Task<int?> RequestKindAsync(DbConnection c, DbTransaction tx, string group, string member) =>
        c.QuerySingleOrDefaultAsync<int?>(
            "SELECT kind FROM membership_request WHERE group_id = @group AND member_id = @member", new { group, member }, tx);

    /// <summary>A request of <paramref name="kind"/> in a normal group of the app.</summary>
    private static Task<RequestRow?> RequestInAppAsync(DbConnection c, DbTransaction tx, AppId app, string group, string member, int kind) =>
        c.QuerySingleOrDefaultAsync<RequestRow?>(
            """
            SELECT r.member_type AS MemberType, r.new_rank AS NewRank, r.created_at AS CreatedAt, r.key_session_id AS KeySessionId
            FROM membership_request r JOIN grp g ON g.id = r.group_id AND g.app_id = @app AND g.kind = @normal
            WHERE r.group_id = @group AND r.member_id = @member AND r.kind = @kind
            """,
            new { app = app.Value, group, member, kind, normal = (int)GroupKind.Normal }, tx);

    /// <summary>
    /// True when every key id of the list is a key of the group (else 304). The group's key ids are loaded and compared
    /// in memory: one key per rotation keeps the list short, and it avoids dialect-specific list parameters.
    /// </summary>
    private static async Task<bool> AreKeysOfGroupAsync(DbConnection c, DbTransaction tx, string group, IReadOnlyList<GroupKeysForNewMember> keys)
    {
        // Primary-key lookups of the (at most 100) sent ids, not a scan of the group's keys: O(page), not O(keys).
        // Explicit parameters instead of Dapper's list expansion, which Npgsql receives as one array parameter.
        string[] distinct = [.. keys.Select(k => k.KeyId).Distinct(StringComparer.Ordinal)];
        var parameters = new DynamicParameters(new { group });
        for (int i = 0; i < distinct.Length; i++)
        {
            parameters.Add($"k{i}", distinct[i]);
        }

        string list = string.Join(", ", Enumerable.Range(0, distinct.Length).Select(i => $"@k{i}"));
        long found = await c.ExecuteScalarAsync<long>(
            $"SELECT COUNT(*) FROM group_key WHERE group_id = @group AND id IN ({list})", parameters, tx);
        return found == distinct.Length;
    }

    private static Task InsertMemberAsync(
        DbConnection c, DbTransaction tx, string group, string member, int type, int rank, long now, string? session, long sessionAt) =>
        c.ExecuteAsync(
            """
            INSERT INTO group_member (group_id, member_id, member_type, rank, joined_at, key_session_id, key_session_at)
            VALUES (@group, @member, @type, @rank, @now, @session, @sessionAt)
            """,
            new { group, member, type, rank, now, session, sessionAt = session is null ? (long?)null : sessionAt }, tx);

    /// <summary>Duplicates of existing (key, member) rows are ignored: the JS SDK sends overlapping pages (§4.6).</summary>
    private static Task InsertKeysAsync(
        DbConnection c, DbTransaction tx, string group, string member, IReadOnlyList<GroupKeysForNewMember> keys, long now) =>
        c.ExecuteAsync(
            """
            INSERT INTO member_key (key_id, member_id, group_id, encrypted_group_key, encrypted_alg, encrypted_by_key_id, created_at)
            VALUES (@KeyId, @member, @group, @EncryptedGroupKey, @EncryptedAlg, @UserPublicKeyId, @now)
            ON CONFLICT (key_id, member_id) DO NOTHING
            """,
            keys.Select(k => new { k.KeyId, member, group, k.EncryptedGroupKey, k.EncryptedAlg, k.UserPublicKeyId, now }),
            tx);

    /// <summary>Deletes a member's row, its key rows and its pending rotation rows in the group.</summary>
    private static async Task RemoveMemberAsync(DbConnection c, DbTransaction tx, string group, string member)
    {
        var args = new { group, member };
        await c.ExecuteAsync("DELETE FROM group_member WHERE group_id = @group AND member_id = @member", args, tx);
        await c.ExecuteAsync("DELETE FROM member_key WHERE group_id = @group AND member_id = @member", args, tx);
        await c.ExecuteAsync("DELETE FROM rotation_pending WHERE group_id = @group AND member_id = @member", args, tx);
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    // Dapper row types: classes with setters (see AppStore).
    private sealed class GroupRow
    {
        public bool IsConnected { get; set; }

        public bool InviteOpen { get; set; }
    }

    private sealed class MemberRow
    {
        public int Rank { get; set; }

        public int MemberType { get; set; }
    }

    private sealed class RequestRow
    {
        public int MemberType { get; set; }

        public int NewRank { get; set; }

        public long CreatedAt { get; set; }

        public string? KeySessionId { get; set; }
    }

    private sealed class ListRow
    {
        public string Id { get; set; } = "";

        public long CreatedAt { get; set; }

        public int MemberType { get; set; }
    }
}
