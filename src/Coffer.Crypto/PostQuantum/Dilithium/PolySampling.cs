// Sampling for Dilithium round 3 (v3.1, mode 3), AES variant: ExpandA, the η = 4 secrets and the γ1 = 2^19 mask y
// read AES-256-CTR keystreams (key = the first 32 bytes of the seed, 12-byte nonce = LE16(stream nonce) ‖ 10 zero
// bytes, 32-bit big-endian block counter from 0); SampleInBall reads SHAKE-256(c̃).
// Constant-time: the η sampler (secret s1, s2) and the y sampler write every candidate branch-free; only the number
// of rejected candidates (independent of the accepted values, as in the reference) decides whether more keystream
// is read. ExpandA and SampleInBall work on public data and may branch.
using System.Buffers.Binary;
using System.Security.Cryptography;
using Coffer.Crypto.Primitives;

namespace Coffer.Crypto.PostQuantum.Dilithium;

internal static class PolySampling
{
    private const int N = PolyArithmetic.N;
    private const int Q = PolyArithmetic.Q;
    private const int BlockSize = Aes256Ctr.BlockSize;

    // 768 bytes = 256 three-byte candidates; about 0.1 % are rejected, so usually a few more blocks follow.
    private const int UniformFirstBytes = 768;
    private const int UniformMoreBytes = 96;

    // 256 bytes = 512 four-bit candidates, 9/16 of which are accepted (288 expected): about 0.2 % of polynomials
    // need another 64 bytes.
    private const int EtaFirstBytes = 256;
    private const int EtaMoreBytes = 64;

    private const int ShakeRate = 136;

    /// <summary>Â (K·L polynomials, row-major, NTT domain) from ρ; entry (i, j) uses nonce 256·i + j.</summary>
    public static void ExpandMatrix(ReadOnlySpan<byte> rho, Span<int> matrix)
    {
        using var aes = new Aes256Ctr(rho[..32]);
        Span<byte> nonce = stackalloc byte[Aes256Ctr.NonceSize];
        Span<byte> stream = stackalloc byte[UniformFirstBytes];
        for (int i = 0; i < Dilithium3Aes.K; i++)
        {
            for (int j = 0; j < Dilithium3Aes.L; j++)
            {
                Span<int> poly = matrix.Slice(((i * Dilithium3Aes.L) + j) * N, N);
                SetNonce(nonce, (ushort)((i << 8) + j));
                aes.Keystream(nonce, 0, stream);
                int count = RejectUniform(stream, poly, 0);
                uint block = UniformFirstBytes / BlockSize;
                while (count < N)
                {
                    Span<byte> more = stream[..UniformMoreBytes];
                    aes.Keystream(nonce, block, more);
                    block += UniformMoreBytes / BlockSize;
                    count = RejectUniform(more, poly, count);
                }
            }
        }
    }

    /// <summary>One polynomial with coefficients uniform in [-η, η], from the keystream with the given nonce.</summary>
    public static void UniformEta(Aes256Ctr aes, ushort streamNonce, Span<int> poly)
    {
        Span<byte> nonce = stackalloc byte[Aes256Ctr.NonceSize];
        Span<byte> stream = stackalloc byte[EtaFirstBytes];
        try
        {
            SetNonce(nonce, streamNonce);
            aes.Keystream(nonce, 0, stream);
            int count = RejectEta(stream, poly, 0);
            uint block = EtaFirstBytes / BlockSize;
            while (count < N)
            {
                Span<byte> more = stream[..EtaMoreBytes];
                aes.Keystream(nonce, block, more);
                block += EtaMoreBytes / BlockSize;
                count = RejectEta(more, poly, count);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(stream);
        }
    }

    /// <summary>One polynomial with coefficients in (-γ1, γ1] (the mask y), from 640 keystream bytes.</summary>
    public static void UniformGamma1(Aes256Ctr aes, ushort streamNonce, Span<int> poly)
    {
        Span<byte> nonce = stackalloc byte[Aes256Ctr.NonceSize];
        Span<byte> stream = stackalloc byte[PolyPacking.ZBytes];
        try
        {
            SetNonce(nonce, streamNonce);
            aes.Keystream(nonce, 0, stream);
            PolyPacking.UnpackZ(stream, poly);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(stream);
        }
    }

    /// <summary>SampleInBall: τ = 49 coefficients ±1, the rest 0, from SHAKE-256(c̃). c̃ is public.</summary>
    public static void Challenge(ReadOnlySpan<byte> cTilde, Span<int> poly)
    {
        // One squeeze block almost always suffices (8 sign bytes + ~62 position bytes on average); the stream is
        // prefix-stable, so when it runs out a longer one is computed and reading continues where it stopped.
        byte[]? longer = null;
        Span<byte> stream = stackalloc byte[ShakeRate];
        Shake256.HashData(cTilde, stream);
        ulong signs = BinaryPrimitives.ReadUInt64LittleEndian(stream);
        int position = 8;
        poly = poly[..N];
        poly.Clear();
        for (int i = N - Dilithium3Aes.Tau; i < N; i++)
        {
            int b;
            do
            {
                if (position >= stream.Length)
                {
                    longer = new byte[stream.Length + ShakeRate];
                    Shake256.HashData(cTilde, longer);
                    stream = longer;
                }

                b = stream[position++];
            }
            while (b > i);

            poly[i] = poly[b];
            poly[b] = 1 - (2 * (int)(signs & 1));
            signs >>= 1;
        }
    }

    private static void SetNonce(Span<byte> nonce, ushort value)
    {
        nonce.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(nonce, value);
    }

    private static int RejectUniform(ReadOnlySpan<byte> stream, Span<int> poly, int count)
    {
        for (int i = 0; i + 3 <= stream.Length && count < N; i += 3)
        {
            int t = (stream[i] | (stream[i + 1] << 8) | (stream[i + 2] << 16)) & 0x7FFFFF;
            if (t < Q)
            {
                poly[count++] = t;
            }
        }

        return count;
    }

    private static int RejectEta(ReadOnlySpan<byte> stream, Span<int> poly, int count)
    {
        // Each nibble t < 9 becomes η - t. Every candidate is written (masked) to the next free slot, so the
        // instruction and memory trace depend only on how many candidates were accepted so far.
        for (int i = 0; i < stream.Length; i++)
        {
            count = TakeEta(stream[i] & 15, poly, count);
            count = TakeEta(stream[i] >> 4, poly, count);
        }

        return count;
    }

    private static int TakeEta(int t, Span<int> poly, int count)
    {
        // accept = -1 iff t < 9 and count < N, else 0.
        int accept = ((t - 9) >> 31) & ((count - N) >> 31);
        int slot = count - (count >> 8);   // count = N (full) maps to N - 1, whose value accept = 0 keeps
        poly[slot] = (poly[slot] & ~accept) | ((Dilithium3Aes.Eta - t) & accept);
        return count - accept;
    }
}
