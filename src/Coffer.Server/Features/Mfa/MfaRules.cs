using System.Security.Cryptography;
using System.Text;

namespace Coffer.Server.Features.Mfa;

/// <summary>TOTP data of api.md §4.1: secret and recovery codes are 32 random bytes in base32 (RFC 4648, no padding).</summary>
public static class MfaRules
{
    public const string Alg = "totp_sha256";
    public const int RecoveryCodeCount = 6;
    private const int SecretBytes = 32;
    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string NewSecret() => Base32(RandomNumberGenerator.GetBytes(SecretBytes));

    public static IReadOnlyList<string> NewRecoveryCodes() =>
        [.. Enumerable.Range(0, RecoveryCodeCount).Select(_ => Base32(RandomNumberGenerator.GetBytes(SecretBytes)))];

    /// <summary>Recovery codes are looked up by base64(SHA-256(UTF-8 code)).</summary>
    public static string CodeHash(string code) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(code)));

    /// <summary>RFC 4648 base32, upper case, without padding.</summary>
    public static string Base32(ReadOnlySpan<byte> data)
    {
        var text = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        foreach (byte b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(Base32Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(Base32Alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }
}
