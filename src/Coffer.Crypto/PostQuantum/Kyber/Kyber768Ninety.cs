// CRYSTALS-Kyber768, round 3 (specification v3.02), "90s" variant: H = SHA-256, G = SHA-512, KDF = SHA-256,
// XOF and PRF = AES-256-CTR. This is what sentc_wasm 0.15.0 (pqc_kyber 0.7 "90s") uses; it is not ML-KEM.
// Sizes: public key 1184, secret key 2400 (ŝ 1152 ‖ pk 1184 ‖ H(pk) 32 ‖ z 32), ciphertext 1088, secret 32.
// Constant-time: decapsulation always re-encrypts, compares the whole ciphertext with an OR of XORs, and selects
// K̄ or z with a mask (implicit rejection), so neither its time nor its control flow says whether the ciphertext
// was valid. Every secret intermediate is zeroed before returning, on the exception path too.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using static Coffer.Crypto.PostQuantum.Kyber.KyberMath;
using X86 = System.Runtime.Intrinsics.X86;

namespace Coffer.Crypto.PostQuantum.Kyber;

internal static class Kyber768Ninety // Kyber768 round 3, 90s variant
{
    public const int PublicKeySize = 1184, SecretKeySize = 2400, CiphertextSize = 1088, SharedSecretSize = 32, RandomSize = 32;

    private const int HashOffset = SecretKeySize - (2 * SymBytes); // H(pk) in the secret key
    private const int ZOffset = SecretKeySize - SymBytes; // z in the secret key

    /// <summary>The arithmetic the public entry points use on this machine.</summary>
    internal static KyberPath DefaultPath { get; } = X86.Avx2.IsSupported ? KyberPath.Avx2 : KyberPath.Scalar;

    // d: indcpa seed ((rho, sigma) = SHA-512(d), no domain byte), z: implicit-rejection secret (sk[2368..2400])
    public static void GenerateKeyPair(ReadOnlySpan<byte> d, ReadOnlySpan<byte> z, Span<byte> publicKey, Span<byte> secretKey)
        => GenerateKeyPair(DefaultPath, d, z, publicKey, secretKey);

    // randomM: the 32 RNG bytes BEFORE hashing (round 3: m = SHA-256(randomM))
    public static void Encapsulate(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> randomM, Span<byte> ciphertext, Span<byte> sharedSecret)
        => Encapsulate(DefaultPath, publicKey, randomM, ciphertext, sharedSecret);

    public static void Decapsulate(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> ciphertext, Span<byte> sharedSecret)
        => Decapsulate(DefaultPath, secretKey, ciphertext, sharedSecret);

    internal static void GenerateKeyPair(
        KyberPath path, ReadOnlySpan<byte> d, ReadOnlySpan<byte> z, Span<byte> publicKey, Span<byte> secretKey)
    {
        RequireLength(d, RandomSize, nameof(d));
        RequireLength(z, RandomSize, nameof(z));
        RequireLength(publicKey, PublicKeySize, nameof(publicKey));
        RequireLength(secretKey, SecretKeySize, nameof(secretKey));
        switch (CheckPath(path))
        {
            case KyberPath.Avx2:
                GenerateKeyPairCore<Avx2Arithmetic>(d, z, publicKey, secretKey);
                break;
            default:
                GenerateKeyPairCore<ScalarArithmetic>(d, z, publicKey, secretKey);
                break;
        }
    }

    internal static void Encapsulate(
        KyberPath path, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> randomM, Span<byte> ciphertext, Span<byte> sharedSecret)
    {
        RequireLength(publicKey, PublicKeySize, nameof(publicKey));
        RequireLength(randomM, RandomSize, nameof(randomM));
        RequireLength(ciphertext, CiphertextSize, nameof(ciphertext));
        RequireLength(sharedSecret, SharedSecretSize, nameof(sharedSecret));
        switch (CheckPath(path))
        {
            case KyberPath.Avx2:
                EncapsulateCore<Avx2Arithmetic>(publicKey, randomM, ciphertext, sharedSecret);
                break;
            default:
                EncapsulateCore<ScalarArithmetic>(publicKey, randomM, ciphertext, sharedSecret);
                break;
        }
    }

    internal static void Decapsulate(
        KyberPath path, ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> ciphertext, Span<byte> sharedSecret)
    {
        RequireLength(secretKey, SecretKeySize, nameof(secretKey));
        RequireLength(ciphertext, CiphertextSize, nameof(ciphertext));
        RequireLength(sharedSecret, SharedSecretSize, nameof(sharedSecret));
        switch (CheckPath(path))
        {
            case KyberPath.Avx2:
                DecapsulateCore<Avx2Arithmetic>(secretKey, ciphertext, sharedSecret);
                break;
            default:
                DecapsulateCore<ScalarArithmetic>(secretKey, ciphertext, sharedSecret);
                break;
        }
    }

