using System.Security.Cryptography;
using Coffer.Crypto.Sortable;

namespace Coffer.Crypto;

/// <summary>
/// A group's sortable-encryption key ("OPE-16", crypto-std.md §12): order-preserving encryption of numbers
/// 0…65532 (and of the first 4 bytes of strings), so the server can sort without seeing the values. It reveals the
/// order by design. Dispose to zero the key.
/// </summary>
public sealed class SortableKey : IDisposable
{
    public const string AlgorithmId = "OPE-16";
    public const int KeySize = Ope16.KeySize;
    public const ulong MaxValue = Ope16.MaxPlaintext;

    private readonly SecretBuffer _key;

    private SortableKey(SecretBuffer key, string keyId)
    {
        _key = key;
        KeyId = keyId;
    }

    public string KeyId { get; }

    public static SortableKey Generate(string keyId = "")
    {
        var key = new SecretBuffer(KeySize);
        RandomNumberGenerator.Fill(key.Span);
        return new SortableKey(key, keyId);
    }

    public static SortableKey Import(ReadOnlySpan<byte> rawKey, string keyId) =>
        rawKey.Length == KeySize ? new SortableKey(new SecretBuffer(rawKey), keyId) : throw new CryptoException(CryptoError.KeyImportFailed);

    /// <summary>Imports <c>{"Ope16":{"key":…,"key_id":…}}</c>.</summary>
    public static SortableKey ImportJson(string json)
    {
        (_, byte[] raw, string keyId) = KeyEncoding.ImportJson(json, tag => tag == "Ope16" ? [KeySize] : null, CryptoError.KeyImportFailed);
        return RawKey.Consume(raw, bytes => Import(bytes, keyId));
    }

    public string ExportJson() => KeyEncoding.ExportJson("Ope16", _key.Span, [KeySize], KeyId);

    /// <summary>Encrypts 0…65532; larger values are <see cref="CryptoError.SortableValueTooLarge"/>.</summary>
    public ulong Encrypt(ulong value) => Ope16.Encrypt(_key.Span, value);

    /// <summary>Encrypts a string by its first 4 UTF-8 bytes (padded with '*'), as the official client does.</summary>
    public ulong EncryptString(string value) => Ope16.Encrypt(_key.Span, Ope16.EncodeString(value));

    /// <summary>Unwraps <c>encrypted_sortable_key</c> with the group key it names.</summary>
    public static SortableKey Unwrap(SymmetricKey groupKey, ReadOnlySpan<byte> blob, string keyId)
    {
        return RawKey.Consume(groupKey.UnwrapRaw(blob, KeySize), bytes => Import(bytes, keyId));
    }

    /// <summary>Wraps this key with a group key (<c>encrypted_sortable_key</c>).</summary>
    public byte[] WrapWith(SymmetricKey groupKey) => groupKey.Encrypt(_key.Span);

    public void Dispose() => _key.Dispose();
}
