// sentc's "KYBER_768" encryption, also the outer layer of the hybrid (crypto-std.md §4):
//   (c, ss) = Kyber768-90s.Encaps(pk);  blob = c(1088) ‖ AES-256-GCM(ss, plaintext)
// Decapsulation uses implicit rejection, so a tampered c yields a wrong ss and the AES tag then fails.
using System.Security.Cryptography;
using Coffer.Crypto.PostQuantum.Kyber;

namespace Coffer.Crypto.Primitives;

internal static class KyberAes
{
    public const int Overhead = Kyber768Ninety.CiphertextSize + AesGcmBlob.Overhead; // 1116

    public static byte[] Encrypt(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> randomM = stackalloc byte[Kyber768Ninety.RandomSize];
        Span<byte> nonce = stackalloc byte[AesGcmBlob.NonceSize];
        RandomNumberGenerator.Fill(randomM);
        RandomNumberGenerator.Fill(nonce);
        try
        {
            byte[] blob = new byte[plaintext.Length + Overhead];
            plaintext.CopyTo(blob.AsSpan(PlaintextOffset));
            SealInPlace(publicKey, randomM, nonce, blob);
            return blob;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(randomM);
        }
    }

    /// <summary>Where the plaintext sits in the blob before <see cref="SealInPlace"/> encrypts it in place.</summary>
    public const int PlaintextOffset = Kyber768Ninety.CiphertextSize + AesGcmBlob.NonceSize;

    /// <summary>
    /// Deterministic core. <paramref name="blob"/> holds the plaintext at offset 1100 (after room for c and the
    /// nonce) and receives c ‖ nonce ‖ ciphertext ‖ tag.
    /// </summary>
    public static void SealInPlace(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> randomM, ReadOnlySpan<byte> nonce, Span<byte> blob)
    {
        if (publicKey.Length != Kyber768Ninety.PublicKeySize)
        {
            throw new CryptoException(CryptoError.KeyFormatInvalid);
        }

        Span<byte> sharedSecret = stackalloc byte[Kyber768Ninety.SharedSecretSize];
        try
        {
            Kyber768Ninety.Encapsulate(publicKey, randomM, blob[..Kyber768Ninety.CiphertextSize], sharedSecret);
            Span<byte> aesBlob = blob[Kyber768Ninety.CiphertextSize..];
            nonce.CopyTo(aesBlob);
            int length = aesBlob.Length - AesGcmBlob.Overhead;
            using var aes = new AesGcm(sharedSecret, AesGcmBlob.TagSize);
            Span<byte> text = aesBlob.Slice(AesGcmBlob.NonceSize, length);
            aes.Encrypt(aesBlob[..AesGcmBlob.NonceSize], text, text, aesBlob[^AesGcmBlob.TagSize..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    /// <summary>Decrypts; null when the blob is too short or does not authenticate.</summary>
    public static byte[]? Decrypt(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> blob)
    {
        if (blob.Length < Overhead)
        {
            return null;
        }

        Span<byte> sharedSecret = stackalloc byte[Kyber768Ninety.SharedSecretSize];
        try
        {
            Kyber768Ninety.Decapsulate(secretKey, blob[..Kyber768Ninety.CiphertextSize], sharedSecret);
            byte[] plaintext = new byte[blob.Length - Overhead];
            return AesGcmBlob.TryOpen(sharedSecret, blob[Kyber768Ninety.CiphertextSize..], plaintext) ? plaintext : null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }
}
