using System.Data.Common;
using Coffer.Chat.Api;
using Coffer.Chat.Data;
using Coffer.Chat.Messages;
using Coffer.Chat.Platform;
using Coffer.Chat.Profiles;
using Dapper;

namespace Coffer.Chat.Groups;

/// <summary>A group as seen by one user: <see cref="Role"/> is theirs (null when they are not a member).</summary>
public sealed class GroupView
{
    public long Id { get; init; }

    public string Name { get; init; } = "";

    public string? Description { get; init; }

    public string Type { get; init; } = "";

    public string? AvatarUrl { get; init; }

    public string CreatedBy { get; init; } = "";

    public long CreatedAt { get; init; }

    public string? InviteCode { get; init; }

    public long MemberCount { get; init; }

    public string? Role { get; init; }

    /// <summary>Secret groups: the Coffer platform group that holds the keys.</summary>
    public string? CofferGroupId { get; init; }

    /// <summary>Secret groups: the platform group's newest key id as last recorded; messages must be encrypted with it.</summary>
    public string? CofferKeyId { get; init; }

    /// <summary>Secret groups: a member left or was removed and the key has not been rotated since.</summary>
    public bool KeyRotationPending { get; init; }

    public bool IsMember => Role is not null;

    /// <summary>Private and secret groups do not exist for non-members (404, never 403).</summary>
    public bool VisibleTo => IsMember || Type == GroupTypes.Public;
}

public sealed class GroupMember
{
    public string UserId { get; init; } = "";

    public string? Username { get; init; }

    public string? AvatarUrl { get; init; }

    public string Role { get; init; } = "";

    public long JoinedAt { get; init; }
}

/// <summary>
/// Groups and memberships. Every change runs in one serializable transaction (PostgreSQL serializable with retry,
/// SQLite BEGIN IMMEDIATE) that reads the caller's role and the group's state, checks <see cref="GroupRoles"/> and
/// writes, so concurrent requests cannot slip past a rule (e.g. two admins demoting each other to leave none).
/// Secret groups are bound to a Coffer platform group (<see cref="ICofferPlatform"/>): creation checks that the caller
/// administers it; leaving and removal take the member out of the platform group first (so they can fetch no key from
/// then on) and mark the key for rotation; deletion deletes the platform group too.
/// </summary>
public sealed class GroupStore(ChatDatabase database, ThreadDirectory directory, TimeProvider time, ICofferPlatform platform, ILogger<GroupStore> logger)
{
    public const int SearchLimit = 50;

    private const string ViewSelect =
        "SELECT g.id AS Id, g.name AS Name, g.description AS Description, g.type AS Type, g.avatar_url AS AvatarUrl, " +
        "g.created_by AS CreatedBy, g.created_at AS CreatedAt, g.invite_code AS InviteCode, " +
        "(SELECT COUNT(*) FROM chat_group_member c WHERE c.group_id = g.id) AS MemberCount, m.role AS Role, " +
        "g.coffer_group_id AS CofferGroupId, g.coffer_key_id AS CofferKeyId, g.key_rotation_pending AS KeyRotationPending " +
        "FROM chat_group g LEFT JOIN chat_group_member m ON m.group_id = g.id AND m.user_id = @user ";

