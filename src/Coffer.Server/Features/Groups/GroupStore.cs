using System.Data.Common;
using Coffer.Protocol;
using Coffer.Protocol.Groups;
using Coffer.Server.Data;
using Dapper;

namespace Coffer.Server.Features.Groups;

public enum GroupKind
{
    Normal = 0,
    User = 1,
}

/// <summary>Member types of <c>group_member</c> (api.md §3).</summary>
public enum MemberType
{
    User = 0,
    ParentGroup = 1,
    GroupAsMember = 2,
}

/// <summary>
/// SQL of groups (api.md §4.5, §4.9, §4.10, §4.12–§4.15): creation (also of user groups at register), reads, ranks,
/// the invite flag and deletion. Every statement is scoped by app; every mutating use case runs in one
/// serializable transaction that re-resolves the caller's access first (<see cref="AuthorizeAsync"/>).
/// </summary>
public sealed class GroupStore(Database db, TimeProvider time)
{
    public const int CreatorRank = 0;

    public sealed record CreatedGroup(GroupId Group, GroupKeyId Key);

    /// <summary>Page size of every list (api.md §1.8).</summary>
    public const int PageSize = 50;

    /// <summary>Upper bound of the descendant walk of a delete (the ancestor walk of access resolution has the same bound).</summary>
    private const int MaxDepth = 1000;

    /// <summary>
    /// POST /group, /group/light and the forced variants (§4.5, §4.19): a root group with <paramref name="creator"/> as
    /// rank-0 user member; with <paramref name="data"/> its first key, HMAC and sortable keys and the creator's copy of
    /// the key, without it (light) no keys.
    /// </summary>
    public Task<string> CreateRootAsync(AppId app, string creator, CreateData? data, CancellationToken ct) =>
        db.InTransactionAsync(async (connection, transaction) => data is null
            ? await CreateKeylessAsync(connection, transaction, app, GroupKind.Normal, creator, MemberType.User, parentId: null, isConnected: false, Now())
            : (await CreateAsync(connection, transaction, app, GroupKind.Normal, data, creator, data.CreatorPublicKeyId, Now())).Group.Value,
            ct);

    /// <summary>
    /// POST /group/:gid/child and /connected (+ light, + forced): access of <paramref name="actor"/> to
    /// <paramref name="group"/> is re-resolved inside the transaction (r ≤ 1, else 301; 310), then the new group is created
    /// with <paramref name="group"/> as its rank-0 creator member: type 1 for a child (which is connected when its parent
    /// is), type 2 for a connected group (318 when <paramref name="group"/> is connected itself).
    /// </summary>
    public Task<CreateOutcome> CreateSubGroupAsync(
        GroupActor actor, string group, SubGroupKind kind, CreateData? data, CancellationToken ct) =>
        db.InSerializableTransactionAsync(async (connection, transaction) =>
        {
            (GroupAccess? access, ProtocolError? error) = await AuthorizeAsync(connection, transaction, actor, group, Ranks.Admin, ct);
            if (access is null)
            {
                return CreateOutcome.Failed(error!);
            }

            if (kind == SubGroupKind.Connected && GroupRules.ConnectedFrom(access) is ProtocolError connectedError)
            {
                return CreateOutcome.Failed(connectedError);
            }

            (string? parentId, bool isConnected, MemberType creatorType) = kind switch
            {
                SubGroupKind.Child => (group, access.IsConnected, MemberType.ParentGroup),
                SubGroupKind.Connected => ((string?)null, true, MemberType.GroupAsMember),
            };
            long now = Now();
            string created = data is null
                ? await CreateKeylessAsync(connection, transaction, actor.App, GroupKind.Normal, group, creatorType, parentId, isConnected, now)
                : (await CreateAsync(
                    connection, transaction, actor.App, GroupKind.Normal, data, group, data.CreatorPublicKeyId, now,
                    parentId, isConnected, creatorType)).Group.Value;
            return new CreateOutcome(created, null);
        }, ct);

