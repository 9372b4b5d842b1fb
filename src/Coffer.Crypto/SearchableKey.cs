using System.Security.Cryptography;
using Coffer.Crypto.Searchable;

namespace Coffer.Crypto;

/// <summary>
/// A group's searchable-encryption key ("HMAC-SHA256", crypto-std.md §11): hashes that let the server find data
/// by exact value or by prefix without seeing it. Dispose to zero the key.
/// </summary>
public sealed class SearchableKey : IDisposable
{
    public const string AlgorithmId = "HMAC-SHA256";
    public const int KeySize = SearchableHash.KeySize;

    private readonly SecretBuffer _key;

    private SearchableKey(SecretBuffer key, string keyId)
    {
        _key = key;
        KeyId = keyId;
    }

    public string KeyId { get; }

    internal ReadOnlySpan<byte> Secret => _key.Span;

    public static SearchableKey Generate(string keyId = "")
    {
        var key = new SecretBuffer(KeySize);
        RandomNumberGenerator.Fill(key.Span);
        return new SearchableKey(key, keyId);
    }

    public static SearchableKey Import(ReadOnlySpan<byte> rawKey, string keyId) =>
        rawKey.Length == KeySize ? new SearchableKey(new SecretBuffer(rawKey), keyId) : throw new CryptoException(CryptoError.KeyImportFailed);

    /// <summary>Imports <c>{"HmacSha256":{"key":…,"key_id":…}}</c>.</summary>
    public static SearchableKey ImportJson(string json)
    {
        (_, byte[] raw, string keyId) = KeyEncoding.ImportJson(json, tag => tag == "HmacSha256" ? [KeySize] : null, CryptoError.KeyImportFailed);
        return RawKey.Consume(raw, bytes => Import(bytes, keyId));
    }

    public string ExportJson() => KeyEncoding.ExportJson("HmacSha256", _key.Span, [KeySize], KeyId);

    /// <summary>
    /// The hashes to store next to the data: one hash of the whole value when <paramref name="full"/>, otherwise
    /// one per UTF-8 byte prefix (up to <paramref name="limit"/>, as the official client counts them).
    /// </summary>
    public IReadOnlyList<string> CreateHashes(string data, bool full = false, int? limit = null) =>
        SearchableHash.Create(_key.Span, data, full, limit);

    /// <summary>The hash to search for.</summary>
    public string Search(string data) => SearchableHash.Search(_key.Span, data);

    /// <summary>Unwraps <c>encrypted_hmac_key</c> with the group key it names.</summary>
    public static SearchableKey Unwrap(SymmetricKey groupKey, ReadOnlySpan<byte> blob, string keyId)
    {
        return RawKey.Consume(groupKey.UnwrapRaw(blob, KeySize), bytes => Import(bytes, keyId));
    }

    /// <summary>Wraps this key with a group key (<c>encrypted_hmac_key</c>).</summary>
    public byte[] WrapWith(SymmetricKey groupKey) => groupKey.Encrypt(_key.Span);

    public void Dispose() => _key.Dispose();
}
