using System.Text.Json.Serialization;

namespace Coffer.Protocol.Groups;

/// <summary>The data of a new group (and of a user group at register); the last seven fields are optional and, as serde
/// skips them, omitted when null.</summary>
public sealed record CreateData(
    string EncryptedGroupKey,
    string GroupKeyAlg,
    string EncryptedGroupKeyAlg,
    string EncryptedPrivateGroupKey,
    string PublicGroupKey,
    string KeypairEncryptAlg,
    string CreatorPublicKeyId,
    string EncryptedHmacKey,
    string EncryptedHmacAlg,
    string EncryptedSortableKey,
    string EncryptedSortableAlg,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SignedByUserId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SignedByUserSignKeyId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GroupKeySig = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EncryptedSignKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? VerifyKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? KeypairSignAlg = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PublicKeySig = null);

/// <summary>A group key as one member sees it. Fields marked optional in api.md §4.0 are omitted when empty.</summary>
public sealed record GroupKeyServerOutput(
    string EncryptedGroupKey,
    string GroupKeyAlg,
    string GroupKeyId,
    string EncryptedPrivateGroupKey,
    string PublicGroupKey,
    string KeypairEncryptAlg,
    string KeyPairId,
    string UserPublicKeyId,
    long Time,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SignedByUserId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SignedByUserSignKeyId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GroupKeySig = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EncryptedSignKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? VerifyKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? KeypairSignAlg = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? KeypairSignId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PublicKeySig = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PublicKeySigKeyId = null);

/// <summary>One invite (or join request) in a list: the group and the time it was made.</summary>
public sealed record GroupInviteReqList(string GroupId, long Time);

/// <summary>One group key encrypted for a new member's public key.</summary>
public sealed record GroupKeysForNewMember(
    string EncryptedGroupKey,
    string Alg,
    string EncryptedAlg,
    string KeyId,
    string UserPublicKeyId);

/// <summary>
/// Keys for a new member (invite, auto invite, join accept, device registration); <c>rank</c> null or absent means 4
/// (optional fields may be absent, api.md §1.6, so it has a default and comes last).
/// </summary>
public sealed record GroupKeysForNewMemberServerInput(IReadOnlyList<GroupKeysForNewMember> Keys, bool KeySession, int? Rank = null);

/// <summary>Body of the light (no keys) member additions: only the optional rank (api.md §4.0, §4.19).</summary>
public sealed record GroupNewMemberLightInput(int? Rank = null);

/// <summary>Result of invites, auto invites, join accepts and device registration; session_id only when a session was opened.</summary>
public sealed record GroupInviteServerOutput(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SessionId,
    string Message);

/// <summary>A group's HMAC (searchable-encryption) key, encrypted with the group key <c>encrypted_hmac_encryption_key_id</c>.</summary>
public sealed record GroupHmacData(
    string Id,
    string EncryptedHmacKey,
    string EncryptedHmacAlg,
    string EncryptedHmacEncryptionKeyId,
    long Time);

/// <summary>A group's sortable (OPE) key, encrypted with the group key <c>encrypted_sortable_encryption_key_id</c>.</summary>
public sealed record GroupSortableData(
    string Id,
    string EncryptedSortableKey,
    string EncryptedSortableAlg,
    string EncryptedSortableEncryptionKeyId,
    long Time);

/// <summary>POST /group, /group/:gid/child, /group/:gid/connected and the forced variants.</summary>
public sealed record GroupCreateOutput(string GroupId);

/// <summary>GET /group/:gid (api.md §4.5). <c>keys</c>, <c>hmac_keys</c> and <c>sortable_keys</c> hold the first page (50, newest first).</summary>
public sealed record GroupServerData(
    string GroupId,
    string? ParentGroupId,
    IReadOnlyList<GroupKeyServerOutput> Keys,
    IReadOnlyList<GroupHmacData> HmacKeys,
    IReadOnlyList<GroupSortableData> SortableKeys,
    bool KeyUpdate,
    int Rank,
    long CreatedTime,
    long JoinedTime,
    GroupAccessBy AccessBy,
    bool IsConnectedGroup);

/// <summary>GET /group/:gid/light: the access check for backends.</summary>
public sealed record GroupLightServerData(
    string GroupId,
    string? ParentGroupId,
    int Rank,
    long CreatedTime,
    long JoinedTime,
    GroupAccessBy AccessBy,
    bool IsConnectedGroup);