    /// <summary>
    /// GET /group/:gid (§4.5): the first page of keys of member m, HMAC and sortable keys, pending rotation flag — four
    /// statements sent as one batch (one round trip).
    /// </summary>
    public async Task<GroupServerData> GroupDataAsync(GroupAccess access, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        await using SqlMapper.GridReader grid = await connection.QueryMultipleAsync(new CommandDefinition(
            GroupDataSql,
            new
            {
                group = access.Group.Value, member = access.Member, upper = long.MaxValue, lastId = "",
                hmac = "hmac", sortable = "sortable",
            },
            cancellationToken: ct));
        List<GroupKeyServerOutput> keys = [.. (await grid.ReadAsync<GroupKeyRow>()).Select(r => r.ToOutput())];
        List<SearchKeyRow> hmac = [.. await grid.ReadAsync<SearchKeyRow>()];
        List<SearchKeyRow> sortable = [.. await grid.ReadAsync<SearchKeyRow>()];
        bool keyUpdate = await grid.ReadSingleAsync<long>() > 0;
        return new GroupServerData(
            access.Group.Value,
            access.ParentId,
            keys,
            [.. hmac.Select(r => new GroupHmacData(r.Id, r.EncryptedKey, r.Alg, r.EncryptionKeyId, r.CreatedAt))],
            [.. sortable.Select(r => new GroupSortableData(r.Id, r.EncryptedKey, r.Alg, r.EncryptionKeyId, r.CreatedAt))],
            keyUpdate,
            access.Rank,
            access.CreatedAt,
            access.JoinedAt,
            access.AccessBy,
            access.IsConnected);
    }

    /// <summary>GET /group/:gid/update_check: whether a rotation waits for member m.</summary>
    public async Task<bool> KeyUpdateAsync(GroupAccess access, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        return await KeyUpdateAsync(connection, null, access, ct);
    }

    /// <summary>GET /group/:gid/keys/:t/:id: keys of member m, newest first by key time (§1.8).</summary>
    public async Task<IReadOnlyList<GroupKeyServerOutput>> KeysAsync(GroupAccess access, long lastTime, string lastId, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        return await KeysAsync(connection, null, access, lastTime, lastId, ct);
    }

    /// <summary>GET /group/:gid/key/:kid: one key of the group as member m sees it; null when m has no copy of it.</summary>
    public async Task<GroupKeyServerOutput?> KeyAsync(GroupAccess access, string key, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        GroupKeyRow? row = await connection.QuerySingleOrDefaultAsync<GroupKeyRow>(new CommandDefinition(
            $"""
            SELECT {GroupKeyRow.Columns}
            FROM member_key mk JOIN group_key gk ON gk.id = mk.key_id AND gk.group_id = mk.group_id
            WHERE mk.key_id = @key AND mk.member_id = @member AND mk.group_id = @group
            """,
            new { key, member = access.Member, group = access.Group.Value }, cancellationToken: ct));
        return row?.ToOutput();
    }

    /// <summary>
    /// GET /group/all/:t/:id (member = the user) and GET /group/:gid/all/:t/:id (member = the group): direct memberships
    /// of type 0 and 2 in normal groups of the app, ascending by the group's creation time (§1.8).
    /// </summary>
    public async Task<IReadOnlyList<ListGroups>> MembershipsAsync(AppId app, string member, long lastTime, string lastId, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        IEnumerable<ListGroupRow> rows = await connection.QueryAsync<ListGroupRow>(new CommandDefinition(
            """
            SELECT g.id AS GroupId, g.created_at AS Time, m.joined_at AS JoinedTime, m.rank AS Rank, g.parent_id AS Parent
            FROM group_member m
            JOIN grp g ON g.id = m.group_id AND g.app_id = @app AND g.kind = @normal
            WHERE m.member_id = @member AND m.member_type IN (@user, @groupAsMember)
              AND (@lastTime = 0 OR g.created_at > @lastTime OR (g.created_at = @lastTime AND g.id > @lastId))
            ORDER BY g.created_at ASC, g.id ASC
            LIMIT 50
            """,
            new
            {
                app = app.Value, member, lastTime, lastId, normal = (int)GroupKind.Normal,
                user = (int)MemberType.User, groupAsMember = (int)MemberType.GroupAsMember,
            },
            cancellationToken: ct));
        return [.. rows.Select(r => new ListGroups(r.GroupId, r.Time, r.JoinedTime, r.Rank, r.Parent))];
    }

