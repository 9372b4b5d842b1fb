using System.Security.Cryptography;
using System.Text;
using Coffer.Client.Groups;
using Coffer.Crypto;
using Coffer.Crypto.Formats;
using Coffer.Crypto.Password;
using Coffer.Protocol.Groups;
using Coffer.Protocol.Users;
using WireDeviceKeys = Coffer.Protocol.Users.DeviceKeys;

namespace Coffer.Client;

/// <summary>
/// The client-side constructions of crypto-std.md §8, §14, §15.1, §15.3–§15.5, built only from Coffer.Crypto
/// primitives: device keys wrapped by a password-protected master key, the user group with its sign key and
/// public-key signature, decrypting device and user keys, and the user keys for a new device.
/// </summary>
internal static class UserKeyMaterial
{
    /// <summary>The placeholder key id of a key the server has not named yet (crypto-std.md §1).</summary>
    public const string NonRegisteredKeyId = "non_registered";

    /// <summary>A new device: master key, password data and both device key pairs (§8.3, §8.4). Also returns the device public key.</summary>
    public static (UserDeviceRegisterInput Input, PublicKey DevicePublicKey) NewDevice(string identifier, string password)
    {
        byte[] clientRandomValue = RandomNumberGenerator.GetBytes(PasswordKeys.ClientRandomValueSize);
        using PasswordKeys passwordKeys = PasswordKeys.Derive(password, PasswordKeys.Salt(clientRandomValue));
        using SymmetricKey masterKey = SymmetricKey.Generate();
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default, NonRegisteredKeyId);
        (SignKey signKey, VerifyKey verifyKey) = SignKey.Generate(SignatureAlgorithm.Default, NonRegisteredKeyId);
        using (privateKey)
        using (signKey)
        {
            var input = new UserDeviceRegisterInput(
                new MasterKey(
                    SymmetricKey.AlgorithmId,
                    B64(passwordKeys.MasterKeyEncryptionKey.Wrap(masterKey)),
                    SymmetricKey.AlgorithmId),
                new KeyDerivedData(
                    PasswordKeys.AlgorithmId,
                    B64(clientRandomValue),
                    B64(passwordKeys.HashedAuthKey),
                    publicKey.ToWireText(),
                    B64(masterKey.Wrap(privateKey)),
                    publicKey.Algorithm.Id,
                    verifyKey.ToWireText(),
                    B64(masterKey.Wrap(signKey)),
                    verifyKey.Algorithm.Id),
                identifier);
            return (input, publicKey);
        }
    }

    /// <summary>
    /// The user group's CreateData (§15.1, §15.2): the generic group construction with the creator (device) public key
    /// and, as a user group, a sign key pair with the signature over the public key (§14). No <c>signed_by_*</c>.
    /// </summary>
    public static CreateData NewUserGroup(PublicKey creatorPublicKey) => GroupKeyMaterial.NewGroup(creatorPublicKey, userGroup: true);

    /// <summary>Step 4 of the login (§15.5): master key, then both device key pairs.</summary>
    public static DeviceKeys DecryptDeviceKeys(WireDeviceKeys keys, SymmetricKey masterKeyEncryptionKey)
    {
        using SymmetricKey masterKey = masterKeyEncryptionKey.UnwrapSymmetricKey(Decode(keys.EncryptedMasterKey), string.Empty);
        EncryptionAlgorithm encryption = EncryptionAlgorithm.FromId(keys.KeypairEncryptAlg);
        SignatureAlgorithm signature = SignatureAlgorithm.FromId(keys.KeypairSignAlg);
        PublicKey publicKey = PublicKey.FromWireText(encryption, keys.PublicKeyString, keys.KeypairEncryptId);
        VerifyKey verifyKey = VerifyKey.FromWireText(signature, keys.VerifyKeyString, keys.KeypairSignId);
        PrivateKey privateKey = masterKey.UnwrapPrivateKey(Decode(keys.EncryptedPrivateKey), encryption, keys.KeypairEncryptId);
        try
        {
            SignKey signKey = masterKey.UnwrapSignKey(Decode(keys.EncryptedSignKey), signature, keys.KeypairSignId);
            return new DeviceKeys(privateKey, publicKey, signKey, verifyKey);
        }
        catch
        {
            privateKey.Dispose();
            throw;
        }
    }

    /// <summary>The login challenge: hybrid-encrypted UTF-8 text, no head, no signature (§15.5 step 3).</summary>
    public static string DecryptChallenge(string challenge, DeviceKeys device) =>
        Encoding.UTF8.GetString(device.PrivateKey.Decrypt(Decode(challenge)));

    /// <summary>
    /// A user key as the server hands it to this device (§15.3): the group key decrypted with the device private
    /// key, then the user private key and sign key with the group key. The four sign fields are required.
    /// </summary>
    public static UserKey DecryptUserKey(GroupKeyServerOutput key, DeviceKeys device)
    {
        if (key.UserPublicKeyId != device.PrivateKey.KeyId)
        {
            throw CofferException.FromSdk(SdkError.UserKeyNotFound);
        }

        if (key.EncryptedSignKey is null || key.VerifyKey is null || key.KeypairSignAlg is null || key.KeypairSignId is null)
        {
            throw CofferException.FromSdk(SdkError.ResponseInvalid);
        }

        EncryptionAlgorithm encryption = EncryptionAlgorithm.FromId(key.KeypairEncryptAlg);
        SignatureAlgorithm signature = SignatureAlgorithm.FromId(key.KeypairSignAlg);
        PublicKey publicKey = PublicKey.FromWireText(encryption, key.PublicGroupKey, key.KeyPairId);
        VerifyKey verifyKey = VerifyKey.FromWireText(signature, key.VerifyKey, key.KeypairSignId);
        var secrets = new List<IDisposable>(3);
        try
        {
            SymmetricKey groupKey = device.PrivateKey.UnwrapSymmetricKey(Decode(key.EncryptedGroupKey), key.GroupKeyId);
            secrets.Add(groupKey);
            PrivateKey privateKey = groupKey.UnwrapPrivateKey(Decode(key.EncryptedPrivateGroupKey), encryption, key.KeyPairId);
            secrets.Add(privateKey);
            SignKey signKey = groupKey.UnwrapSignKey(Decode(key.EncryptedSignKey), signature, key.KeypairSignId);
            return new UserKey(groupKey, privateKey, publicKey, signKey, verifyKey, key.Time, key.PublicKeySig, key.PublicKeySigKeyId);
        }
        catch
        {
            secrets.ForEach(s => s.Dispose());
            throw;
        }
    }

    /// <summary>Every user key encrypted to a new device's public key (§15.4); private keys are not re-encrypted.</summary>
    public static List<GroupKeysForNewMember> KeysForNewDevice(IEnumerable<UserKey> userKeys, PublicKey newDevice) =>
        [.. userKeys.Select(k => new GroupKeysForNewMember(
            B64(newDevice.Wrap(k.GroupKey)), SymmetricKey.AlgorithmId, newDevice.Algorithm.Id, k.GroupKeyId, newDevice.KeyId))];

    /// <summary>Change password (§8.3): the same master key, wrapped by a key derived from the new password with a new salt.</summary>
    public static ChangePasswordData ChangePassword(
        string oldPassword, string newPassword, PrepareLoginSaltOutput salt, string encryptedMasterKey)
    {
        using PasswordKeys oldKeys = DeriveForLogin(oldPassword, salt);
        using SymmetricKey masterKey = oldKeys.MasterKeyEncryptionKey.UnwrapSymmetricKey(Decode(encryptedMasterKey), string.Empty);
        byte[] clientRandomValue = RandomNumberGenerator.GetBytes(PasswordKeys.ClientRandomValueSize);
        using PasswordKeys newKeys = PasswordKeys.Derive(newPassword, PasswordKeys.Salt(clientRandomValue));
        return new ChangePasswordData(
            PasswordKeys.AlgorithmId,
            B64(clientRandomValue),
            B64(newKeys.HashedAuthKey),
            B64(newKeys.MasterKeyEncryptionKey.Wrap(masterKey)),
            SymmetricKey.AlgorithmId,
            oldKeys.AuthKeyBase64);
    }

    /// <summary>Reset password (§8.3): a new master key re-wraps the device keys this device still holds.</summary>
    public static ResetPasswordData ResetPassword(string newPassword, DeviceKeys device)
    {
        byte[] clientRandomValue = RandomNumberGenerator.GetBytes(PasswordKeys.ClientRandomValueSize);
        using PasswordKeys keys = PasswordKeys.Derive(newPassword, PasswordKeys.Salt(clientRandomValue));
        using SymmetricKey masterKey = SymmetricKey.Generate();
        return new ResetPasswordData(
            B64(clientRandomValue),
            B64(keys.HashedAuthKey),
            new MasterKey(SymmetricKey.AlgorithmId, B64(keys.MasterKeyEncryptionKey.Wrap(masterKey)), SymmetricKey.AlgorithmId),
            PasswordKeys.AlgorithmId,
            B64(masterKey.Wrap(device.PrivateKey)),
            B64(masterKey.Wrap(device.SignKey)));
    }

    /// <summary>The password keys for the salt of prepare_login; only <c>ARGON-2-SHA256</c> exists (client_100 otherwise).</summary>
    public static PasswordKeys DeriveForLogin(string password, PrepareLoginSaltOutput salt)
    {
        if (salt.DerivedEncryptionKeyAlg != PasswordKeys.AlgorithmId)
        {
            throw new CryptoException(CryptoError.AlgorithmNotSupported);
        }

        return PasswordKeys.Derive(password, Decode(salt.SaltString));
    }

    private static string B64(byte[] data) => StrictBase64.Encode(data);

    private static byte[] Decode(string text) => StrictBase64.Decode(text);
}
