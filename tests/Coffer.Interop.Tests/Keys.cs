using Coffer.Crypto;
using Coffer.Crypto.Sentc;

namespace Coffer.Interop.Tests;

/// <summary>Fresh C# keys of the default algorithms, and the JSON forms the official client takes for them.</summary>
public static class Keys
{
    public static (PrivateKey Private, PublicKey Public) EncryptionPair(string keyId) =>
        PrivateKey.Generate(EncryptionAlgorithm.X25519Kyber768, keyId);

    public static (SignKey Sign, VerifyKey Verify) SignPair(string keyId) =>
        SignKey.Generate(SignatureAlgorithm.Ed25519Dilithium3, keyId);

    /// <summary><c>reply_public_key_data</c> / <c>public_key_data</c>: a <c>UserPublicKeyData</c> without signature.</summary>
    public static string PublicKeyData(PublicKey key) => new UserPublicKeyData(key, null, null).ToJson();

    /// <summary><c>verify_key_data</c>: a <c>UserVerifyKeyData</c>.</summary>
    public static string VerifyKeyData(VerifyKey key) => UserVerifyKeyData.ToJson(key);
}