    /// <summary>
    /// Creates a group; the caller becomes its admin. A secret group needs <paramref name="cofferGroupId"/>: a platform
    /// group of the chat's app that the caller created or administers (rank ≤ 1), not bound to another chat group.
    /// </summary>
    public async Task<GroupView> CreateAsync(
        string user, string name, string? description, string type, string? avatarUrl, string? cofferGroupId, CancellationToken ct)
    {
        string? keyId = null;
        string? publicKeyId = null;
        if (type == GroupTypes.Secret)
        {
            string platformGroup = cofferGroupId ?? throw ChatProblem.BadRequest("coffer_group_id is required for secret groups");
            if (await platform.RankAsync(platformGroup, user, ct) is not (>= 0 and <= 1))
            {
                throw ChatProblem.Forbidden("The Coffer group does not exist or the caller is not its admin");
            }

            keyId = await platform.NewestKeyIdAsync(platformGroup, ct) ?? throw ChatProblem.NotFound("The Coffer group has no key");
            publicKeyId = await platform.UserPublicKeyIdAsync(user, ct);
        }

        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            if (cofferGroupId is not null && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM chat_group WHERE coffer_group_id = @cofferGroupId);", new { cofferGroupId }, transaction, cancellationToken: ct)))
            {
                throw ChatProblem.Conflict("The Coffer group already backs a chat group");
            }

            long now = time.GetUtcNow().ToUnixTimeMilliseconds();
            long id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "INSERT INTO chat_group (name, description, type, avatar_url, created_by, created_at, invite_code, is_active, coffer_group_id, coffer_key_id) " +
                "VALUES (@name, @description, @type, @avatarUrl, @user, @now, @inviteCode, TRUE, @cofferGroupId, @keyId) RETURNING id;",
                new
                {
                    name, description, type, avatarUrl, user, now, inviteCode = GroupTypes.HasInviteCode(type) ? InviteCodes.New() : null,
                    cofferGroupId = type == GroupTypes.Secret ? cofferGroupId : null, keyId,
                },
                transaction, cancellationToken: ct));
            await AddMemberRowAsync(connection, transaction, id, user, GroupRoles.Admin, now, ct);
            if (keyId is not null)
            {
                await SecretGroupKeys.RecordMemberAsync(connection, transaction, id, user, publicKeyId, keyId, now, ct); // the creator holds the keys
            }

            return (await ViewAsync(connection, transaction, id, user, ct))!;
        }, ct);
    }

    public async Task<IReadOnlyList<GroupView>> UserGroupsAsync(string user, CancellationToken ct)
    {
        await using DbConnection connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<GroupView>(new CommandDefinition(
            ViewSelect + "WHERE g.is_active = TRUE AND m.user_id IS NOT NULL ORDER BY m.joined_at DESC, g.id DESC;",
            new { user }, cancellationToken: ct))).AsList();
    }

    /// <summary>Public groups whose name or description contains <paramref name="query"/> (case-insensitive).</summary>
    public async Task<IReadOnlyList<GroupView>> SearchAsync(string user, string query, CancellationToken ct)
    {
        string pattern = "%" + query.ToLowerInvariant().Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
        await using DbConnection connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<GroupView>(new CommandDefinition(
            ViewSelect + "WHERE g.is_active = TRUE AND g.type = 'public' " +
            "AND (LOWER(g.name) LIKE @pattern ESCAPE '\\' OR LOWER(COALESCE(g.description, '')) LIKE @pattern ESCAPE '\\') " +
            $"ORDER BY g.id DESC LIMIT {SearchLimit};",
            new { user, pattern }, cancellationToken: ct))).AsList();
    }

    /// <summary>The group with its members, if the caller may see it.</summary>
    public async Task<(GroupView Group, IReadOnlyList<GroupMember> Members)> DetailsAsync(long id, string user, CancellationToken ct)
    {
        await using DbConnection connection = await database.OpenAsync(ct);
        GroupView group = Visible(await ViewAsync(connection, null, id, user, ct));
        var members = (await connection.QueryAsync<GroupMember>(new CommandDefinition(
            "SELECT m.user_id AS UserId, u.username AS Username, u.avatar_url AS AvatarUrl, m.role AS Role, m.joined_at AS JoinedAt " +
            "FROM chat_group_member m JOIN chat_user u ON u.id = m.user_id WHERE m.group_id = @id ORDER BY m.joined_at, m.id;",
            new { id }, cancellationToken: ct))).AsList();
        return (group, members);
    }

    /// <summary>Joins a public group by id, or any group by its invite code; the caller becomes a member.</summary>
    public async Task<GroupView> JoinAsync(string user, long? groupId, string? inviteCode, CancellationToken ct)
    {
        // For the hand-over ledger of secret groups (looked up before the transaction: the platform may share the database).
        string? publicKeyId = inviteCode is null ? null : await platform.UserPublicKeyIdAsync(user, ct);
        long? joined = null;
        try
        {
            return await database.InTransactionAsync(async (connection, transaction) =>
            {
                long? id = groupId is long byId
                    ? await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                        "SELECT id FROM chat_group WHERE id = @byId AND type = 'public' AND is_active = TRUE;", new { byId }, transaction, cancellationToken: ct))
                    : await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                        "SELECT id FROM chat_group WHERE invite_code = @inviteCode AND is_active = TRUE;", new { inviteCode }, transaction, cancellationToken: ct));
                if (id is not long found)
                {
                    throw groupId is null ? ChatProblem.NotFound("Invalid invite code") : ChatProblem.NotFound("Group not found");
                }

                GroupView group = (await ViewAsync(connection, transaction, found, user, ct))!;
                if (group.IsMember)
                {
                    throw ChatProblem.Conflict("Already a member of this group");
                }

                joined = found;
                long now = time.GetUtcNow().ToUnixTimeMilliseconds();
                await AddMemberRowAsync(connection, transaction, found, user, GroupRoles.Member, now, ct);
                if (group.CofferGroupId is not null)
                {
                    await SecretGroupKeys.RecordMemberAsync(connection, transaction, found, user, publicKeyId, null, now, ct);
                }

                return (await ViewAsync(connection, transaction, found, user, ct))!;
            }, ct);
        }
        finally
        {
            if (joined is long id)
            {
                directory.GroupChanged(id);
            }
        }
    }

    /// <summary>The caller leaves; in a secret group they leave the platform group first. Returns the group as it was.</summary>
    public Task<GroupView> LeaveAsync(long id, string user, CancellationToken ct)
        => ChangingAsync(id, LeaveCoreAsync(id, user, ct));

    private async Task<GroupView> LeaveCoreAsync(long id, string user, CancellationToken ct)
    {
        GroupView before = await database.InTransactionAsync((connection, transaction) => CheckLeaveAsync(connection, transaction, id, user, ct), ct);
        await RemoveFromPlatformAsync(before, user, actor: null, ct);
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            GroupView group = await CheckLeaveAsync(connection, transaction, id, user, ct);
            await RemoveMemberRowAsync(connection, transaction, group, user, ct);
            return group;
        }, ct);
    }

    private static async Task<GroupView> CheckLeaveAsync(DbConnection connection, DbTransaction transaction, long id, string user, CancellationToken ct)
    {
        GroupView group = Member(await ViewAsync(connection, transaction, id, user, ct));
        if (group.Role == GroupRoles.Admin && await AdminCountAsync(connection, transaction, id, ct) == 1)
        {
            throw ChatProblem.Conflict("The last admin cannot leave: make another member admin or delete the group");
        }

        return group;
    }

    /// <summary>Changes name, description, avatar (null = unchanged); admins only.</summary>
    public Task<GroupView> UpdateAsync(long id, string user, string? name, string? description, string? avatarUrl, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            Require(GroupRoles.CanAdminister, Visible(await ViewAsync(connection, transaction, id, user, ct)), "Only admins can update the group");
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE chat_group SET name = COALESCE(@name, name), description = COALESCE(@description, description), " +
                "avatar_url = COALESCE(@avatarUrl, avatar_url) WHERE id = @id;",
                new { id, name, description, avatarUrl }, transaction, cancellationToken: ct));
            return (await ViewAsync(connection, transaction, id, user, ct))!;
        }, ct);

    /// <summary>Deletes the group with its members, messages and keys; admins only.</summary>
    public Task DeleteAsync(long id, string user, CancellationToken ct)
        => ChangingAsync(id, DeleteCoreAsync(id, user, ct));

    private async Task DeleteCoreAsync(long id, string user, CancellationToken ct)
    {
        GroupView group = await database.InTransactionAsync(async (connection, transaction) =>
        {
            GroupView group = Require(GroupRoles.CanAdminister, Visible(await ViewAsync(connection, transaction, id, user, ct)), "Only admins can delete the group");
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM chat_group WHERE id = @id;", new { id }, transaction, cancellationToken: ct));
            return group;
        }, ct);
        if (group.CofferGroupId is { } platformGroup)
        {
            try
            {
                await platform.DeleteGroupAsync(platformGroup, ct);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
            {
                // The chat group is gone; its platform group keeps only encrypted keys. An operator can delete it later.
                logger.LogWarning("Deleting the Coffer group of chat group {Group} failed: {Reason}", id, e.Message);
            }
        }
    }

    /// <summary>An admin or moderator adds a user (who has a chat profile) as a member.</summary>
    public Task AddMemberAsync(long id, string user, string target, CancellationToken ct)
        => ChangingAsync(id, AddMemberCoreAsync(id, user, target, ct));

    /// <summary>A new invite code (the old one stops working); admins only, private and secret groups.</summary>
    public Task<string> RenewInviteCodeAsync(long id, string user, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            GroupView group = Require(GroupRoles.CanAdminister, Visible(await ViewAsync(connection, transaction, id, user, ct)), "Only admins can renew the invite code");
            if (!GroupTypes.HasInviteCode(group.Type))
            {
                throw ChatProblem.BadRequest("Public groups have no invite code");
            }

            string code = InviteCodes.New();
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE chat_group SET invite_code = @code WHERE id = @id;", new { id, code }, transaction, cancellationToken: ct));
            return code;
        }, ct);

    private async Task AddMemberCoreAsync(long id, string user, string target, CancellationToken ct)
    {
        string? publicKeyId = await platform.UserPublicKeyIdAsync(target, ct); // for the hand-over ledger of secret groups
        await database.InTransactionAsync(async (connection, transaction) =>
        {
            GroupView group = Require(GroupRoles.CanAddMembers, Visible(await ViewAsync(connection, transaction, id, user, ct)), "Only admins and moderators can add members");
            if (!await ProfileStore.ExistsAsync(connection, transaction, target, ct))
            {
                throw ChatProblem.NotFound("User not found");
            }

            if (await RoleOfAsync(connection, transaction, id, target, ct) is not null)
            {
                throw ChatProblem.Conflict("Already a member of this group");
            }

            long now = time.GetUtcNow().ToUnixTimeMilliseconds();
            await AddMemberRowAsync(connection, transaction, id, target, GroupRoles.Member, now, ct);
            if (group.CofferGroupId is not null)
            {
                await SecretGroupKeys.RecordMemberAsync(connection, transaction, id, target, publicKeyId, null, now, ct);
            }

            return true;
        }, ct);
    }

    /// <summary>Removes a member; in a secret group from the platform group first. Returns the group as the caller sees it.</summary>
    public Task<GroupView> RemoveMemberAsync(long id, string user, string target, CancellationToken ct)
        => ChangingAsync(id, RemoveMemberCoreAsync(id, user, target, ct));

    private async Task<GroupView> RemoveMemberCoreAsync(long id, string user, string target, CancellationToken ct)
    {
        GroupView before = await database.InTransactionAsync((connection, transaction) => CheckRemoveAsync(connection, transaction, id, user, target, ct), ct);
        await RemoveFromPlatformAsync(before, target, user, ct);
        return await database.InTransactionAsync(async (connection, transaction) =>
        {
            GroupView group = await CheckRemoveAsync(connection, transaction, id, user, target, ct);
            await RemoveMemberRowAsync(connection, transaction, group, target, ct);
            return group;
        }, ct);
    }

    private static async Task<GroupView> CheckRemoveAsync(DbConnection connection, DbTransaction transaction, long id, string user, string target, CancellationToken ct)
    {
        GroupView group = Require(GroupRoles.CanAddMembers, Visible(await ViewAsync(connection, transaction, id, user, ct)), "Only admins and moderators can remove members");
        if (target == user)
        {
            throw ChatProblem.BadRequest("Use leave to leave a group");
        }

        string targetRole = await RoleOfAsync(connection, transaction, id, target, ct) ?? throw ChatProblem.NotFound("Member not found");
        return GroupRoles.CanRemove(group.Role, targetRole) ? group : throw ChatProblem.Forbidden("Moderators can only remove members");
    }

    /// <summary>
    /// Takes <paramref name="target"/> out of a secret group's platform group, acting as <paramref name="actor"/> or
    /// else as another admin or moderator of the chat group (the platform needs a member of rank ≤ 2 that is not
    /// weaker than the target). The platform group's creator cannot be removed. Nothing to do for other groups or
    /// when the target never got the keys.
    /// </summary>
    private async Task RemoveFromPlatformAsync(GroupView group, string target, string? actor, CancellationToken ct)
    {
        if (group.CofferGroupId is not { } platformGroup)
        {
            return;
        }

        int? rank = await platform.RankAsync(platformGroup, target, ct);
        if (rank is null)
        {
            return;
        }

        if (rank == 0)
        {
            throw ChatProblem.Conflict("The creator of a secret group holds its Coffer group and cannot leave or be removed; delete the group instead");
        }

        IEnumerable<string> actors = (actor is null ? Array.Empty<string>() : [actor]).Concat(await ManagersAsync(group.Id, ct)).Where(a => a != target).Distinct();
        foreach (string candidate in actors)
        {
            if (await platform.KickAsync(platformGroup, candidate, target, ct) == PlatformKick.Done)
            {
                return;
            }
        }

        throw ChatProblem.Conflict("No admin of the Coffer group may remove this member; an admin's client must sync the group's roles first");
    }

    /// <summary>The admins and moderators of a group (who hand over keys and rotate them).</summary>
    public async Task<IReadOnlyList<string>> ManagersAsync(long id, CancellationToken ct)
    {
        await using DbConnection connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT user_id FROM chat_group_member WHERE group_id = @id AND role IN ('admin', 'moderator') ORDER BY role, joined_at;",
            new { id }, cancellationToken: ct))).AsList();
    }

    /// <summary>The members who receive the group's live events (from the <see cref="ThreadDirectory"/>, current after every change).</summary>
    public async Task<IReadOnlyCollection<string>> MemberIdsAsync(long id, CancellationToken ct) =>
        await directory.RecipientsAsync(MessageThread.Group, id, ct);

    /// <summary>
    /// POST /api/group/{id}/key-rotated (admins and moderators of secret groups): records the platform group's newest key id, which
    /// clears the pending rotation when it changed. Returns the key id.
    /// </summary>
    public async Task<string> RecordKeyAsync(long id, string user, CancellationToken ct)
    {
        await using (DbConnection connection = await database.OpenAsync(ct))
        {
            // Moderators too: they remove members and may rotate on the platform; the key id is read from the platform.
            GroupView group = Require(GroupRoles.CanAddMembers, Visible(await ViewAsync(connection, null, id, user, ct)), "Only admins and moderators can rotate the key");
            if (group.CofferGroupId is null)
            {
                throw ChatProblem.BadRequest("Only secret groups have keys");
            }
        }

        return await RefreshKeyAsync(id, ct) ?? throw ChatProblem.NotFound("The Coffer group has no key");
    }

    /// <summary>An admin changes a member's role (a group keeps at least one admin).</summary>
    public Task ChangeRoleAsync(long id, string user, string target, string role, CancellationToken ct)
        => ChangingAsync(id, ChangeRoleCoreAsync(id, user, target, role, ct));

    /// <summary>Reads the platform group's newest key id and records it (a change clears the pending rotation); null for a group without one.</summary>
    public Task<string?> RefreshKeyAsync(long id, CancellationToken ct)
        => ChangingAsync(id, RefreshKeyCoreAsync(id, ct));

    private async Task<string?> RefreshKeyCoreAsync(long id, CancellationToken ct)
    {
        string? platformGroup;
        await using (DbConnection connection = await database.OpenAsync(ct))
        {
            platformGroup = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT coffer_group_id FROM chat_group WHERE id = @id;", new { id }, cancellationToken: ct));
        }

        if (platformGroup is null || await platform.NewestKeyIdAsync(platformGroup, ct) is not { } newest)
        {
            return null;
        }

        await database.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE chat_group SET key_rotation_pending = CASE WHEN coffer_key_id = @newest THEN key_rotation_pending ELSE FALSE END, " +
                "coffer_key_id = @newest WHERE id = @id;",
                new { id, newest }, transaction, cancellationToken: ct));
            await SecretGroupKeys.RotatedAsync(connection, transaction, id, newest, ct);
            return true;
        }, ct);
        return newest;
    }

    private Task ChangeRoleCoreAsync(long id, string user, string target, string role, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, transaction) =>
        {
            Require(GroupRoles.CanAdminister, Visible(await ViewAsync(connection, transaction, id, user, ct)), "Only admins can change roles");
            string targetRole = await RoleOfAsync(connection, transaction, id, target, ct) ?? throw ChatProblem.NotFound("Member not found");
            if (targetRole == GroupRoles.Admin && role != GroupRoles.Admin && await AdminCountAsync(connection, transaction, id, ct) == 1)
            {
                throw ChatProblem.Conflict("A group needs at least one admin");
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE chat_group_member SET role = @role WHERE group_id = @id AND user_id = @target;",
                new { id, target, role }, transaction, cancellationToken: ct));
            return true;
        }, ct);

    /// <summary>
    /// Runs a change of a group's members, roles, key or existence and then tells the <see cref="ThreadDirectory"/>,
    /// also when it failed (a step after a committed transaction may be what failed).
    /// </summary>
    private async Task<T> ChangingAsync<T>(long id, Task<T> change)
    {
        try
        {
            return await change;
        }
        finally
        {
            directory.GroupChanged(id);
        }
    }

    private async Task ChangingAsync(long id, Task change)
    {
        try
        {
            await change;
        }
        finally
        {
            directory.GroupChanged(id);
        }
    }

    /// <summary>The caller's view of the group, for the message endpoints (404 unless visible).</summary>
    public static async Task<GroupView> VisibleAsync(DbConnection connection, DbTransaction? transaction, long id, string user, CancellationToken ct) =>
        Visible(await ViewAsync(connection, transaction, id, user, ct));

    public static Task<GroupView?> ViewAsync(DbConnection connection, DbTransaction? transaction, long id, string user, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<GroupView>(new CommandDefinition(
            ViewSelect + "WHERE g.id = @id AND g.is_active = TRUE;", new { id, user }, transaction, cancellationToken: ct));

    public static GroupView Visible(GroupView? group) =>
        group is { VisibleTo: true } ? group : throw ChatProblem.NotFound("Group not found");

    /// <summary>The group if the caller is a member: 404 for hidden groups, 403 for public ones they have not joined.</summary>
    public static GroupView Member(GroupView? group) =>
        Visible(group).IsMember ? group! : throw ChatProblem.Forbidden("Not a member of this group");

    private static GroupView Require(Func<string?, bool> power, GroupView group, string detail) =>
        power(group.Role) ? group : throw ChatProblem.Forbidden(detail);

    private static Task<string?> RoleOfAsync(DbConnection connection, DbTransaction transaction, long id, string user, CancellationToken ct) =>
        connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT role FROM chat_group_member WHERE group_id = @id AND user_id = @user;", new { id, user }, transaction, cancellationToken: ct));

    private static Task<long> AdminCountAsync(DbConnection connection, DbTransaction transaction, long id, CancellationToken ct) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM chat_group_member WHERE group_id = @id AND role = 'admin';", new { id }, transaction, cancellationToken: ct));

    private static Task AddMemberRowAsync(DbConnection connection, DbTransaction transaction, long id, string user, string role, long now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO chat_group_member (group_id, user_id, role, joined_at) VALUES (@id, @user, @role, @now);",
            new { id, user, role, now }, transaction, cancellationToken: ct));

    /// <summary>Deletes the membership; in a secret group the key must be rotated afterwards.</summary>
    private static async Task RemoveMemberRowAsync(DbConnection connection, DbTransaction transaction, GroupView group, string user, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM chat_group_member WHERE group_id = @id AND user_id = @user;", new { id = group.Id, user }, transaction, cancellationToken: ct));
        if (group.CofferGroupId is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE chat_group SET key_rotation_pending = TRUE WHERE id = @id;", new { id = group.Id }, transaction, cancellationToken: ct));
            await SecretGroupKeys.RemoveAsync(connection, transaction, group.Id, user, ct);
        }
    }
}
