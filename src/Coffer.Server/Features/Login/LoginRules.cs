using System.Security.Cryptography;
using System.Text;
using Coffer.Crypto;
using Coffer.Crypto.Password;

namespace Coffer.Server.Features.Login;

/// <summary>The pure rules of the login (api.md §2.4, §4.1; crypto-std.md §8.3, §15.5).</summary>
public static class LoginRules
{
    /// <summary>Challenges expire after 10 minutes (§8 #22; the reference keeps them forever).</summary>
    public static readonly TimeSpan ChallengeLifetime = TimeSpan.FromMinutes(10);

    private const int ChallengeBytes = 50;

    /// <summary>
    /// A hashed auth key no auth key matches in practice: an unknown identifier is checked against it, so that it
    /// costs the same work as a wrong password and gets the same answer (§8 #21).
    /// </summary>
    private static readonly byte[] DummyHashedAuthKey = RandomNumberGenerator.GetBytes(AuthKeyHash.Size);

    /// <summary>
    /// The password check: null when the auth key is not base64 of 32 bytes (111); otherwise whether it hashes to the
    /// stored value (constant time). <paramref name="storedHashedAuthKey"/> null (unknown identifier) checks the dummy.
    /// </summary>
    public static bool? AuthKeyMatches(string authKey, string? storedHashedAuthKey)
    {
        byte[] key = new byte[authKey.Length];
        if (!Convert.TryFromBase64String(authKey, key, out int length) || length != PasswordKeys.AuthKeySize)
        {
            return null;
        }

        byte[] stored = new byte[AuthKeyHash.Size];
        bool storedOk = storedHashedAuthKey is not null
            && Convert.TryFromBase64String(storedHashedAuthKey, stored, out int storedLength) && storedLength == AuthKeyHash.Size;
        bool matches = AuthKeyHash.Matches(key.AsSpan(0, length), storedOk ? stored : DummyHashedAuthKey);
        CryptographicOperations.ZeroMemory(key);
        return matches && storedOk;
    }

    /// <summary>A new challenge: 50 random bytes as base64url without padding (67 characters).</summary>
    public static string NewChallenge() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(ChallengeBytes));

    /// <summary>
    /// The challenge as the client receives it: the UTF-8 bytes of the challenge text, encrypted raw (no head, no
    /// signature) to the device public key with the device's algorithm, as standard base64 (§7).
    /// </summary>
    public static string EncryptChallenge(string challenge, string keypairEncryptAlg, string publicKey, string deviceId)
    {
        PublicKey key = PublicKey.FromWireText(EncryptionAlgorithm.FromId(keypairEncryptAlg), publicKey, deviceId);
        return Convert.ToBase64String(key.Encrypt(Encoding.UTF8.GetBytes(challenge)));
    }
}
