// X25519 (RFC 7748) through libsodium. Secret scalars are kept exactly as stored (sentc's wasm stores them
// unclamped, crypto-std.md §5); libsodium clamps a private copy inside every scalar multiplication.
// libsodium refuses an all-zero shared secret (a low-order peer point); x25519-dalek, which the official client
// uses, does not. Only malicious inputs differ, and refusing them is the safer side: SharedSecret returns false.
using Coffer.Crypto.Native;

namespace Coffer.Crypto.Primitives;

internal static unsafe class X25519
{
    public const int SecretKeySize = Sodium.ScalarBytes;
    public const int PublicKeySize = Sodium.PointBytes;
    public const int SharedSecretSize = Sodium.PointBytes;

    public static void PublicKeyFromSecret(ReadOnlySpan<byte> secretKey, Span<byte> publicKey)
    {
        Check(secretKey.Length == SecretKeySize && publicKey.Length == PublicKeySize);
        fixed (byte* n = secretKey)
        fixed (byte* q = publicKey)
        {
            if (Sodium.crypto_scalarmult_curve25519_base(q, n) != 0)
            {
                throw new InvalidOperationException("X25519 base-point multiplication failed.");
            }
        }
    }

    /// <summary>Computes X25519(secretKey, publicKey); false when the result is all zero (low-order point).</summary>
    public static bool SharedSecret(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> publicKey, Span<byte> shared)
    {
        Check(secretKey.Length == SecretKeySize && publicKey.Length == PublicKeySize && shared.Length == SharedSecretSize);
        fixed (byte* n = secretKey)
        fixed (byte* p = publicKey)
        fixed (byte* q = shared)
        {
            return Sodium.crypto_scalarmult_curve25519(q, n, p) == 0;
        }
    }

    private static void Check(bool sizesOk)
    {
        if (!sizesOk)
        {
            throw new ArgumentException("X25519 keys and secrets are 32 bytes.");
        }
    }
}
