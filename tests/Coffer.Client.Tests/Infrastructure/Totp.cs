using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Coffer.Client.Tests.Infrastructure;

/// <summary>
/// The authenticator app's side of <c>totp_sha256</c> (RFC 6238 with HMAC-SHA256, 6 digits, 30 s; the secret is
/// base32 without padding), so the end-to-end tests can answer the server's MFA like a user would.
/// </summary>
public static class Totp
{
    public static string Code(string base32Secret, DateTimeOffset now)
    {
        byte[] counter = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, now.ToUnixTimeSeconds() / 30);
        byte[] hash = HMACSHA256.HashData(Base32(base32Secret), counter);
        int offset = hash[^1] & 0x0f;
        int binary = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset, 4)) & 0x7fffffff) % 1_000_000;
        return binary.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static byte[] Base32(string text)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var output = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (char c in text.TrimEnd('=').ToUpperInvariant())
        {
            buffer = (buffer << 5) | Alphabet.IndexOf(c, StringComparison.Ordinal);
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        return [.. output];
    }
}
