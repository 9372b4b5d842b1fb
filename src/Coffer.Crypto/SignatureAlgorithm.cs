using System.Security.Cryptography;
using Coffer.Crypto.PostQuantum.Dilithium;
using Coffer.Crypto.Primitives;

namespace Coffer.Crypto;

/// <summary>A signature algorithm of the sentc std family, identified on the wire by <see cref="Id"/>.</summary>
public abstract class SignatureAlgorithm
{
    private protected SignatureAlgorithm(string id, string exportTag, int[] signParts, int[] verifyParts, int[] signatureParts)
    {
        Id = id;
        ExportTag = exportTag;
        SignParts = signParts;
        VerifyParts = verifyParts;
        SignatureParts = signatureParts;
        SignKeySize = signParts.Sum();
        VerifyKeySize = verifyParts.Sum();
        SignatureSize = signatureParts.Sum();
    }

    /// <summary>Ed25519 with Dilithium3-AES over message ‖ Ed25519 signature ("ED25519_DILITHIUM_3"): the default.</summary>
    public static SignatureAlgorithm Ed25519Dilithium3 { get; } = new HybridAlgorithm();

    /// <summary>Ed25519 alone ("ED25519"); verified for data of older sentc clients.</summary>
    public static SignatureAlgorithm Ed25519 { get; } = new Ed25519Algorithm();

    /// <summary>Dilithium3-AES alone ("DILITHIUM_3"); verified for data of older sentc clients.</summary>
    public static SignatureAlgorithm Dilithium3 { get; } = new DilithiumAlgorithm();

    public static SignatureAlgorithm Default => Ed25519Dilithium3;

    public static IReadOnlyList<SignatureAlgorithm> All { get; } = [Ed25519Dilithium3, Ed25519, Dilithium3];

    public string Id { get; }

    public int SignKeySize { get; }

    public int VerifyKeySize { get; }

    public int SignatureSize { get; }

    internal string ExportTag { get; }

    internal int[] SignParts { get; }

    internal int[] VerifyParts { get; }

    internal int[] SignatureParts { get; }

    internal bool IsHybrid => SignParts.Length == 2;

    public static SignatureAlgorithm FromId(string id) =>
        All.FirstOrDefault(a => a.Id == id) ?? throw new CryptoException(CryptoError.AlgorithmNotSupported);

    internal static SignatureAlgorithm? FromExportTag(string tag) => All.FirstOrDefault(a => a.ExportTag == tag);

    internal abstract void GenerateKeyPair(Span<byte> signKey, Span<byte> verifyKey);

    /// <summary>Precomputes what signing needs (the Ed25519 expanded key); stored next to the sign key.</summary>
    internal abstract int ExpandedSize { get; }

    internal abstract void Expand(ReadOnlySpan<byte> signKey, Span<byte> expanded);

    internal abstract void Sign(ReadOnlySpan<byte> signKey, ReadOnlySpan<byte> expanded, ReadOnlySpan<byte> message, Span<byte> signature);

    internal abstract bool Verify(ReadOnlySpan<byte> verifyKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature);

    public override string ToString() => Id;

