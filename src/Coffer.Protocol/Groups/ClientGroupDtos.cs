namespace Coffer.Protocol.Groups;

// Wire records of api.md §4.0 that the first server commit did not have yet; added by the SDK work (new file only).

/// <summary>A group's HMAC (searchable-encryption) key, encrypted with the group key <c>encrypted_hmac_encryption_key_id</c>.</summary>
public sealed record GroupHmacData(
    string Id,
    string EncryptedHmacKey,
    string EncryptedHmacAlg,
    string EncryptedHmacEncryptionKeyId,
    long Time);
