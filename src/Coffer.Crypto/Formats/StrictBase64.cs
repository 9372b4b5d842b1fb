// The two base64 forms sentc uses (crypto-std.md §2.1): standard alphabet with padding, decoded strictly (no
// whitespace, no missing padding, no non-zero trailing bits — what the official client's base64ct accepts), and
// base64url without padding for hashes, safety numbers and tokens.
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;

namespace Coffer.Crypto.Formats;

public static class StrictBase64
{
    public static string Encode(ReadOnlySpan<byte> data) => Convert.ToBase64String(data);

    /// <summary>Decodes canonical, padded standard base64; anything else is refused.</summary>
    public static bool TryDecode(string? text, [NotNullWhen(true)] out byte[]? data)
    {
        data = null;
        if (text is null || text.Length % 4 != 0)
        {
            return false;
        }

        foreach (char c in text)
        {
            // Convert.FromBase64String skips white space; base64ct does not, and neither do we.
            if (!(c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '+' or '/' or '='))
            {
                return false;
            }
        }

        byte[] buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64String(text, buffer, out int written))
        {
            return false;
        }

        byte[] decoded = buffer.AsSpan(0, written).ToArray();
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(buffer);

        // Canonical form only: non-zero padding bits would let two strings carry the same bytes.
        if (!string.Equals(Convert.ToBase64String(decoded), text, StringComparison.Ordinal))
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(decoded);
            return false;
        }

        data = decoded;
        return true;
    }

    /// <summary>
    /// The same rules into a caller's buffer, without allocating: false when the text is not canonical padded base64 or
    /// does not fit <paramref name="destination"/>. On false the destination may hold partial output (zero it if secret).
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        if (text.Length % 4 != 0 || text.ContainsAnyExcept(Alphabet))
        {
            return false;
        }

        if (!Convert.TryFromBase64Chars(text, destination, out int length))
        {
            return false;
        }

        // Canonical form only: re-encode and compare, so non-zero padding bits are refused.
        char[] again = System.Buffers.ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            if (!Convert.TryToBase64Chars(destination[..length], again, out int chars) || !again.AsSpan(0, chars).SequenceEqual(text))
            {
                return false;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(again);
        }

        written = length;
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> Alphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    /// <summary>Decodes strictly or throws <see cref="CryptoException"/> with the given error.</summary>
    public static byte[] Decode(string? text, CryptoError error = CryptoError.DataMalformed) =>
        TryDecode(text, out byte[]? data) ? data : throw new CryptoException(error);

    public static string EncodeUrl(ReadOnlySpan<byte> data) => Base64Url.EncodeToString(data);
}
