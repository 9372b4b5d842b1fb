// Kyber768 round 3 (spec v3.02, "90s" variant): the IND-CPA public-key encryption underneath the KEM.
// Sizes: public key 1184 (t̂ 1152 ‖ ρ 32), secret key 1152 (ŝ), ciphertext 1088 (u: 960 at du = 10, v: 128 at dv = 4).
// Generic over the polynomial arithmetic so that the scalar and AVX2 forms share every other line.
// Constant-time: no branch or index depends on σ, ŝ, e, r, m or the coins; every working buffer that holds one
// of them is zeroed before returning, also when an exception leaves the method.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using static Coffer.Crypto.PostQuantum.Kyber.KyberMath;

namespace Coffer.Crypto.PostQuantum.Kyber;

internal static class KyberIndCpa
{
    public const int PublicKeySize = PolyVecBytes + SymBytes;
    public const int SecretKeySize = PolyVecBytes;
    public const int CiphertextSize = PolyVecCompressedBytes + PolyCompressedBytes;

    private const int PolyVecLength = K * N;
    private const int MatrixLength = K * K * N;

    /// <summary>(ρ, σ) = SHA-512(d); t̂ = Â ∘ ŝ + ê. Writes pk = Encode12(t̂) ‖ ρ and sk = Encode12(ŝ).</summary>
    [SkipLocalsInit]
    public static void GenerateKeyPair<TArith>(ReadOnlySpan<byte> d, Span<byte> publicKey, Span<byte> secretKey)
        where TArith : struct, IKyberArithmetic
    {
        Span<byte> seeds = stackalloc byte[2 * SymBytes];
        Span<short> work = stackalloc short[MatrixLength + (3 * PolyVecLength)];
        try
        {
            SHA512.HashData(d, seeds);
            ReadOnlySpan<byte> rho = seeds[..SymBytes];
            ReadOnlySpan<byte> sigma = seeds[SymBytes..];

            Span<short> a = work[..MatrixLength];
            Span<short> noise = work.Slice(MatrixLength, 2 * PolyVecLength); // ŝ then ê: PRF nonces 0..5
            Span<short> s = noise[..PolyVecLength];
            Span<short> e = noise[PolyVecLength..];
            Span<short> t = work.Slice(MatrixLength + (2 * PolyVecLength), PolyVecLength);

            KyberSampling.ExpandMatrix<TArith>(rho, transposed: false, a);
            KyberSampling.SampleNoise<TArith>(sigma, 0, noise);
            for (int i = 0; i < 2 * K; i++)
            {
                TArith.Ntt(noise.Slice(i * N, N));
            }

            for (int i = 0; i < K; i++)
            {
                Span<short> ti = t.Slice(i * N, N);
                TArith.BaseMulAccumulate(ti, a.Slice(i * PolyVecLength, PolyVecLength), s);
                TArith.ToMont(ti);
            }

            TArith.Add(t, e, t);
            TArith.Reduce(t);

            TArith.PolyVecToBytes(t, publicKey[..PolyVecBytes]);
            rho.CopyTo(publicKey[PolyVecBytes..PublicKeySize]);
            TArith.PolyVecToBytes(s, secretKey[..PolyVecBytes]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seeds);
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(work));
        }
    }

    /// <summary>c = (Compress10(Aᵀr + e1), Compress4(t̂ᵀr + e2 + Decompress1(m))) with noise from PRF(coins, 0..6).</summary>
    [SkipLocalsInit]
    public static void Encrypt<TArith>(
        ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> coins, Span<byte> ciphertext)
        where TArith : struct, IKyberArithmetic
    {
        Span<short> work = stackalloc short[MatrixLength + (5 * PolyVecLength) + (3 * N)];
        try
        {
            Span<short> at = work[..MatrixLength];
            int o = MatrixLength;
            Span<short> pkpv = work.Slice(o, PolyVecLength);
            o += PolyVecLength;
            Span<short> noise = work.Slice(o, (2 * PolyVecLength) + N); // r, e1, e2: PRF nonces 0..6
            Span<short> r = noise[..PolyVecLength];
            Span<short> e1 = noise.Slice(PolyVecLength, PolyVecLength);
            Span<short> e2 = noise.Slice(2 * PolyVecLength, N);
            o += (2 * PolyVecLength) + N;
            Span<short> u = work.Slice(o, PolyVecLength);
            o += PolyVecLength;
            Span<short> v = work.Slice(o, N);
            o += N;
            Span<short> k = work.Slice(o, N);

            TArith.PolyVecFromBytes(publicKey[..PolyVecBytes], pkpv);
            KyberEncoding.PolyFromMessage(message, k);
            KyberSampling.ExpandMatrix<TArith>(publicKey.Slice(PolyVecBytes, SymBytes), transposed: true, at);
            KyberSampling.SampleNoise<TArith>(coins, 0, noise);

            for (int i = 0; i < K; i++)
            {
                TArith.Ntt(r.Slice(i * N, N));
            }

            for (int i = 0; i < K; i++)
            {
                TArith.BaseMulAccumulate(u.Slice(i * N, N), at.Slice(i * PolyVecLength, PolyVecLength), r);
            }

            TArith.BaseMulAccumulate(v, pkpv, r);
            for (int i = 0; i < K; i++)
            {
                TArith.InverseNttToMont(u.Slice(i * N, N));
            }

            TArith.InverseNttToMont(v);
            TArith.Add(u, e1, u);
            TArith.Add(v, e2, v);
            TArith.Add(v, k, v);
            TArith.Reduce(u);
            TArith.Reduce(v);

            TArith.PolyVecCompress(u, ciphertext[..PolyVecCompressedBytes]);
            TArith.PolyCompress(v, ciphertext.Slice(PolyVecCompressedBytes, PolyCompressedBytes));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(work));
        }
    }

    /// <summary>m = Compress1(v - ŝᵀ NTT(u)).</summary>
    [SkipLocalsInit]
    public static void Decrypt<TArith>(ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> ciphertext, Span<byte> message)
        where TArith : struct, IKyberArithmetic
    {
        Span<short> work = stackalloc short[(2 * PolyVecLength) + (2 * N)];
        try
        {
            Span<short> u = work[..PolyVecLength];
            Span<short> s = work.Slice(PolyVecLength, PolyVecLength);
            Span<short> v = work.Slice(2 * PolyVecLength, N);
            Span<short> mp = work.Slice((2 * PolyVecLength) + N, N);

            TArith.PolyVecDecompress(ciphertext[..PolyVecCompressedBytes], u);
            KyberEncoding.PolyDecompress(ciphertext.Slice(PolyVecCompressedBytes, PolyCompressedBytes), v);
            TArith.PolyVecFromBytes(secretKey[..PolyVecBytes], s);

            for (int i = 0; i < K; i++)
            {
                TArith.Ntt(u.Slice(i * N, N));
            }

            TArith.BaseMulAccumulate(mp, s, u);
            TArith.InverseNttToMont(mp);
            TArith.Subtract(v, mp, mp);
            TArith.Reduce(mp);
            TArith.PolyToMessage(mp, message[..SymBytes]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(work));
        }
    }
}
