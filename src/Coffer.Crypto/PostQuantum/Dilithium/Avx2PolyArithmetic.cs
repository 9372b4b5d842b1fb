// AVX2 implementation of PolyArithmetic (Dilithium round 3 v3.1, q = 8380417, n = 256), bit-identical to the
// scalar one. Montgomery multiplication uses vpmuldq (signed 32x32→64 on the even lanes) twice — once for the even
// lanes, once for the odd lanes moved down — and keeps the high halves: hi(a·b) - hi(m·q) with m = a·b·q^-1 mod 2^32
// equals the scalar (a·b - m·q) >> 32 exactly, because the low halves cancel.
// The NTT does the five layers with distance ≥ 8 across whole vectors and the last three (distance 4, 2, 1)
// inside pairs of registers after three self-inverse shuffles; the inverse NTT does the reverse.
// Constant-time: only vector arithmetic, shuffles and blends on secret data; no data-dependent branch or index.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Coffer.Crypto.PostQuantum.Dilithium;

internal sealed class Avx2PolyArithmetic : PolyArithmetic
{
    public static readonly Avx2PolyArithmetic Instance = new();

    // Lane → coefficient offset (within a block of 16) of the lower butterfly input, for the in-register layers
    // with distance 4, 2 and 1 after the shuffles Swap128, SwapQwords and SwapDwords respectively.
    private static readonly int[] Distance4Lanes = [0, 1, 2, 3, 8, 9, 10, 11];
    private static readonly int[] Distance2Lanes = [0, 1, 4, 5, 8, 9, 12, 13];
    private static readonly int[] Distance1Lanes = [0, 2, 4, 6, 8, 10, 12, 14];

    // Per 16-coefficient block: 8 twiddles for each in-register layer, and the same times q^-1 (mod 2^32) so that
    // the Montgomery multiplication needs one vpmulld less.
    private static readonly int[] ForwardTwiddles = InRegisterTwiddles(inverse: false);
    private static readonly int[] ForwardTwiddlesQInv = TimesQInv(ForwardTwiddles);
    private static readonly int[] InverseTwiddles = InRegisterTwiddles(inverse: true);
    private static readonly int[] InverseTwiddlesQInv = TimesQInv(InverseTwiddles);

    private Avx2PolyArithmetic()
    {
    }

    public override string Name => "avx2";

    public override void Ntt(Span<int> a)
    {
        ref int r = ref MemoryMarshal.GetReference(a[..N]);

        // Layers with distance 128 and 64 fused: four vectors in registers per step.
        {
            Vector256<int> z1 = Vector256.Create(Zetas[1]), z1q = Vector256.Create(Zetas[1] * QInv);
            Vector256<int> z2 = Vector256.Create(Zetas[2]), z2q = Vector256.Create(Zetas[2] * QInv);
            Vector256<int> z3 = Vector256.Create(Zetas[3]), z3q = Vector256.Create(Zetas[3] * QInv);
            for (int j = 0; j < 64; j += 8)
            {
                Vector256<int> a0 = Load(ref r, j), a1 = Load(ref r, j + 64);
                Vector256<int> a2 = Load(ref r, j + 128), a3 = Load(ref r, j + 192);
                Butterfly(ref a0, ref a2, z1, z1q);
                Butterfly(ref a1, ref a3, z1, z1q);
                Butterfly(ref a0, ref a1, z2, z2q);
                Butterfly(ref a2, ref a3, z3, z3q);
                Store(a0, ref r, j);
                Store(a1, ref r, j + 64);
                Store(a2, ref r, j + 128);
                Store(a3, ref r, j + 192);
            }
        }

        // Distances 32, 16 and 8 across vectors.
        int k = 3;
        for (int len = 32; len >= 8; len >>= 1)
        {
            for (int start = 0; start < N; start += 2 * len)
            {
                int zeta = Zetas[++k];
                Vector256<int> z = Vector256.Create(zeta), zq = Vector256.Create(zeta * QInv);
                for (int j = start; j < start + len; j += 8)
                {
                    Vector256<int> lo = Load(ref r, j), hi = Load(ref r, j + len);
                    Butterfly(ref lo, ref hi, z, zq);
                    Store(lo, ref r, j);
                    Store(hi, ref r, j + len);
                }
            }
        }

        // Distances 4, 2, 1 inside each block of 16.
        ref int tw = ref MemoryMarshal.GetArrayDataReference(ForwardTwiddles);
        ref int twq = ref MemoryMarshal.GetArrayDataReference(ForwardTwiddlesQInv);
        for (int block = 0; block < N / 16; block++)
        {
            int o = block * 16;
            int t = block * 24;
            (Vector256<int> x, Vector256<int> y) = Swap128(Load(ref r, o), Load(ref r, o + 8));
            Butterfly(ref x, ref y, Load(ref tw, t), Load(ref twq, t));
            (x, y) = SwapQwords(x, y);
            Butterfly(ref x, ref y, Load(ref tw, t + 8), Load(ref twq, t + 8));
            (x, y) = SwapDwords(x, y);
            Butterfly(ref x, ref y, Load(ref tw, t + 16), Load(ref twq, t + 16));
            (x, y) = SwapDwords(x, y);
            (x, y) = SwapQwords(x, y);
            (x, y) = Swap128(x, y);
            Store(x, ref r, o);
            Store(y, ref r, o + 8);
        }
    }

