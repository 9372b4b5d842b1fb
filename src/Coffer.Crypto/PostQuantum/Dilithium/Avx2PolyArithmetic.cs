// AVX2 implementation of PolyArithmetic (Dilithium round 3 v3.1, q = 8380417, n = 256), bit-identical to the
// scalar one. Montgomery multiplication uses vpmuldq (signed 32x32→64 on the even lanes) for the even lanes and for
// the odd lanes moved down, and keeps the high halves: hi(a·b) - hi(m·q) with m = a·b·q^-1 mod 2^32 equals the
// scalar (a·b - m·q) >> 32 exactly, because the low halves cancel.
// The NTT does the five layers with distance ≥ 8 across whole vectors in two register-resident passes (128/64 and
// 32/16/8) and the last three (distance 4, 2, 1) inside pairs of registers after three self-inverse shuffles; the
// inverse NTT does the reverse and folds the final scaling into its last pass.
// Constant-time: only vector arithmetic, shuffles and blends on secret data; no data-dependent branch or index.
// The one table lookup by data (RejectUniform's compress table) serves ExpandA, whose input is public.
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

    // For each 8-bit mask of accepted lanes, the lane indices of its set bits in order (vpermd compress table).
    // Indexed only by rejection results of ExpandA, which works on public data.
    private static readonly int[] CompressTable = BuildCompressTable();

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

        // Distances 32, 16 and 8 fused: each block of 64 coefficients is eight vectors held in registers.
        for (int start = 0; start < N; start += 64)
        {
            Vector256<int> a0 = Load(ref r, start), a1 = Load(ref r, start + 8);
            Vector256<int> a2 = Load(ref r, start + 16), a3 = Load(ref r, start + 24);
            Vector256<int> a4 = Load(ref r, start + 32), a5 = Load(ref r, start + 40);
            Vector256<int> a6 = Load(ref r, start + 48), a7 = Load(ref r, start + 56);
            Vector256<int> z = Twiddle(32, start), zq = z * QInvVector;
            Butterfly(ref a0, ref a4, z, zq);
            Butterfly(ref a1, ref a5, z, zq);
            Butterfly(ref a2, ref a6, z, zq);
            Butterfly(ref a3, ref a7, z, zq);
            z = Twiddle(16, start);
            zq = z * QInvVector;
            Butterfly(ref a0, ref a2, z, zq);
            Butterfly(ref a1, ref a3, z, zq);
            z = Twiddle(16, start + 32);
            zq = z * QInvVector;
            Butterfly(ref a4, ref a6, z, zq);
            Butterfly(ref a5, ref a7, z, zq);
            z = Twiddle(8, start);
            Butterfly(ref a0, ref a1, z, z * QInvVector);
            z = Twiddle(8, start + 16);
            Butterfly(ref a2, ref a3, z, z * QInvVector);
            z = Twiddle(8, start + 32);
            Butterfly(ref a4, ref a5, z, z * QInvVector);
            z = Twiddle(8, start + 48);
            Butterfly(ref a6, ref a7, z, z * QInvVector);
            Store(a0, ref r, start);
            Store(a1, ref r, start + 8);
            Store(a2, ref r, start + 16);
            Store(a3, ref r, start + 24);
            Store(a4, ref r, start + 32);
            Store(a5, ref r, start + 40);
            Store(a6, ref r, start + 48);
            Store(a7, ref r, start + 56);
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
            ButterflyDistinctTwiddles(ref x, ref y, Load(ref tw, t + 16), Load(ref twq, t + 16));
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
            InverseButterflyDistinctTwiddles(ref x, ref y, Load(ref tw, t + 16), Load(ref twq, t + 16));
            (x, y) = SwapDwords(x, y);
            InverseButterfly(ref x, ref y, Load(ref tw, t + 8), Load(ref twq, t + 8));
            (x, y) = SwapQwords(x, y);
            InverseButterfly(ref x, ref y, Load(ref tw, t), Load(ref twq, t));
            (x, y) = Swap128(x, y);
            Store(x, ref r, o);
            Store(y, ref r, o + 8);
        }

        // Distances 8, 16 and 32 fused over blocks of 64 coefficients (eight vectors in registers).
        for (int start = 0; start < N; start += 64)
        {
            Vector256<int> a0 = Load(ref r, start), a1 = Load(ref r, start + 8);
            Vector256<int> a2 = Load(ref r, start + 16), a3 = Load(ref r, start + 24);
            Vector256<int> a4 = Load(ref r, start + 32), a5 = Load(ref r, start + 40);
            Vector256<int> a6 = Load(ref r, start + 48), a7 = Load(ref r, start + 56);
            Vector256<int> z = InverseTwiddle(8, start);
            InverseButterfly(ref a0, ref a1, z, z * QInvVector);
            z = InverseTwiddle(8, start + 16);
            InverseButterfly(ref a2, ref a3, z, z * QInvVector);
            z = InverseTwiddle(8, start + 32);
            InverseButterfly(ref a4, ref a5, z, z * QInvVector);
            z = InverseTwiddle(8, start + 48);
            InverseButterfly(ref a6, ref a7, z, z * QInvVector);
            z = InverseTwiddle(16, start);
            Vector256<int> zq = z * QInvVector;
            InverseButterfly(ref a0, ref a2, z, zq);
            InverseButterfly(ref a1, ref a3, z, zq);
            z = InverseTwiddle(16, start + 32);
            zq = z * QInvVector;
            InverseButterfly(ref a4, ref a6, z, zq);
            InverseButterfly(ref a5, ref a7, z, zq);
            z = InverseTwiddle(32, start);
            zq = z * QInvVector;
            InverseButterfly(ref a0, ref a4, z, zq);
            InverseButterfly(ref a1, ref a5, z, zq);
            InverseButterfly(ref a2, ref a6, z, zq);
            InverseButterfly(ref a3, ref a7, z, zq);
            Store(a0, ref r, start);
            Store(a1, ref r, start + 8);
            Store(a2, ref r, start + 16);
            Store(a3, ref r, start + 24);
            Store(a4, ref r, start + 32);
            Store(a5, ref r, start + 40);
            Store(a6, ref r, start + 48);
            Store(a7, ref r, start + 56);
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
                Store(MontgomeryMultiplyPairs(a0, f, fq), ref r, j);
                Store(MontgomeryMultiplyPairs(a1, f, fq), ref r, j + 64);
                Store(MontgomeryMultiplyPairs(a2, f, fq), ref r, j + 128);
                Store(MontgomeryMultiplyPairs(a3, f, fq), ref r, j + 192);
            }
        }
    }

    public override void PointwiseMontgomery(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result)
    {
        int length = WholeVectors(a.Length);
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
        // Lazy reduction: the exact 64-bit products are summed (even and odd lanes apart) and reduced once.
        ref int ra = ref MemoryMarshal.GetReference(rows[..(count * N)]);
        ref int rb = ref MemoryMarshal.GetReference(vector[..(count * N)]);
        ref int rr = ref MemoryMarshal.GetReference(result[..N]);
        Vector256<int> q = Vector256.Create(Q);
        Vector256<int> qInv = Vector256.Create(QInv);
        for (int i = 0; i < N; i += 8)
        {
            Vector256<long> even = Vector256<long>.Zero;
            Vector256<long> odd = Vector256<long>.Zero;
            for (int p = 0; p < count; p++)
            {
                Vector256<int> a = Load(ref ra, (p * N) + i);
                Vector256<int> b = Load(ref rb, (p * N) + i);
                even += Avx2.Multiply(a, b);
                odd += Avx2.Multiply(Avx2.Shuffle(a, 0xF5), Avx2.Shuffle(b, 0xF5));
            }

            // As the scalar MontgomeryReduce per 64-bit lane: m = lo32(sum)·q^-1, result = hi32(sum - m·q).
            Vector256<long> evenReduced = even - Avx2.Multiply(Avx2.MultiplyLow(even.AsInt32(), qInv), q);
            Vector256<long> oddReduced = odd - Avx2.Multiply(Avx2.MultiplyLow(odd.AsInt32(), qInv), q);
            Store(Avx2.Blend(Avx2.Shuffle(evenReduced.AsInt32(), 0xF5), oddReduced.AsInt32(), 0b1010_1010), ref rr, i);
        }
    }

    public override void Add(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result)
    {
        int length = WholeVectors(a.Length);
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
        int length = WholeVectors(a.Length);
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
        WholeVectors(a.Length);
        ref int r = ref MemoryMarshal.GetReference(a);
        for (int i = 0; i < a.Length; i += 8)
        {
            Store(Reduce32(Load(ref r, i)), ref r, i);
        }
    }

    public override void Freeze(Span<int> a)
    {
        WholeVectors(a.Length);
        ref int r = ref MemoryMarshal.GetReference(a);
        for (int i = 0; i < a.Length; i += 8)
        {
            Store(AddQIfNegative(Reduce32(Load(ref r, i))), ref r, i);
        }
    }

    public override bool ExceedsNorm(ReadOnlySpan<int> a, int bound)
    {
        WholeVectors(a.Length);
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
        int length = WholeVectors(a.Length);
        ref int ra = ref MemoryMarshal.GetReference(a);
        ref int rh = ref MemoryMarshal.GetReference(high[..length]);
        ref int rl = ref MemoryMarshal.GetReference(low[..length]);
        for (int i = 0; i < length; i += 8)
        {
            Vector256<int> h = Decompose(Load(ref ra, i), out Vector256<int> l);
            Store(h, ref rh, i);
            Store(l, ref rl, i);
        }
    }

    public override void UseHint(ReadOnlySpan<int> a, ReadOnlySpan<int> hint, Span<int> result)
    {
        int length = WholeVectors(a.Length);
        ref int ra = ref MemoryMarshal.GetReference(a);
        ref int rh = ref MemoryMarshal.GetReference(hint[..length]);
        ref int rr = ref MemoryMarshal.GetReference(result[..length]);
        Vector256<int> one = Vector256.Create(1);
        for (int i = 0; i < length; i += 8)
        {
            Vector256<int> high = Decompose(Load(ref ra, i), out Vector256<int> low);

            // step = +1 where low > 0, -1 elsewhere; applied where the hint is 1.
            Vector256<int> step = one + (Avx2.ShiftRightArithmetic(low - one, 31) << 1);
            Store((high + Avx2.MultiplyLow(Load(ref rh, i), step)) & Vector256.Create(15), ref rr, i);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Decompose(Vector256<int> a, out Vector256<int> low)
    {
        Vector256<int> h = Avx2.ShiftRightArithmetic(a + Vector256.Create(127), 7);
        h = Avx2.ShiftRightArithmetic(Avx2.MultiplyLow(h, Vector256.Create(1025)) + Vector256.Create(1 << 21), 22)
            & Vector256.Create(15);
        low = a - Avx2.MultiplyLow(h, Vector256.Create(2 * Dilithium3Aes.Gamma2));
        low -= Avx2.ShiftRightArithmetic(Vector256.Create((Q - 1) / 2) - low, 31) & Vector256.Create(Q);
        return h;
    }

    public override int MakeHint(ReadOnlySpan<int> low, ReadOnlySpan<int> high, Span<int> hint)
    {
        int length = WholeVectors(low.Length);
        ref int rl = ref MemoryMarshal.GetReference(low);
        ref int rh = ref MemoryMarshal.GetReference(high[..length]);
        ref int rr = ref MemoryMarshal.GetReference(hint[..length]);
        Vector256<int> gamma2 = Vector256.Create(Dilithium3Aes.Gamma2);
        Vector256<int> negativeGamma2 = Vector256.Create(-Dilithium3Aes.Gamma2);
        Vector256<int> one = Vector256.Create(1);
        Vector256<int> count = Vector256<int>.Zero;
        for (int i = 0; i < length; i += 8)
        {
            Vector256<int> l = Load(ref rl, i);
            Vector256<int> h = Load(ref rh, i);

            // Comparison lanes are all ones when true.
            Vector256<int> outside = Avx2.CompareGreaterThan(l, gamma2) | Avx2.CompareGreaterThan(negativeGamma2, l);
            Vector256<int> edge = Avx2.CompareEqual(l, negativeGamma2) & ~Avx2.CompareEqual(h, Vector256<int>.Zero);
            Vector256<int> bit = (outside | edge) & one;
            Store(bit, ref rr, i);
            count += bit;
        }

        return Vector256.Sum(count);
    }

    public override int RejectUniform(ReadOnlySpan<byte> stream, Span<int> poly, int count)
    {
        // Eight 3-byte candidates (24 bytes) per step: vpermd brings bytes 12..27 into the upper half, vpshufb
        // widens each 3-byte group to a dword, and the accepted lanes are compressed to the front with vpermd.
        ref byte rs = ref MemoryMarshal.GetReference(stream);
        ref int rp = ref MemoryMarshal.GetReference(poly[..N]);
        ref int table = ref MemoryMarshal.GetArrayDataReference(CompressTable);
        Vector256<int> spread = Vector256.Create(0, 1, 2, 3, 3, 4, 5, 6);
        Vector256<byte> widen = Vector256.Create(
            (byte)0, 1, 2, 0x80, 3, 4, 5, 0x80, 6, 7, 8, 0x80, 9, 10, 11, 0x80,
            0, 1, 2, 0x80, 3, 4, 5, 0x80, 6, 7, 8, 0x80, 9, 10, 11, 0x80);
        Vector256<int> low23 = Vector256.Create(0x7FFFFF);
        Vector256<int> q = Vector256.Create(Q);
        int position = 0;
        while (count <= N - 8 && position + 32 <= stream.Length)
        {
            Vector256<int> raw = Avx2.PermuteVar8x32(Vector256.LoadUnsafe(ref rs, (nuint)position).AsInt32(), spread);
            Vector256<int> candidates = Avx2.Shuffle(raw.AsByte(), widen).AsInt32() & low23;
            int accepted = Avx.MoveMask(Avx2.CompareGreaterThan(q, candidates).AsSingle());
            Store(Avx2.PermuteVar8x32(candidates, Load(ref table, accepted * 8)), ref rp, count);
            count += System.Numerics.BitOperations.PopCount((uint)accepted);
            position += 24;
        }

        return RejectUniformScalar(stream[position..], poly, count);
    }

    private static int[] BuildCompressTable()
    {
        var table = new int[256 * 8];
        for (int mask = 0; mask < 256; mask++)
        {
            int k = 0;
            for (int lane = 0; lane < 8; lane++)
            {
                if ((mask & (1 << lane)) != 0)
                {
                    table[(mask * 8) + k++] = lane;
                }
            }
        }

        return table;
    }

    private static Vector256<int> QInvVector => Vector256.Create(QInv);

    // The loops below load and store whole vectors without bounds checks, so a length must be a multiple of 8.
    private static int WholeVectors(int length) =>
        length % 8 == 0 ? length : throw new ArgumentException("Lengths must be multiples of 8 coefficients.");

    // The twiddle of the forward butterfly with distance d whose lower input is j, broadcast (scalar loop's k in
    // closed form: k = N/(2d) + j/(2d)); the inverse one is -Zetas[N/d - 1 - j/(2d)].
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Twiddle(int d, int j) => Vector256.Create(Zetas[(N / (2 * d)) + (j / (2 * d))]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> InverseTwiddle(int d, int j) => Vector256.Create(-Zetas[(N / d) - 1 - (j / (2 * d))]);

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
        // Odd lanes are moved down to the even positions (vpmuldq reads the low dword of each qword); the rest is
        // MontgomeryMultiplyPairs with separate odd twiddles.
        Vector256<int> q = Vector256.Create(Q);
        Vector256<int> aOdd = Avx2.Shuffle(a, 0xF5);
        Vector256<int> bOdd = Avx2.Shuffle(b, 0xF5);
        Vector256<int> mEven = Avx2.Multiply(a, bQInv).AsInt32();
        Vector256<int> mOdd = Avx2.Multiply(aOdd, Avx2.Shuffle(bQInv, 0xF5)).AsInt32();
        Vector256<int> even = Avx2.Multiply(a, b).AsInt32() - Avx2.Multiply(mEven, q).AsInt32();
        Vector256<int> odd = Avx2.Multiply(aOdd, bOdd).AsInt32() - Avx2.Multiply(mOdd, q).AsInt32();
        return Avx2.Blend(Avx2.Shuffle(even, 0xF5), odd, 0b1010_1010);
    }

    /// <summary>
    /// MontgomeryMultiply for a twiddle vector whose odd lanes equal its even lanes (all but the distance-1 layer).
    /// m comes from vpmuldq as well (its low dword is a·bQInv mod 2^32), and the high dwords are subtracted
    /// before the single shuffle back: no vpmulld, one blend.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> MontgomeryMultiplyPairs(Vector256<int> a, Vector256<int> b, Vector256<int> bQInv)
    {
        Vector256<int> q = Vector256.Create(Q);
        Vector256<int> aOdd = Avx2.Shuffle(a, 0xF5);
        Vector256<int> mEven = Avx2.Multiply(a, bQInv).AsInt32();
        Vector256<int> mOdd = Avx2.Multiply(aOdd, bQInv).AsInt32();
        Vector256<int> even = Avx2.Multiply(a, b).AsInt32() - Avx2.Multiply(mEven, q).AsInt32();
        Vector256<int> odd = Avx2.Multiply(aOdd, b).AsInt32() - Avx2.Multiply(mOdd, q).AsInt32();

        // The results are the high dwords (odd positions): those of the even lanes move down, the odd ones stay.
        return Avx2.Blend(Avx2.Shuffle(even, 0xF5), odd, 0b1010_1010);
    }

    // Butterflies whose twiddle vector repeats each value in lane pairs (every layer but distance 1).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Butterfly(ref Vector256<int> lo, ref Vector256<int> hi, Vector256<int> zeta, Vector256<int> zetaQInv)
    {
        Vector256<int> t = MontgomeryMultiplyPairs(hi, zeta, zetaQInv);
        hi = lo - t;
        lo += t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InverseButterfly(ref Vector256<int> lo, ref Vector256<int> hi, Vector256<int> zeta, Vector256<int> zetaQInv)
    {
        Vector256<int> t = lo;
        lo = t + hi;
        hi = MontgomeryMultiplyPairs(t - hi, zeta, zetaQInv);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ButterflyDistinctTwiddles(ref Vector256<int> lo, ref Vector256<int> hi, Vector256<int> zeta, Vector256<int> zetaQInv)
    {
        Vector256<int> t = MontgomeryMultiply(hi, zeta, zetaQInv);
        hi = lo - t;
        lo += t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InverseButterflyDistinctTwiddles(ref Vector256<int> lo, ref Vector256<int> hi, Vector256<int> zeta, Vector256<int> zetaQInv)
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
