// Bit packing of Dilithium round 3 (v3.1, mode 3) polynomials and of the signature hint, little-endian bit order as
// in the round-3 specification: t1 10 bits, t0 13 bits (2^12 - a), η = 4 as 4 bits (4 - a), z 20 bits (γ1 - a),
// w1 4 bits. Public key 1952 = 32 + 6·320, secret key 4000 = 3·32 + 5·128 + 6·128 + 6·416,
// signature 3293 = 32 + 5·640 + (55 + 6).
// Constant-time: s1, s2, t0 (secret key) and z (before it is accepted) go through PackBits/UnpackBits, whose loops
// depend only on the bit width. The hint is public (it is part of the signature), so its codec may branch.
namespace Coffer.Crypto.PostQuantum.Dilithium;

internal static class PolyPacking
{
    private const int N = PolyArithmetic.N;

    public const int T1Bytes = 320;
    public const int T0Bytes = 416;
    public const int EtaBytes = 128;
    public const int ZBytes = 640;
    public const int W1Bytes = 128;

    public static void PackT1(ReadOnlySpan<int> a, Span<byte> output) => PackBits(a, 10, 0, 1, output[..T1Bytes]);

    public static void UnpackT1(ReadOnlySpan<byte> input, Span<int> a)
    {
        // Every verification unpacks six of these: four 10-bit values per 5 bytes, spelled out.
        input = input[..T1Bytes];
        a = a[..N];
        for (int i = 0; i < N / 4; i++)
        {
            ReadOnlySpan<byte> b = input.Slice(5 * i, 5);
            a[4 * i] = b[0] | ((b[1] & 0x03) << 8);
            a[(4 * i) + 1] = (b[1] >> 2) | ((b[2] & 0x0F) << 6);
            a[(4 * i) + 2] = (b[2] >> 4) | ((b[3] & 0x3F) << 4);
            a[(4 * i) + 3] = (b[3] >> 6) | (b[4] << 2);
        }
    }

    /// <summary>The generic form of UnpackT1, kept for the tests that compare the two.</summary>
    internal static void UnpackT1Bitwise(ReadOnlySpan<byte> input, Span<int> a) => UnpackBits(input[..T1Bytes], 10, 0, 1, a);

    public static void PackT0(ReadOnlySpan<int> a, Span<byte> output) =>
        PackBits(a, 13, 1 << (Dilithium3Aes.D - 1), -1, output[..T0Bytes]);

    public static void UnpackT0(ReadOnlySpan<byte> input, Span<int> a) =>
        UnpackBits(input[..T0Bytes], 13, 1 << (Dilithium3Aes.D - 1), -1, a);

    public static void PackEta(ReadOnlySpan<int> a, Span<byte> output) =>
        PackBits(a, 4, Dilithium3Aes.Eta, -1, output[..EtaBytes]);

    public static void UnpackEta(ReadOnlySpan<byte> input, Span<int> a) =>
        UnpackBits(input[..EtaBytes], 4, Dilithium3Aes.Eta, -1, a);

    public static void PackZ(ReadOnlySpan<int> a, Span<byte> output) =>
        PackBits(a, 20, Dilithium3Aes.Gamma1, -1, output[..ZBytes]);

    public static void UnpackZ(ReadOnlySpan<byte> input, Span<int> a)
    {
        // The mask y is unpacked this way on every signing attempt, so the 20-bit case is spelled out:
        // two coefficients per 5 bytes. Same result as UnpackBits(input, 20, γ1, -1, a).
        input = input[..ZBytes];
        a = a[..N];
        for (int i = 0; i < N / 2; i++)
        {
            ReadOnlySpan<byte> b = input.Slice(5 * i, 5);
            int even = b[0] | (b[1] << 8) | ((b[2] & 0x0F) << 16);
            int odd = (b[2] >> 4) | (b[3] << 4) | (b[4] << 12);
            a[2 * i] = Dilithium3Aes.Gamma1 - even;
            a[(2 * i) + 1] = Dilithium3Aes.Gamma1 - odd;
        }
    }

