using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Crypto;
using Coffer.Crypto.Password;

namespace Coffer.Server.Tests.Infrastructure;

/// <summary>
/// The client side of register and login done by Coffer.Crypto (not the shared vector): a new password, its derived
/// keys, a master key, device and user key pairs. Keeps every secret in raw form, so tests can look for it.
/// </summary>
public sealed class ClientRegistration : IDisposable
{
    private readonly PasswordKeys passwordKeys;
    private readonly SymmetricKey masterKey;
    private readonly PrivateKey devicePrivateKey;
    private readonly SignKey deviceSignKey;
    private readonly SymmetricKey userGroupKey;
    private readonly PrivateKey userPrivateKey;
    private readonly SignKey userSignKey;
    private readonly SymmetricKey hmacKey;

    public ClientRegistration(string identifier, string password)
    {
        Identifier = identifier;
        Password = password;
        byte[] clientRandomValue = RandomNumberGenerator.GetBytes(PasswordKeys.ClientRandomValueSize);
        passwordKeys = PasswordKeys.Derive(password, PasswordKeys.Salt(clientRandomValue));
        masterKey = SymmetricKey.Generate();
        (devicePrivateKey, PublicKey devicePublicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        (deviceSignKey, VerifyKey deviceVerifyKey) = SignKey.Generate(SignatureAlgorithm.Default);
        userGroupKey = SymmetricKey.Generate();
        (userPrivateKey, PublicKey userPublicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        (userSignKey, VerifyKey userVerifyKey) = SignKey.Generate(SignatureAlgorithm.Default);
        hmacKey = SymmetricKey.Generate();
        using SymmetricKey sortableKey = SymmetricKey.Generate();

        string alg = EncryptionAlgorithm.Default.Id;
        string signAlg = SignatureAlgorithm.Default.Id;
        RegisterBody = new JsonObject
        {
            ["device"] = new JsonObject
            {
                ["master_key"] = new JsonObject
                {
                    ["master_key_alg"] = SymmetricKey.AlgorithmId,
                    ["encrypted_master_key"] = Convert.ToBase64String(passwordKeys.MasterKeyEncryptionKey.Wrap(masterKey)),
                    ["encrypted_master_key_alg"] = SymmetricKey.AlgorithmId,
                },
                ["derived"] = new JsonObject
                {
                    ["derived_alg"] = PasswordKeys.AlgorithmId,
                    ["client_random_value"] = Convert.ToBase64String(clientRandomValue),
                    ["hashed_authentication_key"] = Convert.ToBase64String(passwordKeys.HashedAuthKey),
                    ["public_key"] = devicePublicKey.ToWireText(),
                    ["encrypted_private_key"] = Convert.ToBase64String(masterKey.Wrap(devicePrivateKey)),
                    ["keypair_encrypt_alg"] = alg,
                    ["verify_key"] = deviceVerifyKey.ToWireText(),
                    ["encrypted_sign_key"] = Convert.ToBase64String(masterKey.Wrap(deviceSignKey)),
                    ["keypair_sign_alg"] = signAlg,
                },
                ["device_identifier"] = identifier,
            },
            ["group"] = new JsonObject
            {
                ["encrypted_group_key"] = Convert.ToBase64String(devicePublicKey.Wrap(userGroupKey)),
                ["group_key_alg"] = SymmetricKey.AlgorithmId,
                ["encrypted_group_key_alg"] = alg,
                ["encrypted_private_group_key"] = Convert.ToBase64String(userGroupKey.Wrap(userPrivateKey)),
                ["public_group_key"] = userPublicKey.ToWireText(),
                ["keypair_encrypt_alg"] = alg,
                ["creator_public_key_id"] = "non_registered",
                ["encrypted_hmac_key"] = Convert.ToBase64String(userGroupKey.Wrap(hmacKey)),
                ["encrypted_hmac_alg"] = "HMAC-SHA256",
                ["encrypted_sortable_key"] = Convert.ToBase64String(userGroupKey.Wrap(sortableKey)),
                ["encrypted_sortable_alg"] = "OPE-16",
                ["encrypted_sign_key"] = Convert.ToBase64String(userGroupKey.Wrap(userSignKey)),
                ["verify_key"] = userVerifyKey.ToWireText(),
                ["keypair_sign_alg"] = signAlg,
                ["public_key_sig"] = userSignKey.SignToText(userPublicKey.Export()),
            },
        }.ToJsonString();
    }

    public string Identifier { get; }

    public string Password { get; }

    public string RegisterBody { get; }

    public string AuthKey => passwordKeys.AuthKeyBase64;

    /// <summary>The device's private key (rotation tests decrypt user-key rotations with it).</summary>
    public PrivateKey DevicePrivateKey => devicePrivateKey;

    /// <summary>The user's private key of the first user key (group rotation tests decrypt with it).</summary>
    public PrivateKey UserPrivateKey => userPrivateKey;

    /// <summary>The first user key (the user group's symmetric key).</summary>
    public SymmetricKey UserGroupKey => userGroupKey;

    /// <summary>What the server may store: SHA-256(auth key)[0..16], base64.</summary>
    public string HashedAuthKey => Convert.ToBase64String(passwordKeys.HashedAuthKey);

    /// <summary>Every secret of this user as raw bytes (the password as UTF-8), named.</summary>
    public IReadOnlyList<(string Name, byte[] Value)> Secrets() =>
    [
        ("password", System.Text.Encoding.UTF8.GetBytes(Password)),
        ("auth key", Convert.FromBase64String(AuthKey)),
        ("master key", masterKey.ExportRaw()),
        ("master-key-encryption key", passwordKeys.MasterKeyEncryptionKey.ExportRaw()),
        .. Parts("device private key", devicePrivateKey.ExportJson()),
        .. Parts("device sign key", deviceSignKey.ExportJson()),
        ("user group key", userGroupKey.ExportRaw()),
        .. Parts("user private key", userPrivateKey.ExportJson()),
        .. Parts("user sign key", userSignKey.ExportJson()),
        ("user hmac key", hmacKey.ExportRaw()),
    ];

    /// <summary>The challenge of a DoneLoginServerOutput decrypted with this device's private key.</summary>
    public string DecryptChallenge(JsonElement doneLoginOutput) =>
        System.Text.Encoding.UTF8.GetString(devicePrivateKey.Decrypt(Convert.FromBase64String(doneLoginOutput.GetProperty("challenge").GetString()!)));

    public void Dispose()
    {
        passwordKeys.Dispose();
        masterKey.Dispose();
        devicePrivateKey.Dispose();
        deviceSignKey.Dispose();
        userGroupKey.Dispose();
        userPrivateKey.Dispose();
        userSignKey.Dispose();
        hmacKey.Dispose();
    }

    /// <summary>The parts of an exported key (x and k of a hybrid, or the single key) and their concatenation.</summary>
    private static IEnumerable<(string, byte[])> Parts(string name, string exportJson)
    {
        using JsonDocument doc = JsonDocument.Parse(exportJson);
        JsonElement inner = doc.RootElement.EnumerateObject().First().Value;
        var parts = inner.EnumerateObject().Where(p => p.Name != "key_id").Select(p => (name + " " + p.Name, Convert.FromBase64String(p.Value.GetString()!))).ToList();
        return parts.Count > 1 ? [.. parts, (name, parts.SelectMany(p => p.Item2).ToArray())] : parts;
    }
}
