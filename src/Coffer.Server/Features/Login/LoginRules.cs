using System.Security.Cryptography;
using System.Text;
using Coffer.Crypto;

namespace Coffer.Server.Features.Login;

/// <summary>The pure rules of the login (api.md §2.4, §4.1; crypto-std.md §8.3, §15.5).</summary>
public static class LoginRules
{
    /// <summary>Challenges expire after 10 minutes (§8 #22; the reference keeps them forever).</summary>
    public static readonly TimeSpan ChallengeLifetime = TimeSpan.FromMinutes(10);

    private const int ChallengeBytes = 50;

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