    private static void GenerateDilithium(Span<byte> secretKey, Span<byte> publicKey)
    {
        Span<byte> seed = stackalloc byte[Dilithium3Aes.SeedSize];
        RandomNumberGenerator.Fill(seed);
        try
        {
            Dilithium3Aes.GenerateKeyPair(seed, publicKey, secretKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    private sealed class HybridAlgorithm() : SignatureAlgorithm(
        "ED25519_DILITHIUM_3", "Ed25519DilithiumHybrid",
        [Primitives.Ed25519.SeedSize, Dilithium3Aes.SecretKeySize],
        [Primitives.Ed25519.PublicKeySize, Dilithium3Aes.PublicKeySize],
        [Primitives.Ed25519.SignatureSize, Dilithium3Aes.SignatureSize])
    {
        internal override int ExpandedSize => Primitives.Ed25519.ExpandedKeySize;

        internal override void GenerateKeyPair(Span<byte> signKey, Span<byte> verifyKey)
        {
            RandomNumberGenerator.Fill(signKey[..32]);
            Span<byte> expanded = stackalloc byte[Primitives.Ed25519.ExpandedKeySize];
            Primitives.Ed25519.ExpandSeed(signKey[..32], expanded, verifyKey[..32]);
            CryptographicOperations.ZeroMemory(expanded);
            GenerateDilithium(signKey[32..], verifyKey[32..]);
        }

        internal override void Expand(ReadOnlySpan<byte> signKey, Span<byte> expanded)
        {
            Span<byte> publicKey = stackalloc byte[Primitives.Ed25519.PublicKeySize];
            Primitives.Ed25519.ExpandSeed(signKey[..32], expanded, publicKey);
        }

        internal override void Sign(ReadOnlySpan<byte> signKey, ReadOnlySpan<byte> expanded, ReadOnlySpan<byte> message, Span<byte> signature) =>
            HybridSignature.Sign(expanded, signKey[32..], message, signature);

        internal override bool Verify(ReadOnlySpan<byte> verifyKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
            HybridSignature.Verify(verifyKey, message, signature);
    }

    private sealed class Ed25519Algorithm() : SignatureAlgorithm(
        "ED25519", "Ed25519", [Primitives.Ed25519.SeedSize], [Primitives.Ed25519.PublicKeySize], [Primitives.Ed25519.SignatureSize])
    {
        internal override int ExpandedSize => Primitives.Ed25519.ExpandedKeySize;

        internal override void GenerateKeyPair(Span<byte> signKey, Span<byte> verifyKey)
        {
            RandomNumberGenerator.Fill(signKey);
            Span<byte> expanded = stackalloc byte[Primitives.Ed25519.ExpandedKeySize];
            Primitives.Ed25519.ExpandSeed(signKey, expanded, verifyKey);
            CryptographicOperations.ZeroMemory(expanded);
        }

        internal override void Expand(ReadOnlySpan<byte> signKey, Span<byte> expanded)
        {
            Span<byte> publicKey = stackalloc byte[Primitives.Ed25519.PublicKeySize];
            Primitives.Ed25519.ExpandSeed(signKey, expanded, publicKey);
        }

        internal override void Sign(ReadOnlySpan<byte> signKey, ReadOnlySpan<byte> expanded, ReadOnlySpan<byte> message, Span<byte> signature) =>
            Primitives.Ed25519.Sign(expanded, message, signature);

        internal override bool Verify(ReadOnlySpan<byte> verifyKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
            Primitives.Ed25519.Verify(verifyKey, message, signature);
    }

    private sealed class DilithiumAlgorithm() : SignatureAlgorithm(
        "DILITHIUM_3", "Dilithium", [Dilithium3Aes.SecretKeySize], [Dilithium3Aes.PublicKeySize], [Dilithium3Aes.SignatureSize])
    {
        internal override int ExpandedSize => 0;

        internal override void GenerateKeyPair(Span<byte> signKey, Span<byte> verifyKey) => GenerateDilithium(signKey, verifyKey);

        internal override void Expand(ReadOnlySpan<byte> signKey, Span<byte> expanded)
        {
        }

        internal override void Sign(ReadOnlySpan<byte> signKey, ReadOnlySpan<byte> expanded, ReadOnlySpan<byte> message, Span<byte> signature)
        {
            Span<byte> rhoPrime = stackalloc byte[Dilithium3Aes.RandomnessSize];
            RandomNumberGenerator.Fill(rhoPrime);
            Dilithium3Aes.Sign(signKey, message, rhoPrime, signature);
            CryptographicOperations.ZeroMemory(rhoPrime);
        }

        internal override bool Verify(ReadOnlySpan<byte> verifyKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
            Dilithium3Aes.Verify(verifyKey, message, signature);
    }
}
