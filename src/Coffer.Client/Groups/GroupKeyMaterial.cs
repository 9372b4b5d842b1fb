using System.Security.Cryptography;
using Coffer.Crypto;
using Coffer.Crypto.Formats;
using Coffer.Protocol.Groups;

namespace Coffer.Client.Groups;

/// <summary>
/// The client-side group constructions of crypto-std.md §15.2–§15.4, built only from Coffer.Crypto's typed keys:
/// a new group's CreateData (optionally signed), decrypting a member's copy of a group key (optionally verifying its
/// signature), the HMAC and sortable keys, and the group keys for a new member.
/// </summary>
internal static class GroupKeyMaterial
{
    /// <summary>
    /// CreateData for a new group (§15.2): group key encrypted to the creator public key (the user's newest public
    /// key, or the parent's / connected group's newest public key), key pair, HMAC and sortable keys. With a sign key
    /// the raw group key is signed and <c>signed_by_*</c> is set; a user group also gets a sign key pair (§15.1).
    /// </summary>
    public static CreateData NewGroup(PublicKey creator, SignKey? signKey = null, string? starterUserId = null, bool userGroup = false)
    {
        if (signKey is not null && starterUserId is null)
        {
            throw new ArgumentNullException(nameof(starterUserId), "A signed group key names the user who signed it.");
        }

        using SymmetricKey groupKey = SymmetricKey.Generate();
        using SearchableKey hmacKey = SearchableKey.Generate();
        using SortableKey sortableKey = SortableKey.Generate();
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        using (privateKey)
        {
            var data = new CreateData(
                EncryptedGroupKey: B64(creator.Wrap(groupKey)),
                GroupKeyAlg: SymmetricKey.AlgorithmId,
                EncryptedGroupKeyAlg: creator.Algorithm.Id,
                EncryptedPrivateGroupKey: B64(groupKey.Wrap(privateKey)),
                PublicGroupKey: publicKey.ToWireText(),
                KeypairEncryptAlg: publicKey.Algorithm.Id,
                CreatorPublicKeyId: creator.KeyId,
                EncryptedHmacKey: B64(hmacKey.WrapWith(groupKey)),
                EncryptedHmacAlg: SearchableKey.AlgorithmId,
                EncryptedSortableKey: B64(sortableKey.WrapWith(groupKey)),
                EncryptedSortableAlg: SortableKey.AlgorithmId);
            if (signKey is not null)
            {
                byte[] raw = groupKey.ExportRaw();
                try
                {
                    data = data with
                    {
                        SignedByUserId = starterUserId,
                        SignedByUserSignKeyId = signKey.KeyId,
                        GroupKeySig = signKey.SignToText(raw),
                    };
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(raw);
                }
            }

            if (userGroup)
            {
                (SignKey groupSignKey, VerifyKey verifyKey) = SignKey.Generate(SignatureAlgorithm.Default);
                using (groupSignKey)
                {
                    data = data with
                    {
                        EncryptedSignKey = B64(groupKey.Wrap(groupSignKey)),
                        VerifyKey = verifyKey.ToWireText(),
                        KeypairSignAlg = verifyKey.Algorithm.Id,
                        PublicKeySig = groupSignKey.SignToText(publicKey.Export()),
                    };
                }
            }

            return data;
        }
    }

    /// <summary>
    /// A member's copy of a group key (§15.3): the group key decrypted with <paramref name="decryptor"/> (the private
    /// key named by <c>user_public_key_id</c>), the signature checked when a verify key is given and the key is signed
    /// (a failure is <c>client_31</c>), then the private group key decrypted with the group key.
    /// </summary>
    public static GroupKey DecryptKey(GroupKeyServerOutput key, PrivateKey decryptor, VerifyKey? verifyKey = null)
    {
        EncryptionAlgorithm encryption = EncryptionAlgorithm.FromId(key.KeypairEncryptAlg);
        PublicKey publicKey = PublicKey.FromWireText(encryption, key.PublicGroupKey, key.KeyPairId);
        SymmetricKey groupKey = decryptor.UnwrapSymmetricKey(Decode(key.EncryptedGroupKey), key.GroupKeyId);
        try
        {
            bool verified = false;
            if (verifyKey is not null && key.GroupKeySig is not null)
            {
                byte[] raw = groupKey.ExportRaw();
                try
                {
                    verified = verifyKey.VerifyText(raw, key.GroupKeySig)
                        ? true
                        : throw new CryptoException(CryptoError.KeySignatureInvalid);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(raw);
                }
            }

            PrivateKey privateKey = groupKey.UnwrapPrivateKey(Decode(key.EncryptedPrivateGroupKey), encryption, key.KeyPairId);
            return new GroupKey(groupKey, privateKey, publicKey, key.Time, key.SignedByUserId, key.SignedByUserSignKeyId, verified);
        }
        catch
        {
            groupKey.Dispose();
            throw;
        }
    }

    /// <summary>The group's searchable key, decrypted with the group key it names.</summary>
    public static SearchableKey DecryptSearchableKey(GroupHmacData data, SymmetricKey groupKey) =>
        SearchableKey.Unwrap(groupKey, Decode(data.EncryptedHmacKey), data.Id);

    /// <summary>The group's sortable key, decrypted with the group key it names.</summary>
    public static SortableKey DecryptSortableKey(GroupSortableData data, SymmetricKey groupKey) =>
        SortableKey.Unwrap(groupKey, Decode(data.EncryptedSortableKey), data.Id);

    /// <summary>Every group key encrypted to a new member's newest public key (§15.4); private keys are not re-encrypted.</summary>
    public static List<GroupKeysForNewMember> KeysForNewMember(IEnumerable<GroupKey> keys, PublicKey member) =>
        [.. keys.Select(k => new GroupKeysForNewMember(
            B64(member.Wrap(k.SymmetricKey)), SymmetricKey.AlgorithmId, member.Algorithm.Id, k.KeyId, member.KeyId))];

    private static string B64(byte[] data) => StrictBase64.Encode(data);

    private static byte[] Decode(string text) => StrictBase64.Decode(text);
}
