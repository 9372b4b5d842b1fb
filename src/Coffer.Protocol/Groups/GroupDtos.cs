using System.Text.Json.Serialization;

namespace Coffer.Protocol.Groups;

/// <summary>The data of a new group (and of a user group at register); the last seven fields are optional.</summary>
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
    string? SignedByUserId = null,
    string? SignedByUserSignKeyId = null,
    string? GroupKeySig = null,
    string? EncryptedSignKey = null,
    string? VerifyKey = null,
    string? KeypairSignAlg = null,
    string? PublicKeySig = null);

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