/// <summary>GET /group/:gid/update_check.</summary>
public sealed record GroupDataCheckUpdateServerOutput(bool KeyUpdate, int Rank);

/// <summary>GET /group/:gid/update_check_light.</summary>
public sealed record GroupDataCheckUpdateServerOutputLight(int Rank);

/// <summary>GET /group/all/:t/:id and /group/:gid/all/:t/:id: direct memberships (types 0 and 2).</summary>
public sealed record ListGroups(string GroupId, long Time, long JoinedTime, int Rank, string? Parent);

/// <summary>GET /group/:gid/children/:t/:id.</summary>
public sealed record GroupChildrenList(string GroupId, long Time, string? Parent);

/// <summary>
/// GET /group/:gid/member/:t/:id and GET /group/forced/:gid/user/:uid. <c>user_type</c>: 0 user (or device), 1 the
/// parent group, 2 a group as member.
/// </summary>
public sealed record GroupUserListItem(string UserId, int Rank, long JoinedTime, int UserType);

/// <summary>GET /group/:gid/join_req/:t/:id: pending join requests (users and groups).</summary>
public sealed record GroupJoinReqList(string UserId, long Time, int UserType);

/// <summary>PUT /group/:gid/change_rank.</summary>
public sealed record GroupChangeRankInput(string ChangedUserId, int NewRank);

/// <summary>POST /group/:gid/key_rotation and POST /user/user_keys/rotation (api.md §6.1). The last seven fields are optional.</summary>
public sealed record KeyRotationData(
    string EncryptedGroupKeyByUser,
    string GroupKeyAlg,
    string EncryptedGroupKeyAlg,
    string EncryptedPrivateGroupKey,
    string PublicGroupKey,
    string KeypairEncryptAlg,
    string EncryptedGroupKeyByEphemeral,
    string EphemeralAlg,
    string EncryptedEphemeralKey,
    string PreviousGroupKeyId,
    string InvokerPublicKeyId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SignedByUserId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SignedByUserSignKeyId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GroupKeySig = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EncryptedSignKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? VerifyKey = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? KeypairSignAlg = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PublicKeySig = null);

/// <summary>The answer of a rotation start: the group and the new key id.</summary>
public sealed record KeyRotationStartServerOutput(string GroupId, string KeyId);

/// <summary>One pending rotation of a member (GET …/key_rotation, oldest first; api.md §6.3).</summary>
public sealed record KeyRotationInput(
    string? Error,
    string EncryptedEphemeralKeyByGroupKeyAndPublicKey,
    string EncryptedGroupKeyByEphemeral,
    string EphemeralAlg,
    string EncryptedEphKeyKeyId,
    string PreviousGroupKeyId,
    long Time,
    string NewGroupKeyId);

/// <summary>PUT …/key_rotation/:kid: the member's copy of the new group key.</summary>
public sealed record DoneKeyRotationData(string EncryptedNewGroupKey, string PublicKeyId, string EncryptedAlg);

/// <summary>
/// How the caller reaches a group (api.md §5), externally tagged: <c>"User"</c>, <c>{"Parent":"gid"}</c>,
/// <c>{"GroupAsUser":"gid"}</c>, <c>{"GroupAsUserAsParent":{"parent":"gid","group_as_user":"gid"}}</c>.
/// </summary>
[JsonConverter(typeof(Json.GroupAccessByConverter))]
public abstract record GroupAccessBy
{
    private GroupAccessBy()
    {
    }

    /// <summary>A direct member row of the user.</summary>
    public sealed record User : GroupAccessBy;

    /// <summary>Through the membership in the ancestor <paramref name="Group"/>.</summary>
    public sealed record Parent(string Group) : GroupAccessBy;

    /// <summary>Through the member group <paramref name="Group"/> (header <c>x-sentc-group-access-id</c>), direct row.</summary>
    public sealed record GroupAsUser(string Group) : GroupAccessBy;

    /// <summary>Through the member group <paramref name="MemberGroup"/>, which is a member of the ancestor <paramref name="Ancestor"/>.</summary>
    public sealed record GroupAsUserAsParent(string Ancestor, string MemberGroup) : GroupAccessBy;
}