    public override void InverseNttToMont(Span<int> a)
    {
        ref int r = ref MemoryMarshal.GetReference(a[..N]);

        ref int tw = ref MemoryMarshal.GetArrayDataReference(InverseTwiddles);
        ref int twq = ref MemoryMarshal.GetArrayDataReference(InverseTwiddlesQInv);
        for (int block = 0; block < N / 16; block++)
        {
            int o = block * 16;
            int t = block * 24;
            (Vector256<int> x, Vector256<int> y) = Swap128(Load(ref r, o), Load(ref r, o + 8));
            (x, y) = SwapQwords(x, y);
            (x, y) = SwapDwords(x, y);
            InverseButterfly(ref x, ref y, Load(ref tw, t + 16), Load(ref twq, t + 16));
            (x, y) = SwapDwords(x, y);
            InverseButterfly(ref x, ref y, Load(ref tw, t + 8), Load(ref twq, t + 8));
            (x, y) = SwapQwords(x, y);
            InverseButterfly(ref x, ref y, Load(ref tw, t), Load(ref twq, t));
            (x, y) = Swap128(x, y);
            Store(x, ref r, o);
            Store(y, ref r, o + 8);
        }

        // Distances 8, 16, 32 across vectors; twiddle index N/len - 1 - block, negated (the scalar order).
        for (int len = 8; len <= 32; len <<= 1)
        {
            for (int start = 0; start < N; start += 2 * len)
            {
                int zeta = -Zetas[(N / len) - 1 - (start / (2 * len))];
                Vector256<int> z = Vector256.Create(zeta), zq = Vector256.Create(zeta * QInv);
                for (int j = start; j < start + len; j += 8)
                {
                    Vector256<int> lo = Load(ref r, j), hi = Load(ref r, j + len);
                    InverseButterfly(ref lo, ref hi, z, zq);
                    Store(lo, ref r, j);
                    Store(hi, ref r, j + len);
                }
            }
        }

        // Distances 64 and 128 fused, with the final scaling by R^2/256.
        {
            Vector256<int> z2 = Vector256.Create(-Zetas[3]), z2q = Vector256.Create(-Zetas[3] * QInv);
            Vector256<int> z3 = Vector256.Create(-Zetas[2]), z3q = Vector256.Create(-Zetas[2] * QInv);
            Vector256<int> z1 = Vector256.Create(-Zetas[1]), z1q = Vector256.Create(-Zetas[1] * QInv);
            Vector256<int> f = Vector256.Create(InverseNttScale), fq = Vector256.Create(InverseNttScale * QInv);
            for (int j = 0; j < 64; j += 8)
            {
                Vector256<int> a0 = Load(ref r, j), a1 = Load(ref r, j + 64);
                Vector256<int> a2 = Load(ref r, j + 128), a3 = Load(ref r, j + 192);
                InverseButterfly(ref a0, ref a1, z2, z2q);
                InverseButterfly(ref a2, ref a3, z3, z3q);
                InverseButterfly(ref a0, ref a2, z1, z1q);
                InverseButterfly(ref a1, ref a3, z1, z1q);
                Store(MontgomeryMultiply(a0, f, fq), ref r, j);
                Store(MontgomeryMultiply(a1, f, fq), ref r, j + 64);
                Store(MontgomeryMultiply(a2, f, fq), ref r, j + 128);
                Store(MontgomeryMultiply(a3, f, fq), ref r, j + 192);
            }
        }
    }

    public override void PointwiseMontgomery(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result)
    {
        int length = a.Length;
        ref int ra = ref MemoryMarshal.GetReference(a);
        ref int rb = ref MemoryMarshal.GetReference(b[..length]);
        ref int rr = ref MemoryMarshal.GetReference(result[..length]);
        for (int i = 0; i < length; i += 8)
        {
            Store(MontgomeryMultiply(Load(ref ra, i), Load(ref rb, i)), ref rr, i);
        }
    }

