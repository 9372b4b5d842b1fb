// Kyber768 round 3 (spec v3.02, "90s" variant): the AES-256-CTR XOF and PRF.
// XOF(ρ, x, y): key ρ, 12-byte nonce x ‖ y ‖ 0^10; A[i][j] = XOF(ρ, j, i), and the transpose uses (i, j).
// PRF(σ, N): key σ, nonce N ‖ 0^11, 128 bytes per η = 2 polynomial.
// Constant-time: the PRF key and output are secret and only pass through AES and the branch-free CBD; the matrix
// is public (derived from ρ, which is in the public key), so its rejection sampling may branch.
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
    public static void ExpandMatrix(ReadOnlySpan<byte> rho, bool transposed, Span<short> matrix)
    {
        using var xof = new Aes256Ctr(rho);
        Span<byte> nonce = stackalloc byte[Aes256Ctr.NonceSize];
        nonce.Clear();
        Span<byte> buf = stackalloc byte[FirstChunk + 2];
        for (int i = 0; i < K; i++)
        {
            for (int j = 0; j < K; j++)
            {
                nonce[0] = (byte)(transposed ? i : j);
                nonce[1] = (byte)(transposed ? j : i);
                Span<short> poly = matrix.Slice(((i * K) + j) * N, N);
                int count = 0, carried = 0, chunk = FirstChunk;
                uint block = 0;
                while (count < N)
                {
                    xof.Keystream(nonce, block, buf.Slice(carried, chunk));
                    block += (uint)(chunk / Aes256Ctr.BlockSize);
                    int length = carried + chunk;
                    int usable = length - (length % 3);
                    count = KyberEncoding.RejectUniform(poly, count, buf[..usable]);
                    carried = length - usable;
                    buf.Slice(usable, carried).CopyTo(buf);
                    chunk = NextChunk;
                }
            }
        }
    }

    /// <summary>Samples consecutive η = 2 noise polynomials with PRF nonces firstNonce, firstNonce + 1, ….</summary>
    public static void SampleNoise(ReadOnlySpan<byte> seed, byte firstNonce, Span<short> polys)
    {
        using var prf = new Aes256Ctr(seed);
        Span<byte> nonce = stackalloc byte[Aes256Ctr.NonceSize];
        nonce.Clear();
        Span<byte> buf = stackalloc byte[NoiseBytes];
        try
        {
            for (int p = 0; p < polys.Length / N; p++)
            {
                nonce[0] = (byte)(firstNonce + p);
                prf.Keystream(nonce, 0, buf);
                KyberEncoding.Cbd2(buf, polys.Slice(p * N, N));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buf);
        }
    }
}