    private static void GenerateKeyPairCore<TArith>(
        ReadOnlySpan<byte> d, ReadOnlySpan<byte> z, Span<byte> publicKey, Span<byte> secretKey)
        where TArith : struct, IKyberArithmetic
    {
        // The public key is written first and then copied into the secret key, so a caller's pk buffer is never read
        // back before it holds the final value.
        KyberIndCpa.GenerateKeyPair<TArith>(d, publicKey, secretKey[..KyberIndCpa.SecretKeySize]);
        publicKey.CopyTo(secretKey.Slice(KyberIndCpa.SecretKeySize, PublicKeySize));
        SHA256.HashData(publicKey, secretKey.Slice(HashOffset, SymBytes));
        z.CopyTo(secretKey.Slice(ZOffset, SymBytes));
    }

    [SkipLocalsInit]
    private static void EncapsulateCore<TArith>(
        ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> randomM, Span<byte> ciphertext, Span<byte> sharedSecret)
        where TArith : struct, IKyberArithmetic
    {
        Span<byte> mh = stackalloc byte[2 * SymBytes]; // m ‖ H(pk)
        Span<byte> kr = stackalloc byte[2 * SymBytes]; // K̄ ‖ r, then K̄ ‖ H(c)
        try
        {
            SHA256.HashData(randomM, mh[..SymBytes]); // round 3 hashes the RNG output so it never leaves raw
            SHA256.HashData(publicKey, mh[SymBytes..]);
            SHA512.HashData(mh, kr);
            KyberIndCpa.Encrypt<TArith>(publicKey, mh[..SymBytes], kr[SymBytes..], ciphertext);
            SHA256.HashData(ciphertext, kr[SymBytes..]);
            SHA256.HashData(kr, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(mh);
            CryptographicOperations.ZeroMemory(kr);
        }
    }

    [SkipLocalsInit]
    private static void DecapsulateCore<TArith>(
        ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> ciphertext, Span<byte> sharedSecret)
        where TArith : struct, IKyberArithmetic
    {
        Span<byte> mh = stackalloc byte[2 * SymBytes]; // m' ‖ H(pk)
        Span<byte> kr = stackalloc byte[2 * SymBytes]; // K̄' ‖ r', then K̄' or z ‖ H(c)
        Span<byte> reencrypted = stackalloc byte[CiphertextSize];
        try
        {
            ReadOnlySpan<byte> publicKey = secretKey.Slice(KyberIndCpa.SecretKeySize, PublicKeySize);
            KyberIndCpa.Decrypt<TArith>(secretKey[..KyberIndCpa.SecretKeySize], ciphertext, mh[..SymBytes]);
            secretKey.Slice(HashOffset, SymBytes).CopyTo(mh[SymBytes..]);
            SHA512.HashData(mh, kr);
            KyberIndCpa.Encrypt<TArith>(publicKey, mh[..SymBytes], kr[SymBytes..], reencrypted);

            byte reject = DifferenceMask(ciphertext, reencrypted);
            SHA256.HashData(ciphertext, kr[SymBytes..]);
            ConditionalMove(kr[..SymBytes], secretKey.Slice(ZOffset, SymBytes), reject);
            SHA256.HashData(kr, sharedSecret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(mh);
            CryptographicOperations.ZeroMemory(kr);
            CryptographicOperations.ZeroMemory(reencrypted);
        }
    }

    /// <summary>0xFF if the spans differ anywhere, else 0x00; reads every byte whatever the contents.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static byte DifferenceMask(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        // An OR of XORs over every word: there is no data-dependent exit, unlike SequenceEqual.
        ReadOnlySpan<ulong> wa = MemoryMarshal.Cast<byte, ulong>(a);
        ReadOnlySpan<ulong> wb = MemoryMarshal.Cast<byte, ulong>(b);
        ulong diff = 0;
        for (int i = 0; i < wa.Length; i++)
        {
            diff |= wa[i] ^ wb[i];
        }

        for (int i = wa.Length * sizeof(ulong); i < a.Length; i++)
        {
            diff |= (uint)(a[i] ^ b[i]);
        }

        // diff | -diff has its top bit set exactly when diff != 0.
        ulong nonZero = (diff | (0 - diff)) >> 63;
        return (byte)(0 - nonZero);
    }

    /// <summary>r = mask == 0xFF ? x : r, byte by byte, without a branch.</summary>
    internal static void ConditionalMove(Span<byte> r, ReadOnlySpan<byte> x, byte mask)
    {
        for (int i = 0; i < r.Length; i++)
        {
            r[i] ^= (byte)(mask & (r[i] ^ x[i]));
        }
    }

    private static KyberPath CheckPath(KyberPath path) => path switch
    {
        KyberPath.Scalar => path,
        KyberPath.Avx2 when X86.Avx2.IsSupported => path,
        KyberPath.Avx2 => throw new PlatformNotSupportedException("AVX2 is not available on this processor."),
        _ => throw new ArgumentOutOfRangeException(nameof(path)),
    };

    private static void RequireLength(ReadOnlySpan<byte> value, int length, string name)
    {
        if (value.Length != length)
        {
            // Only lengths go into the message: never the bytes, which may be key material.
            throw new ArgumentException($"Expected {length} bytes, got {value.Length}.", name);
        }
    }
}
