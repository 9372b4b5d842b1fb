// Kyber768 round 3 (spec v3.02, "90s" variant): the AES-256-CTR XOF and PRF.
// XOF(ρ, x, y): key ρ, 12-byte nonce x ‖ y ‖ 0^10; A[i][j] = XOF(ρ, j, i), and the transpose uses (i, j).
// PRF(σ, N): key σ, nonce N ‖ 0^11, 128 bytes per η = 2 polynomial. AES is the BCL's (Primitives/Aes256Ctr); each
// BCL call costs an OpenSSL context, so the first 512 bytes of all nine matrix entries, and all noise
// polynomials, are each produced by one batched call.
// Constant-time: the PRF key and output are secret and only pass through AES and the branch-free CBD; the matrix
// is public (derived from ρ, which is in the public key), so its rejection sampling may branch.
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Coffer.Crypto.Primitives;
using static Coffer.Crypto.PostQuantum.Kyber.KyberMath;

namespace Coffer.Crypto.PostQuantum.Kyber;

internal static class KyberSampling
{
    // The reference squeezes 8 blocks of 64 bytes first (enough for 256 coefficients with probability ≈ 0.997),
    // then 64 bytes at a time, carrying the bytes of an incomplete triple over. The result depends only on the
    // keystream, so any chunking that parses it in consecutive triples gives the same matrix.
    private const int FirstChunk = 512;
    private const int NextChunk = 64;
    private const int NoiseBytes = 128;

    /// <summary>Fills K·K polynomials (row-major) with A, or with Aᵀ when <paramref name="transposed"/>.</summary>
    [SkipLocalsInit]
    public static void ExpandMatrix<TArith>(ReadOnlySpan<byte> rho, bool transposed, Span<short> matrix)
        where TArith : struct, IKyberArithmetic
    {
        using var xof = new Aes256Ctr(rho);
        Span<byte> nonces = stackalloc byte[K * K * Aes256Ctr.NonceSize];
        nonces.Clear();
        for (int i = 0; i < K; i++)
        {
            for (int j = 0; j < K; j++)
            {
                Span<byte> nonce = nonces.Slice(((i * K) + j) * Aes256Ctr.NonceSize, Aes256Ctr.NonceSize);
                nonce[0] = (byte)(transposed ? i : j);
                nonce[1] = (byte)(transposed ? j : i);
            }
        }

        Span<byte> first = stackalloc byte[K * K * FirstChunk];
        xof.KeystreamMany(nonces, 0, first);

        Span<byte> buf = stackalloc byte[NextChunk + 2];
        for (int entry = 0; entry < K * K; entry++)
        {
            Span<short> poly = matrix.Slice(entry * N, N);
            ReadOnlySpan<byte> stream = first.Slice(entry * FirstChunk, FirstChunk);
            int usable = FirstChunk - (FirstChunk % 3);
            int count = TArith.RejectUniform(poly, 0, stream[..usable]);
            int carried = FirstChunk - usable;
            stream[usable..].CopyTo(buf);
            uint block = FirstChunk / Aes256Ctr.BlockSize;
            while (count < N)
            {
                // Rare (p ≈ 0.003): continue this entry's stream 64 bytes at a time.
                xof.Keystream(nonces.Slice(entry * Aes256Ctr.NonceSize, Aes256Ctr.NonceSize), block, buf.Slice(carried, NextChunk));
                block += NextChunk / Aes256Ctr.BlockSize;
                int length = carried + NextChunk;
                usable = length - (length % 3);
                count = TArith.RejectUniform(poly, count, buf[..usable]);
                carried = length - usable;
                buf.Slice(usable, carried).CopyTo(buf);
            }
        }
    }

    /// <summary>Samples consecutive η = 2 noise polynomials with PRF nonces firstNonce, firstNonce + 1, ….</summary>
    [SkipLocalsInit]
    public static void SampleNoise<TArith>(ReadOnlySpan<byte> seed, byte firstNonce, Span<short> polys)
        where TArith : struct, IKyberArithmetic
    {
        int count = polys.Length / N;
        Span<byte> nonces = stackalloc byte[2 * K * Aes256Ctr.NonceSize + Aes256Ctr.NonceSize];
        nonces = nonces[..(count * Aes256Ctr.NonceSize)];
        nonces.Clear();
        for (int p = 0; p < count; p++)
        {
            nonces[p * Aes256Ctr.NonceSize] = (byte)(firstNonce + p);
        }

        Span<byte> stream = stackalloc byte[(2 * K + 1) * NoiseBytes];
        stream = stream[..(count * NoiseBytes)];
        try
        {
            using var prf = new Aes256Ctr(seed);
            prf.KeystreamMany(nonces, 0, stream);
            for (int p = 0; p < count; p++)
            {
                TArith.Cbd2(stream.Slice(p * NoiseBytes, NoiseBytes), polys.Slice(p * N, N));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(stream);
        }
    }
}