    /// <summary>GET /group/:gid/children/:t/:id: direct children, ascending by creation time.</summary>
    public async Task<IReadOnlyList<GroupChildrenList>> ChildrenAsync(AppId app, GroupId group, long lastTime, string lastId, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        IEnumerable<ChildRow> rows = await connection.QueryAsync<ChildRow>(new CommandDefinition(
            """
            SELECT id AS GroupId, created_at AS Time, parent_id AS Parent FROM grp
            WHERE parent_id = @group AND app_id = @app
              AND (@lastTime = 0 OR created_at > @lastTime OR (created_at = @lastTime AND id > @lastId))
            ORDER BY created_at ASC, id ASC
            LIMIT 50
            """,
            new { app = app.Value, group = group.Value, lastTime, lastId }, cancellationToken: ct));
        return [.. rows.Select(r => new GroupChildrenList(r.GroupId, r.Time, r.Parent))];
    }

    /// <summary>
    /// GET /group/:gid/member/:t/:id: all direct member rows except member m, ascending by join time. The keyset is one
    /// row comparison, so both databases seek in <c>group_member_joined</c> (an OR of the two cases is only a filter
    /// there, which made a page cost O(offset)). The first page (<c>lastTime</c> 0) precedes every row: join times are
    /// positive.
    /// </summary>
    public async Task<IReadOnlyList<GroupUserListItem>> MembersAsync(GroupAccess access, long lastTime, string lastId, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        IEnumerable<MemberRow> rows = await connection.QueryAsync<MemberRow>(new CommandDefinition(
            """
            SELECT member_id AS UserId, rank AS Rank, joined_at AS JoinedTime, member_type AS UserType FROM group_member
            WHERE group_id = @group AND member_id <> @member
              AND (joined_at, member_id) > (@lastTime, @lastId)
            ORDER BY joined_at ASC, member_id ASC
            LIMIT 50
            """,
            new { group = access.Group.Value, member = access.Member, lastTime, lastId }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToOutput())];
    }

    /// <summary>GET /group/forced/:gid/user/:uid: the direct member row of <paramref name="member"/>; 310 unknown group, 300 no row.</summary>
    public async Task<(GroupUserListItem? Member, ProtocolError? Error)> DirectMemberAsync(
        AppId app, string group, string member, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        if (!await IsNormalGroupAsync(connection, null, app, group, ct))
        {
            return (null, ProtocolError.GroupAccess);
        }

        MemberRow? row = await connection.QuerySingleOrDefaultAsync<MemberRow>(new CommandDefinition(
            """
            SELECT member_id AS UserId, rank AS Rank, joined_at AS JoinedTime, member_type AS UserType FROM group_member
            WHERE group_id = @group AND member_id = @member
            """,
            new { group, member }, cancellationToken: ct));
        return row is null ? (null, ProtocolError.GroupUserNotFound) : (row.ToOutput(), null);
    }

    /// <summary>
    /// PUT /group/:gid/change_rank (§4.12): r ≤ 1; new rank 1..4 (314); the target must be a direct member (300) and not
    /// the creator (314). The creator predicate is part of the UPDATE.
    /// </summary>
    public Task<ProtocolError?> ChangeRankAsync(GroupActor actor, string group, string target, int newRank, CancellationToken ct) =>
        db.InSerializableTransactionAsync(async (connection, transaction) =>
        {
            (GroupAccess? access, ProtocolError? error) = await AuthorizeAsync(connection, transaction, actor, group, Ranks.Admin, ct);
            if (access is null)
            {
                return error;
            }

            if (!Ranks.IsAssignable(newRank))
            {
                return ProtocolError.GroupUserRankUpdate;
            }

            var args = new { group, target, newRank, creator = Ranks.Creator };
            int changed = await connection.ExecuteAsync(
                "UPDATE group_member SET rank = @newRank WHERE group_id = @group AND member_id = @target AND rank <> @creator",
                args, transaction);
            if (changed == 1)
            {
                return null;
            }

            long exists = await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM group_member WHERE group_id = @group AND member_id = @target", args, transaction);
            return exists == 0 ? ProtocolError.GroupUserNotFound : ProtocolError.GroupUserRankUpdate;
        }, ct);

