// Kyber768 round 3 (spec v3.02, "90s" variant): AVX2 forms of the 12-bit packing of keys, of the du = 10 and
// dv = 4 compression of the ciphertext, and of message decoding; byte for byte the scalar KyberEncoding results.
// Constant-time: ŝ is packed and unpacked here, and compression runs on re-encryption values during
// decapsulation, so all of it is lane arithmetic without branches or lookups. Compression divides by q with a
// multiply by a rounded-up reciprocal and a shift (vpmuludq for du = 10, vpmulld for dv = 4 and the message bits),
// never with a division (KyberSlash); the constants are those of KyberEncoding, checked exhaustively in the tests.
// Loads and stores of a 16-coefficient group may touch a few bytes past the group; the last group of a buffer goes
// through a stack copy so that nothing outside the caller's span is read or written.
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using static Coffer.Crypto.PostQuantum.Kyber.KyberMath;

namespace Coffer.Crypto.PostQuantum.Kyber;

internal readonly partial struct Avx2Arithmetic
{
    private const int Groups = K * N / 16;

    public static void PolyVecFromBytes(ReadOnlySpan<byte> a, Span<short> r)
    {
        a = a[..PolyVecBytes];
        Span<Vector256<short>> output = MemoryMarshal.Cast<short, Vector256<short>>(r[..(K * N)]);
        for (int g = 0; g < Groups - 1; g++)
        {
            output[g] = Unpack12(Load2x128(a, 24 * g, 12));
        }

        Span<byte> last = stackalloc byte[32];
        a[(24 * (Groups - 1))..].CopyTo(last);
        output[Groups - 1] = Unpack12(Load2x128(last, 0, 12));
        CryptographicOperations.ZeroMemory(last); // part of ŝ when unpacking a secret key
    }

    public static void PolyVecToBytes(ReadOnlySpan<short> a, Span<byte> r)
    {
        r = r[..PolyVecBytes];
        ReadOnlySpan<Vector256<short>> input = MemoryMarshal.Cast<short, Vector256<short>>(a[..(K * N)]);
        for (int g = 0; g < Groups - 1; g++)
        {
            Store2x128(Pack12(input[g]), r, 24 * g, 12);
        }

        Span<byte> last = stackalloc byte[32];
        Store2x128(Pack12(input[Groups - 1]), last, 0, 12);
        last[..24].CopyTo(r[(24 * (Groups - 1))..]);
        CryptographicOperations.ZeroMemory(last);
    }

    public static void PolyVecCompress(ReadOnlySpan<short> a, Span<byte> r)
    {
        r = r[..PolyVecCompressedBytes];
        ReadOnlySpan<Vector256<short>> input = MemoryMarshal.Cast<short, Vector256<short>>(a[..(K * N)]);
        for (int g = 0; g < Groups - 1; g++)
        {
            Store2x128(Compress10(input[g]), r, 20 * g, 10);
        }

        Span<byte> last = stackalloc byte[32];
        Store2x128(Compress10(input[Groups - 1]), last, 0, 10);
        last[..20].CopyTo(r[(20 * (Groups - 1))..]);
        CryptographicOperations.ZeroMemory(last);
    }

    public static void PolyVecDecompress(ReadOnlySpan<byte> a, Span<short> r)
    {
        a = a[..PolyVecCompressedBytes];
        Span<Vector256<short>> output = MemoryMarshal.Cast<short, Vector256<short>>(r[..(K * N)]);
        for (int g = 0; g < Groups - 1; g++)
        {
            output[g] = Decompress10(Load2x128(a, 20 * g, 10));
        }

        Span<byte> last = stackalloc byte[32];
        a[(20 * (Groups - 1))..].CopyTo(last);
        output[Groups - 1] = Decompress10(Load2x128(last, 0, 10));
    }

    public static void PolyCompress(ReadOnlySpan<short> a, Span<byte> r)
    {
        ReadOnlySpan<Vector256<short>> input = MemoryMarshal.Cast<short, Vector256<short>>(a[..N]);
        r = r[..PolyCompressedBytes];
        Vector256<short> nibblePairs = Vector256.Create((short)1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16, 1, 16);
        for (int i = 0; i < input.Length; i++)
        {
            // Two coefficients per byte (low nibble first): t_even + 16 · t_odd per dword, then one byte per dword.
            Vector256<int> bytes = Avx2.MultiplyAddAdjacent(CompressSmall(input[i], toMessage: false), nibblePairs);
            Vector256<byte> squeeze = Vector256.Create(
                (byte)0, 4, 8, 12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                0, 4, 8, 12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
            Vector256<uint> packed = Avx2.Shuffle(bytes.AsByte(), squeeze).AsUInt32();
            uint low = packed.GetElement(0), high = packed.GetElement(4);
            BinaryPrimitives.WriteUInt32LittleEndian(r[(8 * i)..], low);
            BinaryPrimitives.WriteUInt32LittleEndian(r[((8 * i) + 4)..], high);
        }
    }

    public static void PolyToMessage(ReadOnlySpan<short> a, Span<byte> message)
    {
        ReadOnlySpan<Vector256<short>> input = MemoryMarshal.Cast<short, Vector256<short>>(a[..N]);
        message = message[..SymBytes];
        for (int i = 0; i < input.Length; i++)
        {
            // Move each 0/1 bit to the sign position; vpmovmskb-style extraction gives lane i as bit i (no branch).
            Vector256<short> bits = Avx2.ShiftLeftLogical(CompressSmall(input[i], toMessage: true), 15);
            ushort sixteen = (ushort)Vector256.ExtractMostSignificantBits(bits);
            BinaryPrimitives.WriteUInt16LittleEndian(message[(2 * i)..], sixteen);
        }
    }

    /// <summary>
    /// Compress_d for d = 4, or d = 1 when <paramref name="toMessage"/>, on 16 coefficients in (-q, q):
    /// ((2^d u + q/2) · 80636) mod 2^32 &gt;&gt; 28, masked to d bits; exactly KyberEncoding.Compress4 / Compress1.
    /// The flag is a call-site constant, not data.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> CompressSmall(Vector256<short> a, bool toMessage)
    {
        Vector256<short> c = Canonical(a);
        Vector256<int> low = CompressSmall(Avx2.ConvertToVector256Int32(c.GetLower()), toMessage);
        Vector256<int> high = CompressSmall(Avx2.ConvertToVector256Int32(c.GetUpper()), toMessage);
        return Avx2.Permute4x64(Avx2.PackSignedSaturate(low, high).AsInt64(), 0b11_01_10_00).AsInt16();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> CompressSmall(Vector256<int> u, bool toMessage)
    {
        // The 32-bit product may wrap; that only removes multiples of 2^32 = 16 · 2^28, invisible after the mask.
        Vector256<int> scaled = toMessage ? Avx2.ShiftLeftLogical(u, 1) : Avx2.ShiftLeftLogical(u, 4);
        Vector256<int> n = scaled + Vector256.Create(Q / 2);
        Vector256<int> t = Avx2.ShiftRightLogical(Avx2.MultiplyLow(n, Vector256.Create(80636)).AsUInt32(), 28).AsInt32();
        return t & Vector256.Create(toMessage ? 1 : 0xF);
    }

    /// <summary>Lane 0 = 16 bytes at offset, lane 1 = 16 bytes at offset + laneStride.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Load2x128(ReadOnlySpan<byte> source, int offset, int laneStride)
    {
        ref byte start = ref MemoryMarshal.GetReference(source[offset..(offset + laneStride + 16)]);
        return Vector256.Create(Vector128.LoadUnsafe(ref start), Vector128.LoadUnsafe(ref start, (nuint)laneStride));
    }

    /// <summary>Stores lane 0 at offset and then lane 1 at offset + laneStride (overwriting lane 0's unused tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store2x128(Vector256<byte> value, Span<byte> target, int offset, int laneStride)
    {
        ref byte start = ref MemoryMarshal.GetReference(target[offset..(offset + laneStride + 16)]);
        value.GetLower().StoreUnsafe(ref start);
        value.GetUpper().StoreUnsafe(ref start, (nuint)laneStride);
    }

    /// <summary>12 bytes per lane (4 triples) → 8 int16 values per lane: b0 | (b1 &amp; 15) &lt;&lt; 8, b1 &gt;&gt; 4 | b2 &lt;&lt; 4.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Unpack12(Vector256<byte> bytes)
    {
        Vector256<byte> gather = Vector256.Create(
            (byte)0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10, 10, 11, 0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 7, 8, 9, 10, 10, 11);
        Vector256<short> words = Avx2.Shuffle(bytes, gather).AsInt16();
        Vector256<short> even = words & Vector256.Create((short)0x0FFF);
        Vector256<short> odd = Avx2.ShiftRightLogical(words.AsUInt16(), 4).AsInt16();
        return Avx2.Blend(even, odd, 0b1010_1010);
    }

    /// <summary>16 coefficients in (-q, q) → canonical 12-bit values, 12 packed bytes per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Pack12(Vector256<short> a)
    {
        Vector256<short> c = Canonical(a);
        // pmaddwd: c_even · 1 + c_odd · 2^12 = the 24-bit little-endian triple of each pair.
        Vector256<int> pairs = Avx2.MultiplyAddAdjacent(c, Vector256.Create((short)1, 4096, 1, 4096, 1, 4096, 1, 4096, 1, 4096, 1, 4096, 1, 4096, 1, 4096));
        Vector256<byte> squeeze = Vector256.Create(
            (byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80,
            0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 0x80, 0x80, 0x80, 0x80);
        return Avx2.Shuffle(pairs.AsByte(), squeeze);
    }

    /// <summary>16 coefficients in (-q, q) → 10-bit compressed values, 10 packed bytes per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Compress10(Vector256<short> a)
    {
        Vector256<short> c = Canonical(a);
        Vector256<int> low = Compress10(Avx2.ConvertToVector256Int32(c.GetLower()));
        Vector256<int> high = Compress10(Avx2.ConvertToVector256Int32(c.GetUpper()));

        // Back to 16 coefficients in order: the pack interleaves 64-bit quarters per lane, the permute undoes it.
        Vector256<short> values = Avx2.Permute4x64(Avx2.PackSignedSaturate(low, high).AsInt64(), 0b11_01_10_00).AsInt16();

        // Two values per dword (v0 | v1 << 10), then two dwords per qword (20 bits each): 40 bits = 5 bytes.
        Vector256<ulong> twenty = Avx2.MultiplyAddAdjacent(values, Vector256.Create((short)1, 1024, 1, 1024, 1, 1024, 1, 1024, 1, 1024, 1, 1024, 1, 1024, 1, 1024)).AsUInt64();
        Vector256<ulong> forty = (twenty & Vector256.Create(0xFFFFFUL)) | Avx2.ShiftLeftLogical(Avx2.ShiftRightLogical(twenty, 32), 20);
        Vector256<byte> squeeze = Vector256.Create(
            (byte)0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
            0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
        return Avx2.Shuffle(forty.AsByte(), squeeze);
    }

    /// <summary>floor((2^10 u + q/2) / q) mod 2^10 for 8 canonical u, as ((2^10 u + 1664) · ceil(2^32/q)) &gt;&gt; 32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Compress10(Vector256<int> u)
    {
        Vector256<uint> n = (Avx2.ShiftLeftLogical(u, 10) + Vector256.Create(Q / 2)).AsUInt32();
        Vector256<uint> multiplier = Vector256.Create(1290168u);
        Vector256<ulong> evenProducts = Avx2.Multiply(n, multiplier); // lanes 0, 2, 4, 6
        Vector256<ulong> oddProducts = Avx2.Multiply(Avx2.ShiftRightLogical(n.AsUInt64(), 32).AsUInt32(), multiplier);
        // High dwords: the even ones shifted down into place, the odd ones are already in the odd positions.
        Vector256<int> quotient = Avx2.Blend(Avx2.ShiftRightLogical(evenProducts, 32).AsInt32(), oddProducts.AsInt32(), 0b1010_1010);
        return quotient & Vector256.Create(0x3FF);
    }

    /// <summary>10 bytes per lane → 8 values t → round(q · t / 2^10) = (t·q + 2^9) &gt;&gt; 10 = mulhrs(32t, q).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Decompress10(Vector256<byte> bytes)
    {
        // Value k of a 5-byte group starts at bit 10k: in the 16-bit word of bytes k, k+1 it starts at bit 2k.
        Vector256<byte> gather = Vector256.Create(
            (byte)0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 6, 7, 7, 8, 8, 9, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 6, 7, 7, 8, 8, 9);
        Vector256<short> words = Avx2.Shuffle(bytes, gather).AsInt16();
        // Shift left by 6 - 2k (a multiply, as AVX2 has no per-lane 16-bit shift) and then right by 6.
        Vector256<short> align = Vector256.Create((short)64, 16, 4, 1, 64, 16, 4, 1, 64, 16, 4, 1, 64, 16, 4, 1);
        Vector256<ushort> t = Avx2.ShiftRightLogical(Avx2.MultiplyLow(words, align).AsUInt16(), 6);
        return Avx2.MultiplyHighRoundScale(Avx2.ShiftLeftLogical(t, 5).AsInt16(), Vector256.Create((short)Q));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Canonical(Vector256<short> a)
        => a + (Avx2.ShiftRightArithmetic(a, 15) & Vector256.Create((short)Q));
}
