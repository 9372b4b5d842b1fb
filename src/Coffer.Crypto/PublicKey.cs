namespace Coffer.Crypto;

/// <summary>
/// The public half of an encryption key pair, with its sentc key id. Immutable; equal when algorithm and key bytes
/// are equal. On the wire it travels as <see cref="ToWireText"/> (<c>{"x":PEM,"k":PEM}</c> for the hybrid).
/// </summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    private readonly byte[] _key;

    internal PublicKey(EncryptionAlgorithm algorithm, byte[] key, string keyId)
    {
        Algorithm = algorithm;
        _key = key;
        KeyId = keyId;
    }

    public EncryptionAlgorithm Algorithm { get; }

    public string KeyId { get; }

    internal ReadOnlySpan<byte> Bytes => _key;

    public static PublicKey Import(EncryptionAlgorithm algorithm, ReadOnlySpan<byte> rawKey, string keyId) =>
        rawKey.Length == algorithm.PublicKeySize
            ? new PublicKey(algorithm, rawKey.ToArray(), keyId)
            : throw new CryptoException(CryptoError.KeyFormatInvalid);

    /// <summary>Reads the wire text (<c>public_key</c>, <c>public_group_key</c>, <c>public_key_string</c>).</summary>
    public static PublicKey FromWireText(EncryptionAlgorithm algorithm, string text, string keyId) =>
        new(algorithm, KeyEncoding.FromWireText(text, algorithm.PublicParts), keyId);

    /// <summary>Imports exported key JSON, e.g. <c>{"EciesKyberHybrid":{"x":…,"k":…,"key_id":…}}</c>.</summary>
    public static PublicKey ImportJson(string json)
    {
        (string tag, byte[] raw, string keyId) = KeyEncoding.ImportJson(
            json, tag => EncryptionAlgorithm.FromExportTag(tag)?.PublicParts, CryptoError.KeyImportFailed);
        return new PublicKey(EncryptionAlgorithm.FromExportTag(tag)!, raw, keyId);
    }

    public string ToWireText() => KeyEncoding.ToWireText(_key, Algorithm.PublicParts);

    public string ExportJson() => KeyEncoding.ExportJson(Algorithm.ExportTag, _key, Algorithm.PublicParts, KeyId);

    /// <summary>The raw key bytes (the parts concatenated).</summary>
    public byte[] Export() => (byte[])_key.Clone();

    public byte[] Encrypt(ReadOnlySpan<byte> plaintext) => Algorithm.Encrypt(_key, plaintext);

    /// <summary>Encrypts a symmetric key (its raw 32 bytes) to this public key.</summary>
    public byte[] Wrap(SymmetricKey key) => Encrypt(key.Secret);

    public bool Equals(PublicKey? other) =>
        other is not null && ReferenceEquals(Algorithm, other.Algorithm) && _key.AsSpan().SequenceEqual(other._key);

    public override bool Equals(object? obj) => Equals(obj as PublicKey);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Algorithm.Id);
        hash.AddBytes(_key);
        return hash.ToHashCode();
    }

    public override string ToString() => $"{Algorithm.Id} public key {KeyId}";
}
