// sentc's "ECIES-ed25519" (crypto-std.md §5) — despite the name, X25519:
//   e random, E = X25519(e, 9), S = X25519(e, pk), k = HKDF-SHA256(salt = none, S, info "ecies-ed25519", 32),
//   blob = E(32) ‖ AES-GCM(k, plaintext).
// The KDF binds no public key (that is the protocol; we do not change it). Secrets: e, S and k, zeroed here.
using System.Security.Cryptography;

namespace Coffer.Crypto.Primitives;

internal static class Ecies
{
    public const int Overhead = X25519.PublicKeySize + AesGcmBlob.Overhead; // 60

    private static ReadOnlySpan<byte> Info => "ecies-ed25519"u8;

    public static byte[] Encrypt(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> ephemeral = stackalloc byte[X25519.SecretKeySize];
        Span<byte> nonce = stackalloc byte[AesGcmBlob.NonceSize];
        RandomNumberGenerator.Fill(ephemeral);
        RandomNumberGenerator.Fill(nonce);
        try
        {
            byte[] blob = new byte[plaintext.Length + Overhead];
            Encrypt(recipientPublicKey, plaintext, ephemeral, nonce, blob);
            return blob;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeral);
        }
    }

    /// <summary>Deterministic core: the caller supplies the ephemeral secret and the nonce.</summary>
    public static void Encrypt(
        ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> plaintext,
        ReadOnlySpan<byte> ephemeralSecret, ReadOnlySpan<byte> nonce, Span<byte> blob)
    {
        if (blob.Length != plaintext.Length + Overhead)
        {
            throw new ArgumentException("The ECIES output is plaintext + 60 bytes.", nameof(blob));
        }

        Span<byte> shared = stackalloc byte[X25519.SharedSecretSize];
        Span<byte> key = stackalloc byte[AesGcmBlob.KeySize];
        try
        {
            X25519.PublicKeyFromSecret(ephemeralSecret, blob[..X25519.PublicKeySize]);
            if (!X25519.SharedSecret(ephemeralSecret, recipientPublicKey, shared))
            {
                throw new CryptoException(CryptoError.KeyFormatInvalid);
            }

            HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, key, salt: default, Info);
            AesGcmBlob.Seal(key, nonce, plaintext, blob[X25519.PublicKeySize..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Decrypts into a new array; null when the blob is malformed or does not authenticate.</summary>
    public static byte[]? Decrypt(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> blob)
    {
        if (blob.Length < Overhead)
        {
            return null;
        }

        Span<byte> shared = stackalloc byte[X25519.SharedSecretSize];
        Span<byte> key = stackalloc byte[AesGcmBlob.KeySize];
        try
        {
            if (!X25519.SharedSecret(secretKey, blob[..X25519.PublicKeySize], shared))
            {
                return null;
            }

            HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, key, salt: default, Info);
            byte[] plaintext = new byte[blob.Length - Overhead];
            return AesGcmBlob.TryOpen(key, blob[X25519.PublicKeySize..], plaintext) ? plaintext : null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
