using System.Security.Cryptography;
using Coffer.Crypto.PostQuantum.Kyber;
using Coffer.Crypto.Primitives;

namespace Coffer.Crypto;

/// <summary>
/// A public-key encryption algorithm of the sentc std family, identified on the wire by <see cref="Id"/>. Data and
/// keys are decrypted with the algorithm they name, so older algorithms keep working when the default changes.
/// </summary>
public abstract class EncryptionAlgorithm
{
    private protected EncryptionAlgorithm(string id, string exportTag, int[] publicParts, int[] secretParts, int overhead)
    {
        Id = id;
        ExportTag = exportTag;
        PublicParts = publicParts;
        SecretParts = secretParts;
        PublicKeySize = publicParts.Sum();
        PrivateKeySize = secretParts.Sum();
        Overhead = overhead;
    }

    /// <summary>X25519 ECIES cascaded with Kyber768-90s ("ECIES-ed25519_KYBER_768"): the default.</summary>
    public static EncryptionAlgorithm X25519Kyber768 { get; } = new HybridAlgorithm();

    /// <summary>X25519 ECIES alone ("ECIES-ed25519"); read for data of older sentc clients.</summary>
    public static EncryptionAlgorithm X25519 { get; } = new EciesAlgorithm();

    /// <summary>Kyber768-90s with AES-256-GCM alone ("KYBER_768"); read for data of older sentc clients.</summary>
    public static EncryptionAlgorithm Kyber768 { get; } = new KyberAlgorithm();

    public static EncryptionAlgorithm Default => X25519Kyber768;

    public static IReadOnlyList<EncryptionAlgorithm> All { get; } = [X25519Kyber768, X25519, Kyber768];

    public string Id { get; }

    public int PublicKeySize { get; }

    public int PrivateKeySize { get; }

    /// <summary>Bytes a ciphertext adds to its plaintext.</summary>
    public int Overhead { get; }

    internal string ExportTag { get; }

    /// <summary>The raw key is the concatenation of these parts (x ‖ k for the hybrid, one part otherwise).</summary>
    internal int[] PublicParts { get; }

    internal int[] SecretParts { get; }

    internal bool IsHybrid => PublicParts.Length == 2;

    public static EncryptionAlgorithm FromId(string id) =>
        All.FirstOrDefault(a => a.Id == id) ?? throw new CryptoException(CryptoError.AlgorithmNotSupported);

    internal static EncryptionAlgorithm? FromExportTag(string tag) => All.FirstOrDefault(a => a.ExportTag == tag);

    internal abstract void GenerateKeyPair(Span<byte> secretKey, Span<byte> publicKey);

    internal abstract void DerivePublicKey(ReadOnlySpan<byte> secretKey, Span<byte> publicKey);

    internal abstract byte[] Encrypt(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> plaintext);

    internal abstract byte[]? Decrypt(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> ciphertext);

    public override string ToString() => Id;

    private static void GenerateKyber(Span<byte> secretKey, Span<byte> publicKey)
    {
        Span<byte> seeds = stackalloc byte[64];
        RandomNumberGenerator.Fill(seeds);
        try
        {
            Kyber768Ninety.GenerateKeyPair(seeds[..32], seeds[32..], publicKey, secretKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seeds);
        }
    }

    // The round-3 secret key embeds the public key: indcpa_sk(1152) ‖ pk(1184) ‖ H(pk) ‖ z.
    private static void KyberPublicFromSecret(ReadOnlySpan<byte> secretKey, Span<byte> publicKey) =>
        secretKey.Slice(1152, Kyber768Ninety.PublicKeySize).CopyTo(publicKey);

    private sealed class HybridAlgorithm() : EncryptionAlgorithm(
        "ECIES-ed25519_KYBER_768", "EciesKyberHybrid",
        [Primitives.X25519.PublicKeySize, Kyber768Ninety.PublicKeySize],
        [Primitives.X25519.SecretKeySize, Kyber768Ninety.SecretKeySize],
        HybridEncryption.Overhead)
    {
        internal override void GenerateKeyPair(Span<byte> secretKey, Span<byte> publicKey)
        {
            RandomNumberGenerator.Fill(secretKey[..32]);
            Primitives.X25519.PublicKeyFromSecret(secretKey[..32], publicKey[..32]);
            GenerateKyber(secretKey[32..], publicKey[32..]);
        }

        internal override void DerivePublicKey(ReadOnlySpan<byte> secretKey, Span<byte> publicKey)
        {
            Primitives.X25519.PublicKeyFromSecret(secretKey[..32], publicKey[..32]);
            KyberPublicFromSecret(secretKey[32..], publicKey[32..]);
        }

        internal override byte[] Encrypt(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> plaintext) =>
            HybridEncryption.Encrypt(publicKey, plaintext);

        internal override byte[]? Decrypt(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> ciphertext) =>
            HybridEncryption.Decrypt(secretKey, ciphertext);
    }

    private sealed class EciesAlgorithm() : EncryptionAlgorithm(
        "ECIES-ed25519", "Ecies", [Primitives.X25519.PublicKeySize], [Primitives.X25519.SecretKeySize], Ecies.Overhead)
    {
        internal override void GenerateKeyPair(Span<byte> secretKey, Span<byte> publicKey)
        {
            RandomNumberGenerator.Fill(secretKey);
            Primitives.X25519.PublicKeyFromSecret(secretKey, publicKey);
        }

        internal override void DerivePublicKey(ReadOnlySpan<byte> secretKey, Span<byte> publicKey) =>
            Primitives.X25519.PublicKeyFromSecret(secretKey, publicKey);

        internal override byte[] Encrypt(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> plaintext) =>
            Ecies.Encrypt(publicKey, plaintext);

        internal override byte[]? Decrypt(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> ciphertext) =>
            Ecies.Decrypt(secretKey, ciphertext);
    }

    private sealed class KyberAlgorithm() : EncryptionAlgorithm(
        "KYBER_768", "Kyber", [Kyber768Ninety.PublicKeySize], [Kyber768Ninety.SecretKeySize], KyberAes.Overhead)
    {
        internal override void GenerateKeyPair(Span<byte> secretKey, Span<byte> publicKey) => GenerateKyber(secretKey, publicKey);

        internal override void DerivePublicKey(ReadOnlySpan<byte> secretKey, Span<byte> publicKey) =>
            KyberPublicFromSecret(secretKey, publicKey);

        internal override byte[] Encrypt(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> plaintext) =>
            KyberAes.Encrypt(publicKey, plaintext);

        internal override byte[]? Decrypt(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> ciphertext) =>
            KyberAes.Decrypt(secretKey, ciphertext);
    }
}
