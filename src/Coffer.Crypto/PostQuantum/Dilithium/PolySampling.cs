// Sampling for Dilithium round 3 (v3.1, mode 3), AES variant: ExpandA, the η = 4 secrets and the γ1 = 2^19 mask y
// read AES-256-CTR keystreams (key = the first 32 bytes of the seed, 12-byte nonce = LE16(stream nonce) ‖ 10 zero
// bytes, 32-bit big-endian block counter from 0), all streams of one vector in one batch; SampleInBall reads
// SHAKE-256(c̃).
// Constant-time: the η sampler (secret s1, s2) and the y sampler write every candidate branch-free; only the number
// of rejected candidates (independent of the accepted values, as in the reference) decides whether more keystream
// is read. SampleInBall places the ±1 by masked scans, because the challenges of rejected attempts stay secret; it
// branches only when skipping position bytes, as the reference does. ExpandA works on public data and may branch.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;
using Coffer.Crypto.Primitives;

namespace Coffer.Crypto.PostQuantum.Dilithium;

internal static class PolySampling
{
    private const int N = PolyArithmetic.N;
    private const int Q = PolyArithmetic.Q;
    private const int BlockSize = Aes256Ctr.BlockSize;

    // 816 bytes = 272 three-byte candidates for 256 coefficients; a candidate is rejected with probability ~0.1 %,
    // so reading on (96 bytes at a time, still whole candidates) is almost never needed.
    private const int UniformFirstBytes = 816;
    private const int UniformMoreBytes = 96;

    // 272 bytes = 544 four-bit candidates, 9/16 accepted (306 expected) for 256 coefficients: reading on is rare.
    private const int EtaFirstBytes = 272;
    private const int EtaMoreBytes = 64;

    private const int ShakeRate = 136;

    /// <summary>Â (K·L polynomials, row-major, NTT domain) from ρ; entry (i, j) uses nonce 256·i + j.</summary>
    [SkipLocalsInit]
    public static void ExpandMatrix(PolyArithmetic arithmetic, ReadOnlySpan<byte> rho, Span<int> matrix)
    {
        const int Count = Dilithium3Aes.K * Dilithium3Aes.L;
        Span<byte> nonces = stackalloc byte[(Count) * Aes256Ctr.NonceSize];
        for (int i = 0; i < Dilithium3Aes.K; i++)
        {
            for (int j = 0; j < Dilithium3Aes.L; j++)
            {
                Aes256Ctr.WriteStreamNonce((ushort)((i << 8) + j), nonces.Slice(((i * Dilithium3Aes.L) + j) * Aes256Ctr.NonceSize));
            }
        }

        Span<byte> stream = stackalloc byte[Count * UniformFirstBytes];
        using var aes = new Aes256Ctr(rho);
        aes.KeystreamMany(nonces, 0, stream);
        for (int p = 0; p < Count; p++)
        {
            Span<int> poly = matrix.Slice(p * N, N);
            int count = arithmetic.RejectUniform(stream.Slice(p * UniformFirstBytes, UniformFirstBytes), poly, 0);
            uint block = UniformFirstBytes / BlockSize;
            while (count < N)
            {
                Span<byte> more = stream[..UniformMoreBytes];
                aes.Keystream(nonces.Slice(p * Aes256Ctr.NonceSize, Aes256Ctr.NonceSize), block, more);
                block += UniformMoreBytes / BlockSize;
                count = arithmetic.RejectUniform(more, poly, count);
            }
        }
    }

