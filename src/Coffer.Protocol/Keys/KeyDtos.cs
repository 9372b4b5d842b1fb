namespace Coffer.Protocol.Keys;

/// <summary>GET /user/:uid/public_key(/:kid), GET /group/:gid/public_key. Both signature fields are always present.</summary>
public sealed record UserPublicKeyData(
    string PublicKeyId,
    string PublicKey,
    string PublicKeyAlg,
    string? PublicKeySig,
    string? PublicKeySigKeyId);

public sealed record UserVerifyKeyData(string VerifyKeyId, string VerifyKey, string VerifyKeyAlg);
