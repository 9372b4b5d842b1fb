// Ed25519 (RFC 8032, pure) through libsodium. sentc stores the 32-byte seed as the sign key; libsodium signs with
// the 64-byte expanded form (seed ‖ public key), which callers keep to avoid re-deriving it per signature.
// Verification is libsodium's crypto_sign_verify_detached: canonical s, and it also refuses small-order keys and
// R values, where ed25519-dalek's `verify` (the official client) does not. Honest signatures verify under both.
using Coffer.Crypto.Native;

namespace Coffer.Crypto.Primitives;

internal static unsafe class Ed25519
{
    public const int SeedSize = Sodium.Ed25519SeedBytes;
    public const int PublicKeySize = Sodium.Ed25519PublicKeyBytes;
    public const int ExpandedKeySize = Sodium.Ed25519SecretKeyBytes;
    public const int SignatureSize = Sodium.Ed25519SignatureBytes;

    public static void ExpandSeed(ReadOnlySpan<byte> seed, Span<byte> expandedKey, Span<byte> publicKey)
    {
        if (seed.Length != SeedSize || expandedKey.Length != ExpandedKeySize || publicKey.Length != PublicKeySize)
        {
            throw new ArgumentException("Ed25519 seeds and public keys are 32 bytes, expanded keys 64.");
        }

        fixed (byte* s = seed)
        fixed (byte* sk = expandedKey)
        fixed (byte* pk = publicKey)
        {
            if (Sodium.crypto_sign_ed25519_seed_keypair(pk, sk, s) != 0)
            {
                throw new InvalidOperationException("Ed25519 key expansion failed.");
            }
        }
    }

    public static void Sign(ReadOnlySpan<byte> expandedKey, ReadOnlySpan<byte> message, Span<byte> signature)
    {
        if (expandedKey.Length != ExpandedKeySize || signature.Length != SignatureSize)
        {
            throw new ArgumentException("Ed25519 signing needs the 64-byte expanded key and a 64-byte output.");
        }

        fixed (byte* sk = expandedKey)
        fixed (byte* m = message)
        fixed (byte* sig = signature)
        {
            ulong length;
            if (Sodium.crypto_sign_ed25519_detached(sig, &length, m, (ulong)message.Length, sk) != 0)
            {
                throw new InvalidOperationException("Ed25519 signing failed.");
            }
        }
    }

    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize || signature.Length != SignatureSize)
        {
            return false;
        }

        fixed (byte* pk = publicKey)
        fixed (byte* m = message)
        fixed (byte* sig = signature)
        {
            return Sodium.crypto_sign_ed25519_verify_detached(sig, m, (ulong)message.Length, pk) == 0;
        }
    }
}
