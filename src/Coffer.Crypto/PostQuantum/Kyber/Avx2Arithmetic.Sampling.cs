// Kyber768 round 3 (spec v3.02, "90s" variant): AVX2 forms of the η = 2 centred binomial sampler and of the
// rejection sampler for the matrix; both give exactly the scalar outputs (KyberEncoding.Cbd2 / RejectUniform).
// Constant-time: CBD works on secret PRF output and is pure lane arithmetic. Rejection sampling works on the public
// XOF output (A is derived from ρ, part of the public key), so its data-dependent table lookup and loop are fine.
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Coffer.Crypto.PostQuantum.Kyber.KyberMath;

namespace Coffer.Crypto.PostQuantum.Kyber;

internal readonly partial struct Avx2Arithmetic
{
    // For each 8-bit acceptance mask, a pshufb pattern that moves the accepted int16 lanes to the front in order.
    private static readonly byte[] CompactPatterns = BuildCompactPatterns();

    public static void Cbd2(ReadOnlySpan<byte> buf, Span<short> r)
    {
        ReadOnlySpan<Vector256<byte>> input = MemoryMarshal.Cast<byte, Vector256<byte>>(buf[..(N / 2)]);
        Span<Vector256<short>> output = MemoryMarshal.Cast<short, Vector256<short>>(r[..N]);
        Vector256<byte> m55 = Vector256.Create((byte)0x55);
        Vector256<byte> m03 = Vector256.Create((byte)0x03);
        for (int i = 0; i < input.Length; i++)
        {
            // AVX2 has no byte shifts: shift 16-bit lanes and mask; the bits that cross a byte boundary are masked off.
            Vector256<byte> t = input[i];
            Vector256<byte> d = (t & m55) + (Avx2.ShiftRightLogical(t.AsUInt16(), 1).AsByte() & m55);

            // Each byte holds two coefficients: (bits 0-1) - (bits 2-3) in its low nibble, (4-5) - (6-7) in its high.
            Vector256<byte> low = (d & m03) - (Avx2.ShiftRightLogical(d.AsUInt16(), 2).AsByte() & m03);
            Vector256<byte> high = (Avx2.ShiftRightLogical(d.AsUInt16(), 4).AsByte() & m03)
                - (Avx2.ShiftRightLogical(d.AsUInt16(), 6).AsByte() & m03);

            // Interleave to coefficient order (unpack works per 128-bit lane), then sign-extend bytes to int16.
            Vector256<byte> first = Avx2.UnpackLow(low, high); // bytes 0-7 | bytes 16-23
            Vector256<byte> second = Avx2.UnpackHigh(low, high); // bytes 8-15 | bytes 24-31
            output[4 * i] = Avx2.ConvertToVector256Int16(first.GetLower().AsSByte());
            output[(4 * i) + 1] = Avx2.ConvertToVector256Int16(second.GetLower().AsSByte());
            output[(4 * i) + 2] = Avx2.ConvertToVector256Int16(first.GetUpper().AsSByte());
            output[(4 * i) + 3] = Avx2.ConvertToVector256Int16(second.GetUpper().AsSByte());
        }
    }

    public static int RejectUniform(Span<short> r, int count, ReadOnlySpan<byte> buf)
    {
        // 24 bytes (8 triples, 16 candidates) per step; the 32-byte load must stay inside buf, and a step may
        // accept up to 16 values, so it runs only while that cannot pass 256. The scalar loop finishes exactly.
        int pos = 0;
        ref byte source = ref MemoryMarshal.GetReference(buf);
        ref short target = ref MemoryMarshal.GetReference(r);
        ref byte patterns = ref MemoryMarshal.GetArrayDataReference(CompactPatterns);
        Vector256<int> spread = Vector256.Create(0, 1, 2, 3, 3, 4, 5, 6); // lane 0: bytes 0-15, lane 1: bytes 12-27
        Vector256<byte> gather = Vector256.Create(
            (byte)0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10, 10, 11, 0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10, 10, 11);
        Vector256<short> q = Vector256.Create((short)Q);
        Vector256<short> low12 = Vector256.Create((short)0x0FFF);
        while (count <= N - 16 && pos + 32 <= buf.Length)
        {
            Vector256<byte> raw = Vector256.LoadUnsafe(ref source, (nuint)pos);
            raw = Avx2.PermuteVar8x32(raw.AsInt32(), spread).AsByte();
            Vector256<short> words = Avx2.Shuffle(raw, gather).AsInt16(); // per triple: b0|b1<<8, b1|b2<<8
            Vector256<short> even = words & low12; // b0 | (b1 & 15) << 8
            Vector256<short> odd = Avx2.ShiftRightLogical(words.AsUInt16(), 4).AsInt16(); // b1 >> 4 | b2 << 4
            Vector256<short> candidates = Avx2.Blend(even, odd, 0b1010_1010);
            uint accepted = Vector256.ExtractMostSignificantBits(Avx2.CompareGreaterThan(q, candidates));

            uint lowMask = accepted & 0xFF;
            Vector128<byte> lowPattern = Vector128.LoadUnsafe(ref patterns, (nuint)(lowMask * 16));
            Ssse3.Shuffle(candidates.GetLower().AsByte(), lowPattern).AsInt16().StoreUnsafe(ref target, (nuint)count);
            count += BitOperations.PopCount(lowMask);

            uint highMask = accepted >> 8;
            Vector128<byte> highPattern = Vector128.LoadUnsafe(ref patterns, (nuint)(highMask * 16));
            Ssse3.Shuffle(candidates.GetUpper().AsByte(), highPattern).AsInt16().StoreUnsafe(ref target, (nuint)count);
            count += BitOperations.PopCount(highMask);
            pos += 24;
        }

        return KyberEncoding.RejectUniform(r, count, buf[pos..]);
    }

    private static byte[] BuildCompactPatterns()
    {
        var table = new byte[256 * 16];
        for (int mask = 0; mask < 256; mask++)
        {
            int k = 0;
            for (int lane = 0; lane < 8; lane++)
            {
                if ((mask & (1 << lane)) != 0)
                {
                    table[(mask * 16) + k++] = (byte)(2 * lane);
                    table[(mask * 16) + k++] = (byte)((2 * lane) + 1);
                }
            }

            while (k < 16)
            {
                table[(mask * 16) + k++] = 0x80; // pshufb writes zero for an index with the top bit set
            }
        }

        return table;
    }
}
