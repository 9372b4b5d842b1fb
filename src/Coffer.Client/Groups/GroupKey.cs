using Coffer.Crypto;

namespace Coffer.Client.Groups;

/// <summary>
/// One generation of a group's keys, decrypted on this device: the symmetric group key (it encrypts the group's data)
/// and the group's encryption key pair (child groups, connected groups and member groups are encrypted for it).
/// Dispose to zero the secrets; the <see cref="CofferGroup"/> that holds it does so.
/// </summary>
public sealed class GroupKey : IDisposable
{
    internal GroupKey(
        SymmetricKey symmetricKey, PrivateKey privateKey, PublicKey publicKey, long time,
        string? signedByUserId, string? signedByUserSignKeyId, bool signatureVerified)
    {
        SymmetricKey = symmetricKey;
        PrivateKey = privateKey;
        PublicKey = publicKey;
        Time = time;
        SignedByUserId = signedByUserId is null ? null : new UserId(signedByUserId);
        SignedByUserSignKeyId = signedByUserSignKeyId;
        SignatureVerified = signatureVerified;
    }

    /// <summary>The id of this generation (the group key id; encrypted data names it in its head).</summary>
    public string KeyId => SymmetricKey.KeyId;

    /// <summary>The symmetric group key.</summary>
    public SymmetricKey SymmetricKey { get; }

    /// <summary>The group's private key of this generation (its key id is the key pair id).</summary>
    public PrivateKey PrivateKey { get; }

    /// <summary>The group's public key of this generation.</summary>
    public PublicKey PublicKey { get; }

    /// <summary>When this generation was created, milliseconds since the Unix epoch.</summary>
    public long Time { get; }

    /// <summary>The user who signed the key at creation or rotation, if it was signed.</summary>
    public UserId? SignedByUserId { get; }

    /// <summary>The id of the signer's sign key (a user key id), if the key was signed.</summary>
    public string? SignedByUserSignKeyId { get; }

    /// <summary>True when the signature over the key was checked against the signer's verify key (and held).</summary>
    public bool SignatureVerified { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        SymmetricKey.Dispose();
        PrivateKey.Dispose();
    }
}
