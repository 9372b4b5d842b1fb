// AES-256-GCM in sentc's layout (crypto-std.md §3): blob = nonce(12) ‖ ciphertext ‖ tag(16), random nonce, no
// associated data. AES-GCM itself is the BCL's. A blob shorter than nonce + tag is refused as malformed here
// (the official client panics on blobs under 12 bytes).
using System.Security.Cryptography;

namespace Coffer.Crypto.Primitives;

internal static class AesGcmBlob
{
    public const int KeySize = 32;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int Overhead = NonceSize + TagSize;

    public static byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext)
    {
        byte[] blob = new byte[plaintext.Length + Overhead];
        RandomNumberGenerator.Fill(blob.AsSpan(0, NonceSize));
        Seal(key, blob.AsSpan(0, NonceSize), plaintext, blob);
        return blob;
    }

    /// <summary>Encrypts with a caller-chosen nonce into <paramref name="blob"/> (plaintext + 28 bytes).</summary>
    public static void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> blob)
    {
        if (key.Length != KeySize || nonce.Length != NonceSize || blob.Length != plaintext.Length + Overhead)
        {
            throw new ArgumentException("AES-256-GCM needs a 32-byte key, a 12-byte nonce and plaintext + 28 bytes of output.");
        }

        nonce.CopyTo(blob);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(
            blob[..NonceSize],
            plaintext,
            blob.Slice(NonceSize, plaintext.Length),
            blob[(NonceSize + plaintext.Length)..]);
    }

    /// <summary>Decrypts a blob; false when it is too short or the tag does not verify (wrong key or tampering).</summary>
    public static bool TryOpen(ReadOnlySpan<byte> key, ReadOnlySpan<byte> blob, Span<byte> plaintext)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException("AES-256-GCM needs a 32-byte key.", nameof(key));
        }

        if (blob.Length < Overhead || plaintext.Length != blob.Length - Overhead)
        {
            return false;
        }

        using var aes = new AesGcm(key, TagSize);
        try
        {
            aes.Decrypt(blob[..NonceSize], blob[NonceSize..^TagSize], blob[^TagSize..], plaintext);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // The BCL has already zeroed the plaintext buffer.
            return false;
        }
    }

    public static int PlaintextLength(int blobLength) => blobLength - Overhead;
}