    public override void DotMontgomery(ReadOnlySpan<int> rows, ReadOnlySpan<int> vector, int count, Span<int> result)
    {
        ref int ra = ref MemoryMarshal.GetReference(rows[..(count * N)]);
        ref int rb = ref MemoryMarshal.GetReference(vector[..(count * N)]);
        ref int rr = ref MemoryMarshal.GetReference(result[..N]);
        for (int i = 0; i < N; i += 8)
        {
            Vector256<int> sum = MontgomeryMultiply(Load(ref ra, i), Load(ref rb, i));
            for (int p = 1; p < count; p++)
            {
                sum += MontgomeryMultiply(Load(ref ra, (p * N) + i), Load(ref rb, (p * N) + i));
            }

            Store(sum, ref rr, i);
        }
    }

    public override void Add(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result)
    {
        int length = a.Length;
        ref int ra = ref MemoryMarshal.GetReference(a);
        ref int rb = ref MemoryMarshal.GetReference(b[..length]);
        ref int rr = ref MemoryMarshal.GetReference(result[..length]);
        for (int i = 0; i < length; i += 8)
        {
            Store(Load(ref ra, i) + Load(ref rb, i), ref rr, i);
        }
    }

    public override void Subtract(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result)
    {
        int length = a.Length;
        ref int ra = ref MemoryMarshal.GetReference(a);
        ref int rb = ref MemoryMarshal.GetReference(b[..length]);
        ref int rr = ref MemoryMarshal.GetReference(result[..length]);
        for (int i = 0; i < length; i += 8)
        {
            Store(Load(ref ra, i) - Load(ref rb, i), ref rr, i);
        }
    }

    public override void Reduce32(Span<int> a)
    {
        ref int r = ref MemoryMarshal.GetReference(a);
        for (int i = 0; i < a.Length; i += 8)
        {
            Store(Reduce32(Load(ref r, i)), ref r, i);
        }
    }

    public override void Freeze(Span<int> a)
    {
        ref int r = ref MemoryMarshal.GetReference(a);
        for (int i = 0; i < a.Length; i += 8)
        {
            Store(AddQIfNegative(Reduce32(Load(ref r, i))), ref r, i);
        }
    }

    public override bool ExceedsNorm(ReadOnlySpan<int> a, int bound)
    {
        ref int r = ref MemoryMarshal.GetReference(a);
        Vector256<int> limit = Vector256.Create(bound - 1);
        Vector256<int> halfQ = Vector256.Create((Q - 1) / 2);
        Vector256<int> q = Vector256.Create(Q);
        Vector256<int> over = Vector256<int>.Zero;
        for (int i = 0; i < a.Length; i += 8)
        {
            Vector256<int> t = AddQIfNegative(Reduce32(Load(ref r, i)));
            t -= Avx2.ShiftRightArithmetic(halfQ - t, 31) & q;
            over |= limit - Avx2.Abs(t).AsInt32();
        }

        // The sign bit of some lane is set iff a coefficient reached the bound.
        return !Avx.TestZ(over, Vector256.Create(int.MinValue));
    }

