// sentc's default signature "ED25519_DILITHIUM_3" (crypto-std.md §7.3):
//   sig_x = Ed25519.sign(seed, M);  sig_k = Dilithium3-AES.sign(sk, M ‖ sig_x)   (the PQ signature covers both)
//   signature = sig_x(64) ‖ sig_k(3293); verification needs both to pass (Dilithium first, then Ed25519).
// Sign key = Ed25519 seed(32) ‖ Dilithium sk(4000); verify key = Ed25519 pk(32) ‖ Dilithium pk(1952).
// Signing is randomized like the official client's: ρ' is 64 fresh random bytes per signature.
using System.Buffers;
using System.Security.Cryptography;
using Coffer.Crypto.PostQuantum.Dilithium;

namespace Coffer.Crypto.Primitives;

internal static class HybridSignature
{
    public const int SignKeySize = Ed25519.SeedSize + Dilithium3Aes.SecretKeySize;        // 4032
    public const int VerifyKeySize = Ed25519.PublicKeySize + Dilithium3Aes.PublicKeySize; // 1984
    public const int SignatureSize = Ed25519.SignatureSize + Dilithium3Aes.SignatureSize; // 3357

    public static void Sign(
        ReadOnlySpan<byte> ed25519ExpandedKey, ReadOnlySpan<byte> dilithiumSecretKey,
        ReadOnlySpan<byte> message, Span<byte> signature)
    {
        if (signature.Length != SignatureSize)
        {
            throw new ArgumentException("A hybrid signature is 3357 bytes.", nameof(signature));
        }

        Span<byte> sigX = signature[..Ed25519.SignatureSize];
        Ed25519.Sign(ed25519ExpandedKey, message, sigX);

        byte[] covered = ArrayPool<byte>.Shared.Rent(message.Length + Ed25519.SignatureSize);
        Span<byte> rhoPrime = stackalloc byte[Dilithium3Aes.RandomnessSize];
        try
        {
            message.CopyTo(covered);
            sigX.CopyTo(covered.AsSpan(message.Length));
            RandomNumberGenerator.Fill(rhoPrime);
            Dilithium3Aes.Sign(
                dilithiumSecretKey, covered.AsSpan(0, message.Length + Ed25519.SignatureSize), rhoPrime,
                signature[Ed25519.SignatureSize..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(rhoPrime);
            ArrayPool<byte>.Shared.Return(covered);
        }
    }

    public static bool Verify(ReadOnlySpan<byte> verifyKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (verifyKey.Length != VerifyKeySize || signature.Length != SignatureSize)
        {
            return false;
        }

        ReadOnlySpan<byte> sigX = signature[..Ed25519.SignatureSize];
        byte[] covered = ArrayPool<byte>.Shared.Rent(message.Length + Ed25519.SignatureSize);
        try
        {
            message.CopyTo(covered);
            sigX.CopyTo(covered.AsSpan(message.Length));
            bool pq = Dilithium3Aes.Verify(
                verifyKey[Ed25519.PublicKeySize..], covered.AsSpan(0, message.Length + Ed25519.SignatureSize),
                signature[Ed25519.SignatureSize..]);
            // Both halves are checked whatever the first result is; the answer is their conjunction.
            bool classic = Ed25519.Verify(verifyKey[..Ed25519.PublicKeySize], message, sigX);
            return pq & classic;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(covered);
        }
    }
}
