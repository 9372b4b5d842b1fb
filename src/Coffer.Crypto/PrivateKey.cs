namespace Coffer.Crypto;

/// <summary>
/// The secret half of a public-key encryption key pair, with its sentc key id. For the hybrid it holds the X25519
/// scalar (kept unclamped, as the official client stores it) and the Kyber768-90s secret key. Dispose to zero it.
/// </summary>
public sealed class PrivateKey : IDisposable
{
    private readonly SecretBuffer _key;

    private PrivateKey(EncryptionAlgorithm algorithm, SecretBuffer key, string keyId)
    {
        Algorithm = algorithm;
        _key = key;
        KeyId = keyId;
    }

    public EncryptionAlgorithm Algorithm { get; }

    public string KeyId { get; }

    internal ReadOnlySpan<byte> Secret => _key.Span;

    public static (PrivateKey PrivateKey, PublicKey PublicKey) Generate(EncryptionAlgorithm algorithm, string keyId = "")
    {
        var secret = new SecretBuffer(algorithm.PrivateKeySize);
        byte[] publicKey = new byte[algorithm.PublicKeySize];
        try
        {
            algorithm.GenerateKeyPair(secret.Span, publicKey);
        }
        catch
        {
            secret.Dispose();
            throw;
        }

        return (new PrivateKey(algorithm, secret, keyId), new PublicKey(algorithm, publicKey, keyId));
    }

    /// <summary>Imports the raw key (the parts concatenated, x ‖ k for the hybrid).</summary>
    public static PrivateKey Import(EncryptionAlgorithm algorithm, ReadOnlySpan<byte> rawKey, string keyId)
    {
        if (rawKey.Length != algorithm.PrivateKeySize)
        {
            throw new CryptoException(CryptoError.KeyImportFailed);
        }

        return new PrivateKey(algorithm, new SecretBuffer(rawKey), keyId);
    }

    /// <summary>Imports exported key JSON, e.g. <c>{"EciesKyberHybrid":{"x":…,"k":…,"key_id":…}}</c>.</summary>
    public static PrivateKey ImportJson(string json)
    {
        (string tag, byte[] raw, string keyId) = KeyEncoding.ImportJson(
            json, tag => EncryptionAlgorithm.FromExportTag(tag)?.SecretParts, CryptoError.KeyImportFailed);
        return RawKey.Consume(raw, bytes => Import(EncryptionAlgorithm.FromExportTag(tag)!, bytes, keyId));
    }

    public string ExportJson() => KeyEncoding.ExportJson(Algorithm.ExportTag, _key.Span, Algorithm.SecretParts, KeyId);

    /// <summary>The matching public key (the round-3 Kyber secret key embeds it; X25519 derives it).</summary>
    public PublicKey GetPublicKey()
    {
        byte[] publicKey = new byte[Algorithm.PublicKeySize];
        Algorithm.DerivePublicKey(_key.Span, publicKey);
        return new PublicKey(Algorithm, publicKey, KeyId);
    }

    /// <summary>Decrypts; a wrong key or changed data is <see cref="CryptoError.DecryptionFailed"/>.</summary>
    public byte[] Decrypt(ReadOnlySpan<byte> ciphertext) =>
        Algorithm.Decrypt(_key.Span, ciphertext) ?? throw new CryptoException(CryptoError.DecryptionFailed);

    /// <summary>Decrypts a symmetric key that <see cref="PublicKey.Wrap(SymmetricKey)"/> encrypted.</summary>
    public SymmetricKey UnwrapSymmetricKey(ReadOnlySpan<byte> blob, string keyId)
    {
        byte[] raw = Algorithm.Decrypt(_key.Span, blob) ?? throw new CryptoException(CryptoError.KeyDecryptionFailed);
        return RawKey.Consume(raw, bytes => bytes.Length == SymmetricKey.KeySize
            ? SymmetricKey.Import(bytes, keyId)
            : throw new CryptoException(CryptoError.KeyDecryptionFailed));
    }

    public void Dispose() => _key.Dispose();
}