    public override void Decompose(ReadOnlySpan<int> a, Span<int> high, Span<int> low)
    {
        int length = a.Length;
        ref int ra = ref MemoryMarshal.GetReference(a);
        ref int rh = ref MemoryMarshal.GetReference(high[..length]);
        ref int rl = ref MemoryMarshal.GetReference(low[..length]);
        Vector256<int> c127 = Vector256.Create(127);
        Vector256<int> c1025 = Vector256.Create(1025);
        Vector256<int> half = Vector256.Create(1 << 21);
        Vector256<int> mask = Vector256.Create(15);
        Vector256<int> twoGamma2 = Vector256.Create(2 * Dilithium3Aes.Gamma2);
        Vector256<int> halfQ = Vector256.Create((Q - 1) / 2);
        Vector256<int> q = Vector256.Create(Q);
        for (int i = 0; i < length; i += 8)
        {
            Vector256<int> v = Load(ref ra, i);
            Vector256<int> h = Avx2.ShiftRightArithmetic(v + c127, 7);
            h = Avx2.ShiftRightArithmetic(Avx2.MultiplyLow(h, c1025) + half, 22) & mask;
            Vector256<int> l = v - Avx2.MultiplyLow(h, twoGamma2);
            l -= Avx2.ShiftRightArithmetic(halfQ - l, 31) & q;
            Store(h, ref rh, i);
            Store(l, ref rl, i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Load(ref int source, int offset) =>
        Vector256.LoadUnsafe(ref source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector256<int> value, ref int destination, int offset) =>
        value.StoreUnsafe(ref destination, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> MontgomeryMultiply(Vector256<int> a, Vector256<int> b) =>
        MontgomeryMultiply(a, b, Avx2.MultiplyLow(b, Vector256.Create(QInv)));

    /// <summary>a·b·2^-32 mod q lane-wise, with bQInv = b·q^-1 mod 2^32; same value as the scalar MontgomeryReduce.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> MontgomeryMultiply(Vector256<int> a, Vector256<int> b, Vector256<int> bQInv)
    {
        Vector256<int> q = Vector256.Create(Q);
        Vector256<int> m = Avx2.MultiplyLow(a, bQInv);

        // Odd lanes moved to the even positions (vpmuldq reads the low dword of each qword).
        Vector256<int> aOdd = Avx2.Shuffle(a, 0xF5);
        Vector256<int> bOdd = Avx2.Shuffle(b, 0xF5);
        Vector256<int> mOdd = Avx2.Shuffle(m, 0xF5);

        Vector256<int> productEven = Avx2.Multiply(a, b).AsInt32();
        Vector256<int> productOdd = Avx2.Multiply(aOdd, bOdd).AsInt32();
        Vector256<int> correctionEven = Avx2.Multiply(m, q).AsInt32();
        Vector256<int> correctionOdd = Avx2.Multiply(mOdd, q).AsInt32();

        // High dwords: those of the even products sit in the odd lanes; move them down and blend in the odd ones.
        Vector256<int> productHigh = Avx2.Blend(Avx2.Shuffle(productEven, 0xF5), productOdd, 0b1010_1010);
        Vector256<int> correctionHigh = Avx2.Blend(Avx2.Shuffle(correctionEven, 0xF5), correctionOdd, 0b1010_1010);
        return productHigh - correctionHigh;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Butterfly(ref Vector256<int> lo, ref Vector256<int> hi, Vector256<int> zeta, Vector256<int> zetaQInv)
    {
        Vector256<int> t = MontgomeryMultiply(hi, zeta, zetaQInv);
        hi = lo - t;
        lo += t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InverseButterfly(ref Vector256<int> lo, ref Vector256<int> hi, Vector256<int> zeta, Vector256<int> zetaQInv)
    {
        Vector256<int> t = lo;
        lo = t + hi;
        hi = MontgomeryMultiply(t - hi, zeta, zetaQInv);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Reduce32(Vector256<int> a)
    {
        Vector256<int> t = Avx2.ShiftRightArithmetic(a + Vector256.Create(1 << 22), 23);
        return a - Avx2.MultiplyLow(t, Vector256.Create(Q));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> AddQIfNegative(Vector256<int> a) =>
        a + (Avx2.ShiftRightArithmetic(a, 31) & Vector256.Create(Q));

    // [a0..a7], [b0..b7] → [a0..a3 b0..b3], [a4..a7 b4..b7]; its own inverse.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<int>, Vector256<int>) Swap128(Vector256<int> a, Vector256<int> b) =>
        (Avx2.Permute2x128(a, b, 0x20), Avx2.Permute2x128(a, b, 0x31));

    // Per 128-bit lane: [x0 x1 x2 x3], [y0 y1 y2 y3] → [x0 x1 y0 y1], [x2 x3 y2 y3]; its own inverse.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<int>, Vector256<int>) SwapQwords(Vector256<int> x, Vector256<int> y) =>
        (Avx2.UnpackLow(x.AsInt64(), y.AsInt64()).AsInt32(), Avx2.UnpackHigh(x.AsInt64(), y.AsInt64()).AsInt32());

    // Per qword: [x0 x1], [y0 y1] → [x0 y0], [x1 y1]; its own inverse.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector256<int>, Vector256<int>) SwapDwords(Vector256<int> x, Vector256<int> y) =>
        (Avx2.Blend(x, Avx2.ShiftLeftLogical(y.AsInt64(), 32).AsInt32(), 0b1010_1010),
         Avx2.Blend(Avx2.ShiftRightLogical(x.AsInt64(), 32).AsInt32(), y, 0b1010_1010));

    private static int[] InRegisterTwiddles(bool inverse)
    {
        // Forward layer with distance d uses Zetas[N/(2d) + j/(2d)] for the butterfly whose lower input is j;
        // the inverse uses -Zetas[N/d - 1 - j/(2d)] (the scalar loops' k counters in closed form).
        var table = new int[N / 16 * 24];
        int[][] lanes = [Distance4Lanes, Distance2Lanes, Distance1Lanes];
        int[] distances = [4, 2, 1];
        for (int block = 0; block < N / 16; block++)
        {
            for (int layer = 0; layer < 3; layer++)
            {
                int d = distances[layer];
                for (int lane = 0; lane < 8; lane++)
                {
                    int j = (block * 16) + lanes[layer][lane];
                    table[(block * 24) + (layer * 8) + lane] = inverse
                        ? -Zetas[(N / d) - 1 - (j / (2 * d))]
                        : Zetas[(N / (2 * d)) + (j / (2 * d))];
                }
            }
        }

        return table;
    }

    private static int[] TimesQInv(int[] values) => Array.ConvertAll(values, v => v * QInv);
}
