// Bit packing of Dilithium round 3 (v3.1, mode 3) polynomials and of the signature hint, little-endian bit order as
// in the round-3 specification: t1 10 bits, t0 13 bits (2^12 - a), η = 4 as 4 bits (4 - a), z 20 bits (γ1 - a),
// w1 4 bits. Public key 1952 = 32 + 6·320, secret key 4000 = 3·32 + 5·128 + 6·128 + 6·416,
// signature 3293 = 32 + 5·640 + (55 + 6).
// Constant-time: s1, s2, t0 (secret key) and y/z are packed and unpacked by straight-line shifts and masks whose
// loops depend only on the width. The hint is public (it is part of the signature), so its codec may branch.
using System.Buffers.Binary;
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

    // The fixed widths are spelled out (groups of whole bytes, read or written as little-endian words); the generic
    // PackBits/UnpackBits stay as their executable definition, and the tests compare the two.
    public static void PackT1(ReadOnlySpan<int> a, Span<byte> output)
    {
        a = a[..N];
        output = output[..T1Bytes];
        for (int i = 0; i < N / 4; i++)
        {
            ulong v = (uint)a[4 * i] | ((ulong)(uint)a[(4 * i) + 1] << 10)
                | ((ulong)(uint)a[(4 * i) + 2] << 20) | ((ulong)(uint)a[(4 * i) + 3] << 30);
            WriteLow(output.Slice(5 * i, 5), v);
        }
    }

    public static void UnpackT1(ReadOnlySpan<byte> input, Span<int> a)
    {
        input = input[..T1Bytes];
        a = a[..N];
        for (int i = 0; i < N / 4; i++)
        {
            ulong v = ReadWord(input, 5 * i);
            a[4 * i] = (int)(v & 0x3FF);
            a[(4 * i) + 1] = (int)((v >> 10) & 0x3FF);
            a[(4 * i) + 2] = (int)((v >> 20) & 0x3FF);
            a[(4 * i) + 3] = (int)((v >> 30) & 0x3FF);
        }
    }

    public static void PackT0(ReadOnlySpan<int> a, Span<byte> output)
    {
        // Eight 13-bit fields (2^12 - a) per 13 bytes.
        a = a[..N];
        output = output[..T0Bytes];
        const int Bias = 1 << (Dilithium3Aes.D - 1);
        for (int i = 0; i < N / 8; i++)
        {
            // Fields 0..4 fill bits 0..64 (the top bit of field 4 is bit 64), fields 5..7 follow from bit 65.
            ReadOnlySpan<int> c = a.Slice(8 * i, 8);
            ulong u4 = (uint)(Bias - c[4]);
            ulong low = (uint)(Bias - c[0]) | ((ulong)(uint)(Bias - c[1]) << 13) | ((ulong)(uint)(Bias - c[2]) << 26)
                | ((ulong)(uint)(Bias - c[3]) << 39) | (u4 << 52);
            ulong high = (u4 >> 12) | ((ulong)(uint)(Bias - c[5]) << 1) | ((ulong)(uint)(Bias - c[6]) << 14)
                | ((ulong)(uint)(Bias - c[7]) << 27);
            Span<byte> group = output.Slice(13 * i, 13);
            BinaryPrimitives.WriteUInt64LittleEndian(group, low);
            WriteLow(group[8..], high);
        }
    }

    public static void UnpackT0(ReadOnlySpan<byte> input, Span<int> a)
    {
        input = input[..T0Bytes];
        a = a[..N];
        const int Bias = 1 << (Dilithium3Aes.D - 1);
        for (int i = 0; i < N / 8; i++)
        {
            // Two overlapping words: bytes 0..7 hold fields 0..3, bytes 5..12 (bit 40 on) hold fields 4..7.
            ReadOnlySpan<byte> group = input.Slice(13 * i, 13);
            ulong first = BinaryPrimitives.ReadUInt64LittleEndian(group);
            ulong second = BinaryPrimitives.ReadUInt64LittleEndian(group[5..]);
            a[8 * i] = Bias - (int)(first & 0x1FFF);
            a[(8 * i) + 1] = Bias - (int)((first >> 13) & 0x1FFF);
            a[(8 * i) + 2] = Bias - (int)((first >> 26) & 0x1FFF);
            a[(8 * i) + 3] = Bias - (int)((first >> 39) & 0x1FFF);
            a[(8 * i) + 4] = Bias - (int)((second >> 12) & 0x1FFF);
            a[(8 * i) + 5] = Bias - (int)((second >> 25) & 0x1FFF);
            a[(8 * i) + 6] = Bias - (int)((second >> 38) & 0x1FFF);
            a[(8 * i) + 7] = Bias - (int)((second >> 51) & 0x1FFF);
        }
    }

    public static void PackEta(ReadOnlySpan<int> a, Span<byte> output)
    {
        a = a[..N];
        output = output[..EtaBytes];
        for (int i = 0; i < EtaBytes; i++)
        {
            output[i] = (byte)((Dilithium3Aes.Eta - a[2 * i]) | ((Dilithium3Aes.Eta - a[(2 * i) + 1]) << 4));
        }
    }

    public static void UnpackEta(ReadOnlySpan<byte> input, Span<int> a)
    {
        input = input[..EtaBytes];
        a = a[..N];
        for (int i = 0; i < EtaBytes; i++)
        {
            a[2 * i] = Dilithium3Aes.Eta - (input[i] & 0x0F);
            a[(2 * i) + 1] = Dilithium3Aes.Eta - (input[i] >> 4);
        }
    }

    public static void PackZ(ReadOnlySpan<int> a, Span<byte> output)
    {
        a = a[..N];
        output = output[..ZBytes];
        for (int i = 0; i < N / 2; i++)
        {
            ulong v = (uint)(Dilithium3Aes.Gamma1 - a[2 * i]) | ((ulong)(uint)(Dilithium3Aes.Gamma1 - a[(2 * i) + 1]) << 20);
            WriteLow(output.Slice(5 * i, 5), v);
        }
    }

    public static void UnpackZ(ReadOnlySpan<byte> input, Span<int> a)
    {
        input = input[..ZBytes];
        a = a[..N];
        for (int i = 0; i < N / 2; i++)
        {
            ulong v = ReadWord(input, 5 * i);
            a[2 * i] = Dilithium3Aes.Gamma1 - (int)(v & 0xFFFFF);
            a[(2 * i) + 1] = Dilithium3Aes.Gamma1 - (int)((v >> 20) & 0xFFFFF);
        }
    }

    /// <summary>Generic forms (value = sign·(field - bias)), the definition the spelled-out codecs are tested against.</summary>
    internal static void PackBitwise(ReadOnlySpan<int> a, int bits, int bias, int sign, Span<byte> output) =>
        PackBits(a, bits, bias, sign, output[..(N * bits / 8)]);

    internal static void UnpackBitwise(ReadOnlySpan<byte> input, int bits, int bias, int sign, Span<int> a) =>
        UnpackBits(input[..(N * bits / 8)], bits, bias, sign, a);

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

    /// <summary>
    /// A little-endian word from the start of <paramref name="source"/>; reads 8 bytes where there is room and the
    /// caller masks off what it does not need, byte by byte only at the very end of the input.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadWord(ReadOnlySpan<byte> source, int offset) =>
        offset + 8 <= source.Length
            ? BinaryPrimitives.ReadUInt64LittleEndian(source[offset..])
            : ReadLow(source[offset..]);

    /// <summary>The low bytes of a little-endian word (up to 8 bytes).</summary>
    private static ulong ReadLow(ReadOnlySpan<byte> bytes)
    {
        ulong v = 0;
        for (int i = bytes.Length - 1; i >= 0; i--)
        {
            v = (v << 8) | bytes[i];
        }

        return v;
    }

    private static void WriteLow(Span<byte> bytes, ulong v)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(v >> (8 * i));
        }
    }
}
