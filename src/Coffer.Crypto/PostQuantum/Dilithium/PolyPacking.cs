// Bit packing of Dilithium round 3 (v3.1, mode 3) polynomials and of the signature hint, little-endian bit order as
// in the round-3 specification: t1 10 bits, t0 13 bits (2^12 - a), η = 4 as 4 bits (4 - a), z 20 bits (γ1 - a),
// w1 4 bits. Public key 1952 = 32 + 6·320, secret key 4000 = 3·32 + 5·128 + 6·128 + 6·416,
// signature 3293 = 32 + 5·640 + (55 + 6).
// Constant-time: s1, s2, t0 (secret key) and z (before it is accepted) go through PackBits/UnpackBits, whose loops
// depend only on the bit width. The hint is public (it is part of the signature), so its codec may branch.
using System.Runtime.CompilerServices;

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

    public static void UnpackT1(ReadOnlySpan<byte> input, Span<int> a) => UnpackBits(input[..T1Bytes], 10, 0, 1, a);

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

    public static void UnpackZ(ReadOnlySpan<byte> input, Span<int> a) =>
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Hint(int low, int high)
    {
        // 1 iff low > γ2, low < -γ2, or low = -γ2 with high ≠ 0 (round-3 MakeHint on the centred low part),
        // computed from sign bits so that no branch depends on the secret-derived low part.
        int gamma2 = Dilithium3Aes.Gamma2;
        int above = (int)((uint)(gamma2 - low) >> 31);
        int below = (int)((uint)(low + gamma2) >> 31);
        int atNegative = 1 ^ (int)((uint)((low + gamma2) | -(low + gamma2)) >> 31);
        int highNonZero = (int)((uint)(high | -high) >> 31);
        return above | below | (atNegative & highNonZero);
    }
}
