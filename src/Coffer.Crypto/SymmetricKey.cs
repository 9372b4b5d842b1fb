using System.Security.Cryptography;
using Coffer.Crypto.Primitives;

namespace Coffer.Crypto;

/// <summary>
/// An AES-256-GCM key ("AES-GCM-256") with its sentc key id. Encrypts to <c>nonce ‖ ciphertext ‖ tag</c>; wraps and
/// unwraps the other key kinds (a master key wraps device keys, a group key wraps the group's private key).
/// Dispose it to zero the key.
/// </summary>
public sealed class SymmetricKey : IDisposable
{
    public const string AlgorithmId = "AES-GCM-256";
    public const int KeySize = AesGcmBlob.KeySize;

    private readonly SecretBuffer _key;

    private SymmetricKey(SecretBuffer key, string keyId)
    {
        _key = key;
        KeyId = keyId;
    }

    public string KeyId { get; }

    internal ReadOnlySpan<byte> Secret => _key.Span;

    public static SymmetricKey Generate(string keyId = "")
    {
        var key = new SecretBuffer(KeySize);
        RandomNumberGenerator.Fill(key.Span);
        return new SymmetricKey(key, keyId);
    }

    /// <summary>Imports the raw 32 key bytes.</summary>
    public static SymmetricKey Import(ReadOnlySpan<byte> rawKey, string keyId)
    {
        if (rawKey.Length != KeySize)
        {
            throw new CryptoException(CryptoError.SymmetricKeyImportFailed);
        }

        return new SymmetricKey(new SecretBuffer(rawKey), keyId);
    }

    /// <summary>Imports <c>{"Aes":{"key":…,"key_id":…}}</c>.</summary>
    public static SymmetricKey ImportJson(string json)
    {
        (_, byte[] raw, string keyId) = KeyEncoding.ImportJson(
            json, tag => tag == "Aes" ? [KeySize] : null, CryptoError.SymmetricKeyImportFailed);
        return RawKey.Consume(raw, bytes => Import(bytes, keyId));
    }

    public string ExportJson() => KeyEncoding.ExportJson("Aes", _key.Span, [KeySize], KeyId);

    /// <summary>Returns a copy of the raw key bytes; the caller must zero them.</summary>
    public byte[] ExportRaw() => _key.Span.ToArray();

    public SymmetricKey WithKeyId(string keyId) => new(new SecretBuffer(_key.Span), keyId);

    public byte[] Encrypt(ReadOnlySpan<byte> plaintext) => AesGcmBlob.Encrypt(_key.Span, plaintext);

    /// <summary>Bytes a blob adds to its plaintext: nonce (12) and tag (16).</summary>
    public const int Overhead = AesGcmBlob.Overhead;

    /// <summary>
    /// Encrypts into a caller-owned buffer of exactly <c>plaintext.Length + 28</c> bytes (no allocation: for large
    /// data and hot paths).
    /// </summary>
    public void Encrypt(ReadOnlySpan<byte> plaintext, Span<byte> blob)
    {
        Span<byte> nonce = stackalloc byte[AesGcmBlob.NonceSize];
        RandomNumberGenerator.Fill(nonce);
        AesGcmBlob.Seal(_key.Span, nonce, plaintext, blob);
    }

    /// <summary>
    /// Decrypts into a caller-owned buffer of exactly <c>blob.Length - 28</c> bytes; false (and the buffer
    /// cleared) when the blob is malformed or does not authenticate.
    /// </summary>
    public bool TryDecrypt(ReadOnlySpan<byte> blob, Span<byte> plaintext) => AesGcmBlob.TryOpen(_key.Span, blob, plaintext);

    /// <summary>Decrypts a blob; a wrong key or changed data is <see cref="CryptoError.DecryptionFailed"/>.</summary>
    public byte[] Decrypt(ReadOnlySpan<byte> blob) =>
        TryDecrypt(blob, out byte[]? plaintext) ? plaintext : throw new CryptoException(CryptoError.DecryptionFailed);

    public bool TryDecrypt(ReadOnlySpan<byte> blob, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? plaintext)
    {
        plaintext = null;
        if (blob.Length < AesGcmBlob.Overhead)
        {
            return false;
        }

        byte[] buffer = new byte[blob.Length - AesGcmBlob.Overhead];
        if (!AesGcmBlob.TryOpen(_key.Span, blob, buffer))
        {
            return false;
        }

        plaintext = buffer;
        return true;
    }

    /// <summary>Encrypts another symmetric key (its raw 32 bytes).</summary>
    public byte[] Wrap(SymmetricKey key) => Encrypt(key.Secret);

    /// <summary>Encrypts a private key (its raw parts, x ‖ k for the hybrid).</summary>
    public byte[] Wrap(PrivateKey key) => Encrypt(key.Secret);

    /// <summary>Encrypts a sign key (its raw parts, seed ‖ Dilithium key for the hybrid).</summary>
    public byte[] Wrap(SignKey key) => Encrypt(key.Secret);

    public SymmetricKey UnwrapSymmetricKey(ReadOnlySpan<byte> blob, string keyId)
    {
        return RawKey.Consume(UnwrapRaw(blob, KeySize), bytes => Import(bytes, keyId));
    }

    public PrivateKey UnwrapPrivateKey(ReadOnlySpan<byte> blob, EncryptionAlgorithm algorithm, string keyId)
    {
        return RawKey.Consume(UnwrapRaw(blob, algorithm.PrivateKeySize), bytes => PrivateKey.Import(algorithm, bytes, keyId));
    }

    public SignKey UnwrapSignKey(ReadOnlySpan<byte> blob, SignatureAlgorithm algorithm, string keyId)
    {
        return RawKey.Consume(UnwrapRaw(blob, algorithm.SignKeySize), bytes => SignKey.Import(algorithm, bytes, keyId));
    }

    /// <summary>Decrypts a wrapped key of a known length; any failure is <see cref="CryptoError.KeyDecryptionFailed"/>.</summary>
    internal byte[] UnwrapRaw(ReadOnlySpan<byte> blob, int expectedLength)
    {
        if (!TryDecrypt(blob, out byte[]? raw))
        {
            throw new CryptoException(CryptoError.KeyDecryptionFailed);
        }

        if (raw.Length != expectedLength)
        {
            CryptographicOperations.ZeroMemory(raw);
            throw new CryptoException(CryptoError.KeyDecryptionFailed);
        }

        return raw;
    }

    public void Dispose() => _key.Dispose();
}
