namespace Coffer.Protocol.Keys;

/// <summary>GET /user/:uid/public_key(/:kid), GET /group/:gid/public_key. Both signature fields are always present.</summary>
public sealed record UserPublicKeyData(
    string PublicKeyId,
    string PublicKey,
    string PublicKeyAlg,
    string? PublicKeySig,
    string? PublicKeySigKeyId);

public sealed record UserVerifyKeyData(string VerifyKeyId, string VerifyKey, string VerifyKeyAlg);

/// <summary>POST /keys/sym_key: a symmetric key encrypted by the client with the key <c>master_key_id</c> (api.md §4.17).</summary>
public sealed record GeneratedSymKeyHeadServerInput(string Alg, string EncryptedKeyString, string MasterKeyId);

/// <summary>The answer of POST /keys/sym_key.</summary>
public sealed record GeneratedSymKeyHeadServerRegisterOutput(string KeyId);

/// <summary>GET /keys/sym_key/:kid and the master-key list: one stored symmetric key.</summary>
public sealed record GeneratedSymKeyHeadServerOutput(string Alg, string EncryptedKeyString, string MasterKeyId, string KeyId, long Time);
