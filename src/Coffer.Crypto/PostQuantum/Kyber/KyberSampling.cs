// Kyber768 round 3 (spec v3.02, "90s" variant): the AES-256-CTR XOF and PRF.
// XOF(ρ, x, y): key ρ, 12-byte nonce x ‖ y ‖ 0^10; A[i][j] = XOF(ρ, j, i), and the transpose uses (i, j).
// PRF(σ, N): key σ, nonce N ‖ 0^11, 128 bytes per η = 2 polynomial. The keystream comes from AES-NI
// (AesNiCtr) or from the BCL (Primitives/Aes256Ctr); both have the same counter layout.
// Constant-time: the PRF key and output are secret and only pass through AES and the branch-free CBD; the matrix
// is public (derived from ρ, which is in the public key), so its rejection sampling may branch.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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

    private interface IKeystream
    {
        void Keystream(ReadOnlySpan<byte> nonce, uint firstBlock, Span<byte> output);
    }

    /// <summary>Fills K·K polynomials (row-major) with A, or with Aᵀ when <paramref name="transposed"/>.</summary>
    public static void ExpandMatrix<TArith>(ReadOnlySpan<byte> rho, bool transposed, Span<short> matrix)
        where TArith : struct, IKyberArithmetic
    {
        if (TArith.HardwareAes)
        {
            var stream = new HardwareKeystream(rho);
            try
            {
                ExpandMatrix<TArith, HardwareKeystream>(ref stream, transposed, matrix);
            }
            finally
            {
                stream.Clear();
            }
        }
        else
        {
            using var ctr = new Aes256Ctr(rho);
            var stream = new BclKeystream(ctr);
            ExpandMatrix<TArith, BclKeystream>(ref stream, transposed, matrix);
        }
    }

    /// <summary>Samples consecutive η = 2 noise polynomials with PRF nonces firstNonce, firstNonce + 1, ….</summary>
    public static void SampleNoise<TArith>(ReadOnlySpan<byte> seed, byte firstNonce, Span<short> polys)
        where TArith : struct, IKyberArithmetic
    {
        if (TArith.HardwareAes)
        {
            var stream = new HardwareKeystream(seed);
            try
            {
                SampleNoise<TArith, HardwareKeystream>(ref stream, firstNonce, polys);
            }
            finally
            {
                stream.Clear();
            }
        }
        else
        {
            using var ctr = new Aes256Ctr(seed);
            var stream = new BclKeystream(ctr);
            SampleNoise<TArith, BclKeystream>(ref stream, firstNonce, polys);
        }
    }

    [SkipLocalsInit]
    private static void ExpandMatrix<TArith, TStream>(ref TStream xof, bool transposed, Span<short> matrix)
        where TArith : struct, IKyberArithmetic
        where TStream : struct, IKeystream
    {
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
                    count = TArith.RejectUniform(poly, count, buf[..usable]);
                    carried = length - usable;
                    buf.Slice(usable, carried).CopyTo(buf);
                    chunk = NextChunk;
                }
            }
        }
    }

    [SkipLocalsInit]
    private static void SampleNoise<TArith, TStream>(ref TStream prf, byte firstNonce, Span<short> polys)
        where TArith : struct, IKyberArithmetic
        where TStream : struct, IKeystream
    {
        Span<byte> nonce = stackalloc byte[Aes256Ctr.NonceSize];
        nonce.Clear();
        Span<byte> buf = stackalloc byte[NoiseBytes];
        try
        {
            for (int p = 0; p < polys.Length / N; p++)
            {
                nonce[0] = (byte)(firstNonce + p);
                prf.Keystream(nonce, 0, buf);
                TArith.Cbd2(buf, polys.Slice(p * N, N));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buf);
        }
    }

    private readonly struct BclKeystream(Aes256Ctr ctr) : IKeystream
    {
        public void Keystream(ReadOnlySpan<byte> nonce, uint firstBlock, Span<byte> output)
            => ctr.Keystream(nonce, firstBlock, output);
    }

    private struct HardwareKeystream : IKeystream
    {
        private Aes256RoundKeys _roundKeys;

        public HardwareKeystream(ReadOnlySpan<byte> key) => AesNiCtr.ExpandKey(key, ref _roundKeys);

        public readonly void Keystream(ReadOnlySpan<byte> nonce, uint firstBlock, Span<byte> output)
            => AesNiCtr.Keystream(in _roundKeys, nonce, firstBlock, output);

        /// <summary>Wipes the round keys (they determine the key).</summary>
        public void Clear()
        {
            Span<Vector128<byte>> keys = _roundKeys;
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(keys));
        }
    }
}
