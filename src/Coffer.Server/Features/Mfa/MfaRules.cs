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

    public const int TotpDigits = 6;
    public const int TotpStepSeconds = 30;
    public const int TotpAllowedSkewSteps = 1;

    /// <summary>
    /// TOTP check of validate_mfa (api.md §4.1): RFC 6238 with HMAC-SHA-256, 6 digits, 30 s steps, one step of
    /// clock skew either way. The secret is the base32 text handed out by register_otp. Every candidate is computed
    /// and compared in constant time, so the answer time does not depend on which step matched.
    /// </summary>
    public static bool VerifyTotp(string base32Secret, string code, long unixSeconds)
    {
        byte[]? key = FromBase32(base32Secret);
        if (key is null || code.Length != TotpDigits)
        {
            return false;
        }

        byte[] given = Encoding.ASCII.GetBytes(code);
        long step = unixSeconds / TotpStepSeconds;
        bool match = false;
        for (long s = step - TotpAllowedSkewSteps; s <= step + TotpAllowedSkewSteps; s++)
        {
            match |= CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Totp(key, s)), given);
        }

        CryptographicOperations.ZeroMemory(key);
        return match;
    }

    /// <summary>The RFC 6238 code (HOTP of RFC 4226 with HMAC-SHA-256) of one time step.</summary>
    public static string Totp(ReadOnlySpan<byte> key, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, counter, mac);
        int offset = mac[^1] & 0x0F;
        int binary = ((mac[offset] & 0x7F) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
        return (binary % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>RFC 4648 base32 decoding (padding optional, case-insensitive); null when the text is not base32.</summary>
    public static byte[]? FromBase32(string text)
    {
        string trimmed = text.TrimEnd('=');
        var bytes = new List<byte>(trimmed.Length * 5 / 8);
        int buffer = 0;
        int bits = 0;
        foreach (char c in trimmed)
        {
            int value = Base32Alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
            if (value < 0)
            {
                return null;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                bytes.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }

        return [.. bytes];
    }

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