    /// <summary>
    /// s1 (L polynomials, nonces 0…L-1) and s2 (K polynomials, nonces L…L+K-1) with coefficients uniform in
    /// [-η, η], from the keystreams under ρ′.
    /// </summary>
    [SkipLocalsInit]
    public static void SampleSecrets(ReadOnlySpan<byte> rhoPrime, Span<int> s1, Span<int> s2)
    {
        const int Count = Dilithium3Aes.L + Dilithium3Aes.K;
        Span<byte> nonces = stackalloc byte[(Count) * Aes256Ctr.NonceSize];
        for (int i = 0; i < Count; i++)
        {
            Aes256Ctr.WriteStreamNonce((ushort)i, nonces.Slice(i * Aes256Ctr.NonceSize));
        }

        Span<byte> stream = stackalloc byte[Count * EtaFirstBytes];
        try
        {
            using var aes = new Aes256Ctr(rhoPrime[..Aes256Ctr.KeySize]);
            aes.KeystreamMany(nonces, 0, stream);
            for (int p = 0; p < Count; p++)
            {
                Span<int> poly = p < Dilithium3Aes.L ? s1.Slice(p * N, N) : s2.Slice((p - Dilithium3Aes.L) * N, N);
                int count = RejectEta(stream.Slice(p * EtaFirstBytes, EtaFirstBytes), poly, 0);
                uint block = EtaFirstBytes / BlockSize;
                while (count < N)
                {
                    Span<byte> more = stream[..EtaMoreBytes];
                    aes.Keystream(nonces.Slice(p * Aes256Ctr.NonceSize, Aes256Ctr.NonceSize), block, more);
                    block += EtaMoreBytes / BlockSize;
                    count = RejectEta(more, poly, count);
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(stream);
        }
    }

    /// <summary>The mask y (L polynomials, coefficients in (-γ1, γ1]) for attempt κ: nonces L·κ + i.</summary>
    [SkipLocalsInit]
    public static void SampleMask(Aes256Ctr aes, ushort attempt, Span<int> y)
    {
        Span<byte> nonces = stackalloc byte[(Dilithium3Aes.L) * Aes256Ctr.NonceSize];
        for (int i = 0; i < Dilithium3Aes.L; i++)
        {
            Aes256Ctr.WriteStreamNonce((ushort)((Dilithium3Aes.L * attempt) + i), nonces.Slice(i * Aes256Ctr.NonceSize));
        }

        Span<byte> stream = stackalloc byte[Dilithium3Aes.L * PolyPacking.ZBytes];
        try
        {
            aes.KeystreamMany(nonces, 0, stream);
            for (int i = 0; i < Dilithium3Aes.L; i++)
            {
                PolyPacking.UnpackZ(stream[(i * PolyPacking.ZBytes)..], y.Slice(i * N, N));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(stream);
        }
    }

    /// <summary>
    /// SampleInBall: τ = 49 coefficients ±1, the rest 0, from SHAKE-256(c̃). The challenge of a rejected signing
    /// attempt is never published, so the positions are handled without memory indexing by them: the swap
    /// "c[i] = c[b]; c[b] = ±1" is a masked scan over c[0..i]. Skipping position bytes above i (a rejection of
    /// discarded bytes) stays a branch, as in the reference.
    /// </summary>
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
        ref int c = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(poly);
        Vector256<int> laneIndex = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
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

            int sign = 1 - (2 * (int)(signs & 1));
            signs >>= 1;

            // old = c[b]; c[b] = sign; c[i] = (b == i) ? sign : old — over the vectors covering 0..i.
            Vector256<int> target = Vector256.Create(b);
            Vector256<int> signVector = Vector256.Create(sign);
            Vector256<int> old = Vector256<int>.Zero;
            int vectors = (i / 8) + 1;
            for (int v = 0; v < vectors; v++)
            {
                Vector256<int> current = Vector256.LoadUnsafe(ref c, (nuint)(8 * v));
                Vector256<int> hit = Vector256.Equals(laneIndex + Vector256.Create(8 * v), target);
                old |= current & hit;
                Vector256.ConditionalSelect(hit, signVector, current).StoreUnsafe(ref c, (nuint)(8 * v));
            }

            // Before this step c[i] was 0 (only positions below i were touched). If b == i it now holds the sign and
            // old is 0; otherwise it is still 0 and takes old = the previous c[b]. Either way: c[i] |= old.
            poly[i] |= Vector256.Sum(old);
        }
    }

    private static int RejectEta(ReadOnlySpan<byte> stream, Span<int> poly, int count)
    {
        // Each nibble t < 9 becomes η - t. Every candidate is written to the next free slot of a buffer with one
        // spare slot, and the count advances by the (masked) acceptance bit, so the instruction and memory trace
        // depend only on how many candidates were accepted so far — never on a coefficient value.
        Span<int> slots = stackalloc int[N + 1];
        poly[..count].CopyTo(slots);
        for (int i = 0; i < stream.Length; i++)
        {
            count = TakeEta(stream[i] & 15, slots, count);
            count = TakeEta(stream[i] >> 4, slots, count);
        }

        slots[..N].CopyTo(poly);
        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(slots));
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TakeEta(int t, Span<int> slots, int count)
    {
        slots[count] = Dilithium3Aes.Eta - t;

        // -1 iff t < 9 and the polynomial is not yet full (count stays ≤ N, slot N is the spare).
        int accept = ((t - 9) >> 31) & ((count - N) >> 31);
        return count - accept;
    }
}
