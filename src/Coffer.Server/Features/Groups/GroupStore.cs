using System.Data.Common;
using Coffer.Protocol.Groups;
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

/// <summary>SQL of groups. Only group creation so far (used by register for the user group, §4.1 → §4.5).</summary>
public static class GroupStore
{
    public const int CreatorRank = 0;

    public sealed record CreatedGroup(GroupId Group, GroupKeyId Key);

    /// <summary>
    /// Creates a group with its first key, its HMAC and sortable keys, the creator as rank-0 member and the
    /// creator's copy of the group key, inside the caller's transaction.
    /// </summary>
    public static async Task<CreatedGroup> CreateAsync(
        DbConnection connection, DbTransaction transaction, AppId app, GroupKind kind, CreateData data,
        string creatorMemberId, string creatorPublicKeyId, long now)
    {
        var group = new GroupId(NewId.Uuid());
        var key = new GroupKeyId(NewId.Uuid());
        await connection.ExecuteAsync(
            """
            INSERT INTO grp (id, app_id, kind, parent_id, invite_open, is_connected, current_key_id, created_at)
            VALUES (@group, @app, @kind, NULL, @inviteOpen, @isConnected, @key, @now)
            """,
            new { group = group.Value, app = app.Value, kind = (int)kind, inviteOpen = true, isConnected = false, key = key.Value, now },
            transaction);
        await connection.ExecuteAsync(
            """
            INSERT INTO group_key (id, group_id, app_id, created_at, group_key_alg, keypair_encrypt_alg, public_key,
                encrypted_private_key, keypair_sign_alg, verify_key, encrypted_sign_key, public_key_sig,
                signed_by_user_id, signed_by_user_sign_key_id, group_key_sig)
            VALUES (@key, @group, @app, @now, @GroupKeyAlg, @KeypairEncryptAlg, @PublicGroupKey,
                @EncryptedPrivateGroupKey, @KeypairSignAlg, @VerifyKey, @EncryptedSignKey, @PublicKeySig,
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
            new { group = group.Value, member = creatorMemberId, type = (int)MemberType.User, rank = CreatorRank, now },
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
        DbConnection connection, DbTransaction transaction, AppId app, GroupKind kind, string creatorMemberId, long now)
    {
        var group = new GroupId(NewId.Uuid());
        await connection.ExecuteAsync(
            """
            INSERT INTO grp (id, app_id, kind, parent_id, invite_open, is_connected, current_key_id, created_at)
            VALUES (@group, @app, @kind, NULL, @inviteOpen, @isConnected, NULL, @now);
            INSERT INTO group_member (group_id, member_id, member_type, rank, joined_at)
            VALUES (@group, @member, @type, @rank, @now);
            """,
            new
            {
                group = group.Value, app = app.Value, kind = (int)kind, inviteOpen = true, isConnected = false, now,
                member = creatorMemberId, type = (int)MemberType.User, rank = CreatorRank,
            },
            transaction);
        return group;
    }
}
