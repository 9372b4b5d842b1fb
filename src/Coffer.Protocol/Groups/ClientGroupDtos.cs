using System.Text.Json.Serialization;

namespace Coffer.Protocol.Groups;

// Wire records of api.md §4.0 that the first server commit did not have yet; added by the SDK work (new file only).

/// <summary>A group's HMAC (searchable-encryption) key, encrypted with the group key <c>encrypted_hmac_encryption_key_id</c>.</summary>
public sealed record GroupHmacData(
    string Id,
    string EncryptedHmacKey,
    string EncryptedHmacAlg,
    string EncryptedHmacEncryptionKeyId,
    long Time);

/// <summary>One group key encrypted for a new member's public key.</summary>
public sealed record GroupKeysForNewMember(
    string EncryptedGroupKey,
    string Alg,
    string EncryptedAlg,
    string KeyId,
    string UserPublicKeyId);

/// <summary>
/// The keys for a new member (invite, join, new device). <c>rank</c> is written as <c>null</c> when absent, as serde
/// does for this struct (crypto-std.md §2.3).
/// </summary>
public sealed record GroupKeysForNewMemberServerInput(
    IReadOnlyList<GroupKeysForNewMember> Keys,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Rank,
    bool KeySession);

/// <summary>
/// Result of an invite or of done_register_device: the key session id when more keys must follow (omitted when
/// none, so it is an optional property rather than a constructor parameter, which would be required on read).
/// </summary>
public sealed record GroupInviteServerOutput
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SessionId { get; init; }

    public required string Message { get; init; }
}
