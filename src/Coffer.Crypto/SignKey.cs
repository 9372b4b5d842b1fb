namespace Coffer.Crypto;

/// <summary>
/// The secret half of a signature key pair, with its sentc key id. For the hybrid it holds the Ed25519 seed and the
/// Dilithium3-AES secret key. Dispose to zero it.
/// </summary>
public sealed class SignKey : IDisposable
{
    private readonly SecretBuffer _key;
    private readonly SecretBuffer _expanded;

    private SignKey(SignatureAlgorithm algorithm, SecretBuffer key, string keyId)
    {
        Algorithm = algorithm;
        _key = key;
        KeyId = keyId;
        _expanded = new SecretBuffer(algorithm.ExpandedSize);
        algorithm.Expand(key.Span, _expanded.Span);
    }

    public SignatureAlgorithm Algorithm { get; }

    public string KeyId { get; }

    internal ReadOnlySpan<byte> Secret => _key.Span;

    public static (SignKey SignKey, VerifyKey VerifyKey) Generate(SignatureAlgorithm algorithm, string keyId = "")
    {
        var secret = new SecretBuffer(algorithm.SignKeySize);
        byte[] verifyKey = new byte[algorithm.VerifyKeySize];
        try
        {
            algorithm.GenerateKeyPair(secret.Span, verifyKey);
            return (new SignKey(algorithm, secret, keyId), new VerifyKey(algorithm, verifyKey, keyId));
        }
        catch
        {
            secret.Dispose();
            throw;
        }
    }

    public static SignKey Import(SignatureAlgorithm algorithm, ReadOnlySpan<byte> rawKey, string keyId)
    {
        if (rawKey.Length != algorithm.SignKeySize)
        {
            throw new CryptoException(CryptoError.KeyImportFailed);
        }

        return new SignKey(algorithm, new SecretBuffer(rawKey), keyId);
    }

    /// <summary>Imports exported key JSON, e.g. <c>{"Ed25519DilithiumHybrid":{"x":…,"k":…,"key_id":…}}</c>.</summary>
    public static SignKey ImportJson(string json)
    {
        (string tag, byte[] raw, string keyId) = KeyEncoding.ImportJson(
            json, tag => SignatureAlgorithm.FromExportTag(tag)?.SignParts, CryptoError.KeyImportFailed);
        return RawKey.Consume(raw, bytes => Import(SignatureAlgorithm.FromExportTag(tag)!, bytes, keyId));
    }

    public string ExportJson() => KeyEncoding.ExportJson(Algorithm.ExportTag, _key.Span, Algorithm.SignParts, KeyId);

    /// <summary>Signs; the result is the raw signature (sig_x ‖ sig_k for the hybrid).</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        byte[] signature = new byte[Algorithm.SignatureSize];
        Algorithm.Sign(_key.Span, _expanded.Span, message, signature);
        return signature;
    }

    /// <summary>Signs and returns the detached text form (<c>{"x":…,"k":…}</c> for the hybrid).</summary>
    public string SignToText(ReadOnlySpan<byte> message) => KeyEncoding.SignatureToText(Sign(message), Algorithm.SignatureParts);

    public void Dispose()
    {
        _key.Dispose();
        _expanded.Dispose();
    }
}
