// Searchable encryption of sentc's "std" family (HMAC-SHA256, spec crypto-std.md §11): a token is
// base64url-unpadded(HMAC-SHA256(key, bytes)), 43 characters. For prefix search the UTF-8 bytes are hashed
// prefix by prefix, byte-wise (a prefix may end inside a multi-byte character), exactly as sentc_wasm 0.15 does.
// Secret: the 32-byte key and the data. HMAC is the BCL's (OpenSSL); nothing here branches on key bytes. The
// number of tokens reveals the byte length of the data (or the limit), by design of the scheme.
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Coffer.Crypto.Searchable;

internal static class SearchableHash
{
    public const int KeySize = 32;

    /// <summary>The most bytes (or prefixes) sentc hashes for one value; more is client_300.</summary>
    public const int MaxPrefixBytes = 200;

    /// <summary>
    /// sentc <c>create_searchable(key, data, full, limit)</c>: one token of the whole value when
    /// <paramref name="full"/>, otherwise the tokens of the byte prefixes <c>data[0..1]</c> … <c>data[0..lim+1]</c>
    /// with <c>lim = min(limit ?? len, len)</c>, capped at <c>len</c> tokens. A limit below the length therefore gives
    /// limit + 1 tokens: sentc's off-by-one, kept because the server compares tokens made by both clients.
    /// </summary>
    public static IReadOnlyList<string> Create(ReadOnlySpan<byte> key32, string data, bool full, int? limit)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckKey(key32);
        if (limit is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), "The prefix limit cannot be negative.");
        }

        if (data.Length == 0)
        {
            throw new CryptoException(CryptoError.SearchableInputEmpty);
        }

        byte[] bytes = Encoding.UTF8.GetBytes(data);
        if (full)
        {
            string token = Token(key32, bytes);
            CryptographicOperations.ZeroMemory(bytes);
            return [token];
        }

        int lim = limit is int l && l < bytes.Length ? l : bytes.Length;
        if (lim > MaxPrefixBytes)
        {
            CryptographicOperations.ZeroMemory(bytes);
            throw new CryptoException(CryptoError.SearchableInputTooLong);
        }

        int count = Math.Min(lim + 1, bytes.Length);
        var tokens = new string[count];

        // One keyed HMAC for all prefixes: re-keying per token would double the cost.
        using IncrementalHash hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key32);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        for (int i = 0; i < count; i++)
        {
            hmac.AppendData(bytes.AsSpan(0, i + 1));
            hmac.GetHashAndReset(mac);
            tokens[i] = Base64Url.EncodeToString(mac);
        }

        CryptographicOperations.ZeroMemory(mac);
        CryptographicOperations.ZeroMemory(bytes);
        return tokens;
    }

    /// <summary>sentc <c>search(key, data)</c>: the token of the whole UTF-8 value, to compare with stored tokens.</summary>
    public static string Search(ReadOnlySpan<byte> key32, string data)
    {
        ArgumentNullException.ThrowIfNull(data);
        CheckKey(key32);

        // sentc's search does not reject the empty string; it hashes zero bytes.
        return Token(key32, Encoding.UTF8.GetBytes(data));
    }

    private static string Token(ReadOnlySpan<byte> key, ReadOnlySpan<byte> bytes)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, bytes, mac);
        string token = Base64Url.EncodeToString(mac);
        CryptographicOperations.ZeroMemory(mac);
        return token;
    }

    private static void CheckKey(ReadOnlySpan<byte> key32)
    {
        if (key32.Length != KeySize)
        {
            throw new ArgumentException("The HMAC-SHA256 searchable key is 32 bytes.", nameof(key32));
        }
    }
}
