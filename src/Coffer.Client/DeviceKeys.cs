using Coffer.Crypto;
using Coffer.Crypto.Sentc;

namespace Coffer.Client;

/// <summary>
/// The key pairs of one device: an encryption pair (it decrypts the user keys and the login challenge) and a sign
/// pair. Both are wrapped by the device's master key, which the password protects. Dispose to zero the secrets.
/// </summary>
public sealed class DeviceKeys : IDisposable
{
    internal DeviceKeys(PrivateKey privateKey, PublicKey publicKey, SignKey signKey, VerifyKey verifyKey)
    {
        PrivateKey = privateKey;
        PublicKey = publicKey;
        SignKey = signKey;
        VerifyKey = verifyKey;
    }

    /// <summary>The device's private key; its key id is the device's encryption key id.</summary>
    public PrivateKey PrivateKey { get; }

    /// <summary>The device's public key.</summary>
    public PublicKey PublicKey { get; }

    /// <summary>The device's sign key.</summary>
    public SignKey SignKey { get; }

    /// <summary>The device's verify key.</summary>
    public VerifyKey VerifyKey { get; }

    /// <summary>The public key as <c>UserPublicKeyData</c> JSON (no signature: device keys are not signed).</summary>
    public string ExportPublicKeyData() => new UserPublicKeyData(PublicKey, null, null).ToJson();

    /// <summary>The verify key as <c>UserVerifyKeyData</c> JSON.</summary>
    public string ExportVerifyKeyData() => UserVerifyKeyData.ToJson(VerifyKey);

    /// <inheritdoc/>
    public void Dispose()
    {
        PrivateKey.Dispose();
        SignKey.Dispose();
    }
}

/// <summary>
/// One generation of the user's keys (a key of the user group): the symmetric user-group key, the user's encryption
/// key pair and sign key pair, and the signature over the public key by the sign key of the same generation.
/// Dispose to zero the secrets.
/// </summary>
public sealed class UserKey : IDisposable
{
    internal UserKey(
        SymmetricKey groupKey, PrivateKey privateKey, PublicKey publicKey, SignKey signKey, VerifyKey verifyKey,
        long time, string? publicKeySignature, string? publicKeySignatureKeyId)
    {
        GroupKey = groupKey;
        PrivateKey = privateKey;
        PublicKey = publicKey;
        SignKey = signKey;
        VerifyKey = verifyKey;
        Time = time;
        PublicKeySignature = publicKeySignature;
        PublicKeySignatureKeyId = publicKeySignatureKeyId;
    }

    /// <summary>The id of this generation (the user-group key id).</summary>
    public string GroupKeyId => GroupKey.KeyId;

    /// <summary>The symmetric user-group key.</summary>
    public SymmetricKey GroupKey { get; }

    /// <summary>The user's private key of this generation.</summary>
    public PrivateKey PrivateKey { get; }

    /// <summary>The user's public key of this generation (what other users encrypt to).</summary>
    public PublicKey PublicKey { get; }

    /// <summary>The user's sign key of this generation.</summary>
    public SignKey SignKey { get; }

    /// <summary>The user's verify key of this generation.</summary>
    public VerifyKey VerifyKey { get; }

    /// <summary>When this generation was created, milliseconds since the Unix epoch.</summary>
    public long Time { get; }

    /// <summary>The signature over the public key (<c>{"x","k"}</c> text), or null.</summary>
    public string? PublicKeySignature { get; }

    /// <summary>The id of the sign key that made <see cref="PublicKeySignature"/>.</summary>
    public string? PublicKeySignatureKeyId { get; }

    /// <summary>The public key as <c>UserPublicKeyData</c> JSON, with its signature.</summary>
    public string ExportPublicKeyData() => new UserPublicKeyData(PublicKey, PublicKeySignature, PublicKeySignatureKeyId).ToJson();

    /// <summary>The verify key as <c>UserVerifyKeyData</c> JSON.</summary>
    public string ExportVerifyKeyData() => UserVerifyKeyData.ToJson(VerifyKey);

    /// <inheritdoc/>
    public void Dispose()
    {
        GroupKey.Dispose();
        PrivateKey.Dispose();
        SignKey.Dispose();
    }
}
