// sentc's default public-key encryption "ECIES-ed25519_KYBER_768" (crypto-std.md §6): a cascade, not a KDF
// combiner. inner = ECIES(pk.x, plaintext); blob = KyberAes(pk.k, inner), laid out as
//   kyber_ct(1088) ‖ nonce2(12) ‖ [E(32) ‖ nonce1(12) ‖ ct ‖ tag1(16)]encrypted ‖ tag2(16)   (plaintext + 1176)
// Keys are x ‖ k: public 32 + 1184 bytes, secret 32 + 2400 bytes.
using System.Security.Cryptography;
using Coffer.Crypto.PostQuantum.Kyber;

namespace Coffer.Crypto.Primitives;

internal static class HybridEncryption
{
    public const int PublicKeySize = X25519.PublicKeySize + Kyber768Ninety.PublicKeySize;  // 1216
    public const int SecretKeySize = X25519.SecretKeySize + Kyber768Ninety.SecretKeySize;  // 2432
    public const int Overhead = Ecies.Overhead + KyberAes.Overhead;                          // 1176

    public static byte[] Encrypt(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> randomness = stackalloc byte[X25519.SecretKeySize + AesGcmBlob.NonceSize + Kyber768Ninety.RandomSize + AesGcmBlob.NonceSize];
        RandomNumberGenerator.Fill(randomness);
        try
        {
            return Encrypt(
                publicKey, plaintext,
                eciesEphemeralSecret: randomness[..32], eciesNonce: randomness.Slice(32, 12),
                kyberRandom: randomness.Slice(44, 32), kyberNonce: randomness.Slice(76, 12));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(randomness);
        }
    }

    /// <summary>Deterministic core (vectors and tests): every random input is given.</summary>
    public static byte[] Encrypt(
        ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> plaintext,
        ReadOnlySpan<byte> eciesEphemeralSecret, ReadOnlySpan<byte> eciesNonce,
        ReadOnlySpan<byte> kyberRandom, ReadOnlySpan<byte> kyberNonce)
    {
        if (publicKey.Length != PublicKeySize)
        {
            throw new CryptoException(CryptoError.KeyFormatInvalid);
        }

        byte[] blob = new byte[plaintext.Length + Overhead];
        Ecies.Encrypt(
            publicKey[..X25519.PublicKeySize], plaintext, eciesEphemeralSecret, eciesNonce,
            blob.AsSpan(KyberAes.PlaintextOffset, plaintext.Length + Ecies.Overhead));
        KyberAes.SealInPlace(publicKey[X25519.PublicKeySize..], kyberRandom, kyberNonce, blob);
        return blob;
    }

    /// <summary>Decrypts; null when the blob is malformed or either layer fails to authenticate.</summary>
    public static byte[]? Decrypt(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> blob)
    {
        if (secretKey.Length != SecretKeySize)
        {
            throw new ArgumentException("A hybrid secret key is 2432 bytes.", nameof(secretKey));
        }

        byte[]? inner = KyberAes.Decrypt(secretKey[X25519.SecretKeySize..], blob);
        if (inner is null)
        {
            return null;
        }

        try
        {
            return Ecies.Decrypt(secretKey[..X25519.SecretKeySize], inner);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(inner);
        }
    }
}