    /// <summary>The generic form of UnpackZ, kept for the tests that compare the two.</summary>
    internal static void UnpackZBitwise(ReadOnlySpan<byte> input, Span<int> a) =>
        UnpackBits(input[..ZBytes], 20, Dilithium3Aes.Gamma1, -1, a);

    /// <summary>w1 (values in [0, 16)), two per byte, low nibble first; any number of polynomials.</summary>
    public static void PackW1(ReadOnlySpan<int> w1, Span<byte> output)
    {
        output = output[..(w1.Length / 2)];
        for (int i = 0; i < output.Length; i++)
        {
            output[i] = (byte)(w1[2 * i] | (w1[(2 * i) + 1] << 4));
        }
    }

    /// <summary>
    /// Writes the hint (K polynomials with 0/1 coefficients, at most ω ones) as ω positions followed by K running
    /// counts. The caller has checked the count.
    /// </summary>
    public static void PackHint(ReadOnlySpan<int> hint, Span<byte> output)
    {
        output = output[..(Dilithium3Aes.Omega + Dilithium3Aes.K)];
        output.Clear();
        int count = 0;
        for (int i = 0; i < Dilithium3Aes.K; i++)
        {
            for (int j = 0; j < N; j++)
            {
                if (hint[(i * N) + j] != 0)
                {
                    output[count++] = (byte)j;
                }
            }

            output[Dilithium3Aes.Omega + i] = (byte)count;
        }
    }

    /// <summary>
    /// Reads a hint, rejecting every encoding but the canonical one (strong unforgeability, as the reference
    /// unpack_sig): running counts non-decreasing and ≤ ω, positions strictly increasing per polynomial, unused
    /// position bytes zero.
    /// </summary>
    public static bool TryUnpackHint(ReadOnlySpan<byte> input, Span<int> hint)
    {
        input = input[..(Dilithium3Aes.Omega + Dilithium3Aes.K)];
        hint = hint[..(Dilithium3Aes.K * N)];
        hint.Clear();
        int previous = 0;
        for (int i = 0; i < Dilithium3Aes.K; i++)
        {
            int end = input[Dilithium3Aes.Omega + i];
            if (end < previous || end > Dilithium3Aes.Omega)
            {
                return false;
            }

            for (int j = previous; j < end; j++)
            {
                if (j > previous && input[j] <= input[j - 1])
                {
                    return false;
                }

                hint[(i * N) + input[j]] = 1;
            }

            previous = end;
        }

        for (int j = previous; j < Dilithium3Aes.Omega; j++)
        {
            if (input[j] != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Stores bias + sign·a[i] in <paramref name="bits"/> bits each, little-endian, for all of a.</summary>
    private static void PackBits(ReadOnlySpan<int> a, int bits, int bias, int sign, Span<byte> output)
    {
        a = a[..N];
        ulong buffer = 0;
        int buffered = 0;
        int o = 0;
        for (int i = 0; i < N; i++)
        {
            buffer |= (ulong)(uint)(bias + (sign * a[i])) << buffered;
            buffered += bits;
            while (buffered >= 8)
            {
                output[o++] = (byte)buffer;
                buffer >>= 8;
                buffered -= 8;
            }
        }
    }

    /// <summary>Inverse of PackBits: a[i] = sign·(field - bias).</summary>
    private static void UnpackBits(ReadOnlySpan<byte> input, int bits, int bias, int sign, Span<int> a)
    {
        a = a[..N];
        uint mask = (1u << bits) - 1;
        ulong buffer = 0;
        int buffered = 0;
        int o = 0;
        for (int i = 0; i < N; i++)
        {
            while (buffered < bits)
            {
                buffer |= (ulong)input[o++] << buffered;
                buffered += 8;
            }

            a[i] = sign * ((int)((uint)buffer & mask) - bias);
            buffer >>= bits;
            buffered -= bits;
        }
    }
}
