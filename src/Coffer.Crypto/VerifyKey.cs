namespace Coffer.Crypto;

/// <summary>
/// The public half of a signature key pair, with its sentc key id. Immutable; equal when algorithm and key bytes
/// are equal. Verification returns <c>false</c> for any signature that does not verify, never throws for it.
/// </summary>
public sealed class VerifyKey : IEquatable<VerifyKey>
{
    private readonly byte[] _key;

    internal VerifyKey(SignatureAlgorithm algorithm, byte[] key, string keyId)
    {
        Algorithm = algorithm;
        _key = key;
        KeyId = keyId;
    }

    public SignatureAlgorithm Algorithm { get; }

    public string KeyId { get; }

    internal ReadOnlySpan<byte> Bytes => _key;

    public static VerifyKey Import(SignatureAlgorithm algorithm, ReadOnlySpan<byte> rawKey, string keyId) =>
        rawKey.Length == algorithm.VerifyKeySize
            ? new VerifyKey(algorithm, rawKey.ToArray(), keyId)
            : throw new CryptoException(CryptoError.KeyFormatInvalid);

    /// <summary>Reads the wire text (<c>verify_key</c>, <c>verify_key_string</c>, <c>verify_key_pem</c>).</summary>
    public static VerifyKey FromWireText(SignatureAlgorithm algorithm, string text, string keyId) =>
        new(algorithm, KeyEncoding.FromWireText(text, algorithm.VerifyParts), keyId);

    public static VerifyKey ImportJson(string json)
    {
        (string tag, byte[] raw, string keyId) = KeyEncoding.ImportJson(
            json, tag => SignatureAlgorithm.FromExportTag(tag)?.VerifyParts, CryptoError.KeyImportFailed);
        return new VerifyKey(SignatureAlgorithm.FromExportTag(tag)!, raw, keyId);
    }

    public string ToWireText() => KeyEncoding.ToWireText(_key, Algorithm.VerifyParts);

    public string ExportJson() => KeyEncoding.ExportJson(Algorithm.ExportTag, _key, Algorithm.VerifyParts, KeyId);

    public byte[] Export() => (byte[])_key.Clone();

    /// <summary>Verifies a raw signature (sig_x ‖ sig_k for the hybrid: both halves must verify).</summary>
    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == Algorithm.SignatureSize && Algorithm.Verify(_key, message, signature);

    /// <summary>Verifies the detached text form; a malformed text is simply not a valid signature.</summary>
    public bool VerifyText(ReadOnlySpan<byte> message, string signatureText)
    {
        byte[]? signature = KeyEncoding.SignatureFromText(signatureText, Algorithm.SignatureParts);
        return signature is not null && Verify(message, signature);
    }

    public bool Equals(VerifyKey? other) =>
        other is not null && ReferenceEquals(Algorithm, other.Algorithm) && _key.AsSpan().SequenceEqual(other._key);

    public override bool Equals(object? obj) => Equals(obj as VerifyKey);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Algorithm.Id);
        hash.AddBytes(_key);
        return hash.ToHashCode();
    }

    public override string ToString() => $"{Algorithm.Id} verify key {KeyId}";
}