    /// <summary>PATCH /group/:gid/change_invite (§4.13): r ≤ 1; toggles the invite flag.</summary>
    public Task<ProtocolError?> ToggleInviteAsync(GroupActor actor, string group, CancellationToken ct) =>
        db.InSerializableTransactionAsync(async (connection, transaction) =>
        {
            (GroupAccess? access, ProtocolError? error) = await AuthorizeAsync(connection, transaction, actor, group, Ranks.Admin, ct);
            if (access is null)
            {
                return error;
            }

            await connection.ExecuteAsync(
                "UPDATE grp SET invite_open = NOT invite_open WHERE id = @group AND app_id = @app",
                new { group, app = actor.App.Value }, transaction);
            return (ProtocolError?)null;
        }, ct);

    /// <summary>DELETE /group/:gid (§4.14): r ≤ 1, then <see cref="DeleteTreeAsync"/>.</summary>
    public Task<ProtocolError?> DeleteAsync(GroupActor actor, string group, CancellationToken ct) =>
        db.InSerializableTransactionAsync(async (connection, transaction) =>
        {
            (GroupAccess? access, ProtocolError? error) = await AuthorizeAsync(connection, transaction, actor, group, Ranks.Admin, ct);
            if (access is null)
            {
                return error;
            }

            await DeleteTreeAsync(connection, transaction, actor.App, group, ct);
            return (ProtocolError?)null;
        }, ct);

    /// <summary>DELETE /group/forced/:gid (§4.15): as rank 0; 310 when the group is not a normal group of the app.</summary>
    public Task<ProtocolError?> ForcedDeleteAsync(AppId app, string group, CancellationToken ct) =>
        db.InSerializableTransactionAsync(async (connection, transaction) =>
        {
            if (!await IsNormalGroupAsync(connection, transaction, app, group, ct))
            {
                return ProtocolError.GroupAccess;
            }

            await DeleteTreeAsync(connection, transaction, app, group, ct);
            return (ProtocolError?)null;
        }, ct);

    /// <summary>
    /// Re-resolves access inside a use case's transaction (api.md §5): 310 without access, 301 when the effective rank
    /// is weaker than <paramref name="maxRank"/>.
    /// </summary>
    public static async Task<(GroupAccess? Access, ProtocolError? Error)> AuthorizeAsync(
        DbConnection connection, DbTransaction transaction, GroupActor actor, string group, int maxRank, CancellationToken ct)
    {
        GroupAccessResult result = await GroupAccessResolver.ResolveAsync(
            connection, transaction, actor.App, group, actor.User, actor.MemberGroup, ct);
        return result.Access switch
        {
            null => (null, result.Error),
            GroupAccess access when !access.AtLeast(maxRank) => (null, ProtocolError.GroupUserRank),
            GroupAccess access => (access, null),
        };
    }

    /// <summary>
    /// Deletes <paramref name="group"/> and all its descendants with everything they own (keys, HMAC/sortable keys,
    /// members, member keys, pending rotations, invites, join requests, rotation jobs — by cascade), and every row where
    /// a deleted group is itself a member, invitee, requester or key holder elsewhere (§8 #14).
    /// </summary>
    private static async Task DeleteTreeAsync(DbConnection connection, DbTransaction transaction, AppId app, string group, CancellationToken ct)
    {
        // Each statement walks the tree again (a CTE lives for one statement); the grp rows go last, so every walk
        // still sees the whole tree. Their descendants' rows go with them by ON DELETE CASCADE.
        string tree =
            $"""
            WITH RECURSIVE tree (id, depth) AS (
                SELECT id, 0 FROM grp WHERE id = @group AND app_id = @app AND kind = @normal
                UNION ALL
                SELECT g.id, t.depth + 1 FROM grp g JOIN tree t ON g.parent_id = t.id WHERE t.depth < {MaxDepth}
            )
            """;
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            {tree} DELETE FROM rotation_pending WHERE member_id IN (SELECT id FROM tree);
            {tree} DELETE FROM member_key WHERE member_id IN (SELECT id FROM tree);
            {tree} DELETE FROM membership_request WHERE member_id IN (SELECT id FROM tree);
            {tree} DELETE FROM group_member WHERE member_id IN (SELECT id FROM tree);
            {tree} DELETE FROM grp WHERE id IN (SELECT id FROM tree);
            """,
            new { group, app = app.Value, normal = (int)GroupKind.Normal }, transaction, cancellationToken: ct));
    }

    private static async Task<bool> IsNormalGroupAsync(DbConnection connection, DbTransaction? transaction, AppId app, string group, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM grp WHERE id = @group AND app_id = @app AND kind = @normal",
            new { group, app = app.Value, normal = (int)GroupKind.Normal }, transaction, cancellationToken: ct)) > 0;

    /// <summary>
    /// A page of member m's keys (<c>@member</c>) of <c>@group</c>, newest first, after (<c>@upper</c>, <c>@lastId</c>):
    /// read from group_key's (group_id, created_at DESC, id) index with one primary-key probe into member_key per row.
    /// </summary>
    private static readonly string KeysPageSql =
        $"""
        SELECT {GroupKeyRow.Columns}
        FROM group_key gk JOIN member_key mk ON mk.key_id = gk.id AND mk.member_id = @member
        WHERE gk.group_id = @group
          AND gk.created_at <= @upper AND (gk.created_at < @upper OR gk.id > @lastId)
        ORDER BY gk.created_at DESC, gk.id ASC
        LIMIT 50
        """;

    /// <summary>The newest 50 search keys of <c>@group</c> of the kind in parameter <paramref name="kind"/> ("hmac" or "sortable").</summary>
    private static string SearchKeysSql(string kind) =>
        $"""
        SELECT id AS Id, encrypted_key AS EncryptedKey, alg AS Alg, encryption_key_id AS EncryptionKeyId, created_at AS CreatedAt
        FROM group_search_key WHERE group_id = @group AND kind = {kind}
        ORDER BY created_at DESC, id ASC
        LIMIT 50
        """;

    private const string KeyUpdateSql = "SELECT COUNT(*) FROM rotation_pending WHERE group_id = @group AND member_id = @member";

    /// <summary>The batch of GET /group/:gid: first key page, HMAC keys, sortable keys, rotation flag.</summary>
    private static readonly string GroupDataSql = $"{KeysPageSql};\n{SearchKeysSql("@hmac")};\n{SearchKeysSql("@sortable")};\n{KeyUpdateSql}";

    private static async Task<IReadOnlyList<GroupKeyServerOutput>> KeysAsync(
        DbConnection connection, DbTransaction? transaction, GroupAccess access, long lastTime, string lastId, CancellationToken ct)
    {
        IEnumerable<GroupKeyRow> rows = await connection.QueryAsync<GroupKeyRow>(new CommandDefinition(
            KeysPageSql,
            new { group = access.Group.Value, member = access.Member, upper = lastTime == 0 ? long.MaxValue : lastTime, lastId },
            transaction, cancellationToken: ct));
        return [.. rows.Select(r => r.ToOutput())];
    }

    private static async Task<bool> KeyUpdateAsync(DbConnection connection, DbTransaction? transaction, GroupAccess access, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            KeyUpdateSql, new { group = access.Group.Value, member = access.Member }, transaction, cancellationToken: ct)) > 0;

    /// <summary>A group without keys (light, §4.19): the group row and its rank-0 creator member.</summary>
    private static async Task<string> CreateKeylessAsync(
        DbConnection connection, DbTransaction transaction, AppId app, GroupKind kind, string creatorMemberId, MemberType creatorType,
        string? parentId, bool isConnected, long now)
    {
        string group = NewId.Uuid();
        await connection.ExecuteAsync(
            """
            INSERT INTO grp (id, app_id, kind, parent_id, invite_open, is_connected, current_key_id, created_at)
            VALUES (@group, @app, @kind, @parentId, @inviteOpen, @isConnected, NULL, @now);
            INSERT INTO group_member (group_id, member_id, member_type, rank, joined_at)
            VALUES (@group, @member, @type, @rank, @now);
            """,
            new
            {
                group, app = app.Value, kind = (int)kind, parentId, inviteOpen = true, isConnected, now,
                member = creatorMemberId, type = (int)creatorType, rank = CreatorRank,
            },
            transaction);
        return group;
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Creates a group with its first key, its HMAC and sortable keys, the creator as rank-0 member and the
    /// creator's copy of the group key, inside the caller's transaction.
    /// </summary>
    public static async Task<CreatedGroup> CreateAsync(
        DbConnection connection, DbTransaction transaction, AppId app, GroupKind kind, CreateData data,
        string creatorMemberId, string creatorPublicKeyId, long now,
        string? parentId = null, bool isConnected = false, MemberType creatorType = MemberType.User)
    {
        var group = new GroupId(NewId.Uuid());
        var key = new GroupKeyId(NewId.Uuid());
        await connection.ExecuteAsync(
            """
            INSERT INTO grp (id, app_id, kind, parent_id, invite_open, is_connected, current_key_id, created_at)
            VALUES (@group, @app, @kind, @parentId, @inviteOpen, @isConnected, @key, @now)
            """,
            new { group = group.Value, app = app.Value, kind = (int)kind, parentId, inviteOpen = true, isConnected, key = key.Value, now },
            transaction);
        await connection.ExecuteAsync(
            """
            INSERT INTO group_key (id, group_id, app_id, created_at, group_key_alg, keypair_encrypt_alg, public_key,
                encrypted_private_key, keypair_sign_alg, verify_key, encrypted_sign_key, public_key_sig, public_key_sig_key_id,
                signed_by_user_id, signed_by_user_sign_key_id, group_key_sig)
            VALUES (@key, @group, @app, @now, @GroupKeyAlg, @KeypairEncryptAlg, @PublicGroupKey,
                @EncryptedPrivateGroupKey, @KeypairSignAlg, @VerifyKey, @EncryptedSignKey, @PublicKeySig, @key,
                @SignedByUserId, @SignedByUserSignKeyId, @GroupKeySig)
            """,
            new
            {
                key = key.Value, group = group.Value, app = app.Value, now,
                data.GroupKeyAlg, data.KeypairEncryptAlg, data.PublicGroupKey, data.EncryptedPrivateGroupKey,
                data.KeypairSignAlg, data.VerifyKey, data.EncryptedSignKey, data.PublicKeySig,
                data.SignedByUserId, data.SignedByUserSignKeyId, data.GroupKeySig,
            },
            transaction);
        await connection.ExecuteAsync(
            """
            INSERT INTO group_search_key (id, group_id, kind, encrypted_key, alg, encryption_key_id, created_at)
            VALUES (@hmacId, @group, 'hmac', @EncryptedHmacKey, @EncryptedHmacAlg, @key, @now),
                   (@sortableId, @group, 'sortable', @EncryptedSortableKey, @EncryptedSortableAlg, @key, @now)
            """,
            new
            {
                hmacId = NewId.Uuid(), sortableId = NewId.Uuid(), group = group.Value, key = key.Value, now,
                data.EncryptedHmacKey, data.EncryptedHmacAlg, data.EncryptedSortableKey, data.EncryptedSortableAlg,
            },
            transaction);
        await connection.ExecuteAsync(
            """
            INSERT INTO group_member (group_id, member_id, member_type, rank, joined_at)
            VALUES (@group, @member, @type, @rank, @now)
            """,
            new { group = group.Value, member = creatorMemberId, type = (int)creatorType, rank = CreatorRank, now },
            transaction);
        await connection.ExecuteAsync(
            """
            INSERT INTO member_key (key_id, member_id, group_id, encrypted_group_key, encrypted_alg, encrypted_by_key_id, created_at)
            VALUES (@key, @member, @group, @EncryptedGroupKey, @EncryptedGroupKeyAlg, @publicKeyId, @now)
            """,
            new
            {
                key = key.Value, member = creatorMemberId, group = group.Value, data.EncryptedGroupKey, data.EncryptedGroupKeyAlg,
                publicKeyId = creatorPublicKeyId, now,
            },
            transaction);
        return new CreatedGroup(group, key);
    }

    /// <summary>
    /// Creates a light group (api.md §4.19): no keys, no HMAC or sortable key, no current key; only the group row and
    /// the creator as rank-0 member, inside the caller's transaction.
    /// </summary>
    public static async Task<GroupId> CreateLightAsync(
        DbConnection connection, DbTransaction transaction, AppId app, GroupKind kind, string creatorMemberId, long now) =>
        new(await CreateKeylessAsync(connection, transaction, app, kind, creatorMemberId, MemberType.User, parentId: null, isConnected: false, now));
}
