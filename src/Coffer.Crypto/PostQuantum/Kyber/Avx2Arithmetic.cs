// Kyber768 round 3 (spec v3.02, "90s" variant): AVX2 polynomial arithmetic, 16 int16 coefficients per vector.
// It keeps the reference coefficient order, so it is interchangeable with ScalarArithmetic value for value: the
// NTT layers with distance ≥ 16 pair whole vectors; the layers with distance 8, 4 and 2 first regroup two vectors
// with a self-inverse shuffle so that butterfly partners sit in the same lane, and regroup back afterwards.
// Montgomery products use vpmullw/vpmulhw with precomputed zeta·q^-1 (Seiler's method); Barrett uses vpmulhrsw.
// Constant-time: no branches or table lookups on coefficients; the twiddle tables are public and indexed by loop
// counters only.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static Coffer.Crypto.PostQuantum.Kyber.KyberMath;

namespace Coffer.Crypto.PostQuantum.Kyber;

internal readonly partial struct Avx2Arithmetic : IKyberArithmetic
{
    private const int Vectors = N / 16;

    // Per vector pair b (coefficients 32b..32b+31), the lane-wise zetas (and zeta·q^-1) of the layers with
    // distance 8, 4 and 2 in the regrouped order; forward and inverse. Layout: [layer][pair][lane].
    private static readonly short[] ForwardInner = BuildInnerZetas(inverse: false, qinv: false);
    private static readonly short[] ForwardInnerQinv = BuildInnerZetas(inverse: false, qinv: true);
    private static readonly short[] InverseInner = BuildInnerZetas(inverse: true, qinv: false);
    private static readonly short[] InverseInnerQinv = BuildInnerZetas(inverse: true, qinv: true);

    // Base multiplication: ±zeta of each coefficient pair in its odd lane. Layout: [vector][lane].
    private static readonly short[] BaseMulZetas = BuildBaseMulZetas(qinv: false);
    private static readonly short[] BaseMulZetasQinv = BuildBaseMulZetas(qinv: true);

    public static void Ntt(Span<short> poly)
    {
        Span<Vector256<short>> v = MemoryMarshal.Cast<short, Vector256<short>>(poly[..N]);
        int k = 1;
        for (int distance = Vectors / 2; distance >= 1; distance >>= 1)
        {
            for (int start = 0; start < Vectors; start += 2 * distance)
            {
                short zeta = Zetas[k++];
                Vector256<short> z = Vector256.Create(zeta);
                Vector256<short> zq = Vector256.Create((short)(zeta * QInv));
                for (int j = start; j < start + distance; j++)
                {
                    ForwardButterfly(ref v[j], ref v[j + distance], z, zq);
                }
            }
        }

        ref short fz = ref MemoryMarshal.GetArrayDataReference(ForwardInner);
        ref short fq = ref MemoryMarshal.GetArrayDataReference(ForwardInnerQinv);
        for (int pair = 0; pair < Vectors / 2; pair++)
        {
            Vector256<short> a = v[2 * pair];
            Vector256<short> b = v[(2 * pair) + 1];

            Regroup128(ref a, ref b);
            ForwardButterfly(ref a, ref b, InnerZeta(ref fz, 0, pair), InnerZeta(ref fq, 0, pair));
            Regroup128(ref a, ref b);

            Regroup64(ref a, ref b);
            ForwardButterfly(ref a, ref b, InnerZeta(ref fz, 1, pair), InnerZeta(ref fq, 1, pair));
            Regroup64(ref a, ref b);

            Regroup32(ref a, ref b);
            ForwardButterfly(ref a, ref b, InnerZeta(ref fz, 2, pair), InnerZeta(ref fq, 2, pair));
            Regroup32(ref a, ref b);

            v[2 * pair] = Barrett(a);
            v[(2 * pair) + 1] = Barrett(b);
        }
    }

    public static void InverseNttToMont(Span<short> poly)
    {
        Span<Vector256<short>> v = MemoryMarshal.Cast<short, Vector256<short>>(poly[..N]);
        ref short iz = ref MemoryMarshal.GetArrayDataReference(InverseInner);
        ref short iq = ref MemoryMarshal.GetArrayDataReference(InverseInnerQinv);
        for (int pair = 0; pair < Vectors / 2; pair++)
        {
            Vector256<short> a = v[2 * pair];
            Vector256<short> b = v[(2 * pair) + 1];

            Regroup32(ref a, ref b);
            InverseButterfly(ref a, ref b, InnerZeta(ref iz, 2, pair), InnerZeta(ref iq, 2, pair));
            Regroup32(ref a, ref b);

            Regroup64(ref a, ref b);
            InverseButterfly(ref a, ref b, InnerZeta(ref iz, 1, pair), InnerZeta(ref iq, 1, pair));
            Regroup64(ref a, ref b);

            Regroup128(ref a, ref b);
            InverseButterfly(ref a, ref b, InnerZeta(ref iz, 0, pair), InnerZeta(ref iq, 0, pair));
            Regroup128(ref a, ref b);

            v[2 * pair] = a;
            v[(2 * pair) + 1] = b;
        }

        // The groups of one layer are walked in increasing order and consume zetas[k] with k decreasing, as in the
        // scalar form: k starts at 2·(number of groups) - 1 for each layer.
        for (int distance = 1; distance <= Vectors / 2; distance <<= 1)
        {
            int k = (Vectors / distance) - 1;
            for (int start = 0; start < Vectors; start += 2 * distance)
            {
                short zeta = Zetas[k--];
                Vector256<short> z = Vector256.Create(zeta);
                Vector256<short> zq = Vector256.Create((short)(zeta * QInv));
                for (int j = start; j < start + distance; j++)
                {
                    InverseButterfly(ref v[j], ref v[j + distance], z, zq);
                }
            }
        }

        Vector256<short> f = Vector256.Create(InverseNttFactor);
        Vector256<short> fqinv = Vector256.Create(unchecked((short)(InverseNttFactor * QInv)));
        for (int j = 0; j < Vectors; j++)
        {
            v[j] = MulMont(v[j], f, fqinv);
        }
    }

    public static void BaseMulAccumulate(Span<short> r, ReadOnlySpan<short> a, ReadOnlySpan<short> b)
    {
        Span<Vector256<short>> rv = MemoryMarshal.Cast<short, Vector256<short>>(r[..N]);
        ReadOnlySpan<Vector256<short>> av = MemoryMarshal.Cast<short, Vector256<short>>(a[..(K * N)]);
        ReadOnlySpan<Vector256<short>> bv = MemoryMarshal.Cast<short, Vector256<short>>(b[..(K * N)]);
        ref short zetas = ref MemoryMarshal.GetArrayDataReference(BaseMulZetas);
        ref short zetasQinv = ref MemoryMarshal.GetArrayDataReference(BaseMulZetasQinv);
        Vector256<byte> swap = SwapPairsMask();
        for (int j = 0; j < Vectors; j++)
        {
            Vector256<short> z = Vector256.LoadUnsafe(ref zetas, (nuint)(16 * j));
            Vector256<short> zq = Vector256.LoadUnsafe(ref zetasQinv, (nuint)(16 * j));
            Vector256<short> acc = Vector256<short>.Zero;
            for (int p = 0; p < K; p++)
            {
                acc += BaseMul(av[(p * Vectors) + j], bv[(p * Vectors) + j], z, zq, swap);
            }

            rv[j] = Barrett(acc);
        }
    }

    public static void ToMont(Span<short> poly)
    {
        Span<Vector256<short>> v = MemoryMarshal.Cast<short, Vector256<short>>(poly);
        Vector256<short> f = Vector256.Create(MontSquared);
        Vector256<short> fqinv = Vector256.Create(unchecked((short)(MontSquared * QInv)));
        for (int j = 0; j < v.Length; j++)
        {
            v[j] = MulMont(v[j], f, fqinv);
        }
    }

    public static void Reduce(Span<short> poly)
    {
        Span<Vector256<short>> v = MemoryMarshal.Cast<short, Vector256<short>>(poly);
        for (int j = 0; j < v.Length; j++)
        {
            v[j] = Barrett(v[j]);
        }
    }

    public static void Add(ReadOnlySpan<short> a, ReadOnlySpan<short> b, Span<short> r)
    {
        ReadOnlySpan<Vector256<short>> av = MemoryMarshal.Cast<short, Vector256<short>>(a);
        ReadOnlySpan<Vector256<short>> bv = MemoryMarshal.Cast<short, Vector256<short>>(b);
        Span<Vector256<short>> rv = MemoryMarshal.Cast<short, Vector256<short>>(r);
        for (int j = 0; j < rv.Length; j++)
        {
            rv[j] = av[j] + bv[j];
        }
    }

    public static void Subtract(ReadOnlySpan<short> a, ReadOnlySpan<short> b, Span<short> r)
    {
        ReadOnlySpan<Vector256<short>> av = MemoryMarshal.Cast<short, Vector256<short>>(a);
        ReadOnlySpan<Vector256<short>> bv = MemoryMarshal.Cast<short, Vector256<short>>(b);
        Span<Vector256<short>> rv = MemoryMarshal.Cast<short, Vector256<short>>(r);
        for (int j = 0; j < rv.Length; j++)
        {
            rv[j] = av[j] - bv[j];
        }
    }

    /// <summary>a·b·2^-16 mod q lane-wise, in (-q, q); bQinv = b·q^-1 mod 2^16. Same value as the scalar FqMul.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> MulMont(Vector256<short> a, Vector256<short> b, Vector256<short> bQinv)
    {
        // The low halves of a·b and t·q agree by construction, so the difference of the high halves is exact.
        Vector256<short> high = Avx2.MultiplyHigh(a, b);
        Vector256<short> t = Avx2.MultiplyLow(a, bQinv);
        return high - Avx2.MultiplyHigh(t, Vector256.Create((short)Q));
    }

    /// <summary>Barrett reduction, lane-wise equal to KyberMath.BarrettReduce: t = ((a·20159 >> 16) + 2^9) >> 10.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Barrett(Vector256<short> a)
    {
        Vector256<short> t = Avx2.MultiplyHigh(a, Vector256.Create((short)20159));
        t = Avx2.MultiplyHighRoundScale(t, Vector256.Create((short)32)); // (32t + 2^14) >> 15 = (t + 2^9) >> 10
        return a - Avx2.MultiplyLow(t, Vector256.Create((short)Q));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardButterfly(ref Vector256<short> x, ref Vector256<short> y, Vector256<short> z, Vector256<short> zq)
    {
        Vector256<short> t = MulMont(y, z, zq);
        y = x - t;
        x += t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InverseButterfly(ref Vector256<short> x, ref Vector256<short> y, Vector256<short> z, Vector256<short> zq)
    {
        Vector256<short> t = x;
        x = Barrett(t + y);
        y = MulMont(y - t, z, zq);
    }

    /// <summary>
    /// Base multiplication of 8 coefficient pairs (a0 + a1·X)(b0 + b1·X) mod (X^2 - zeta): even lane
    /// a0b0 + zeta·a1b1, odd lane a0b1 + a1b0, each product Montgomery-reduced exactly as in the scalar form.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> BaseMul(
        Vector256<short> a, Vector256<short> b, Vector256<short> z, Vector256<short> zq, Vector256<byte> swap)
    {
        Vector256<short> q = Vector256.Create((short)Q);
        Vector256<short> qinv = Vector256.Create(QInv);
        Vector256<short> bSwapped = Avx2.Shuffle(b.AsByte(), swap).AsInt16();

        // Straight products a_i·b_i and crossed products a_i·b_(i^1), Montgomery-reduced.
        Vector256<short> straight = Avx2.MultiplyHigh(a, b) - Avx2.MultiplyHigh(Avx2.MultiplyLow(Avx2.MultiplyLow(a, b), qinv), q);
        Vector256<short> crossed = Avx2.MultiplyHigh(a, bSwapped)
            - Avx2.MultiplyHigh(Avx2.MultiplyLow(Avx2.MultiplyLow(a, bSwapped), qinv), q);

        // Odd lanes of 'twisted' hold zeta·a1b1; move them down onto the even lanes next to a0b0.
        Vector256<short> twisted = MulMont(straight, z, zq);
        Vector256<short> even = straight + Avx2.Shuffle(twisted.AsByte(), swap).AsInt16();
        Vector256<short> odd = crossed + Avx2.Shuffle(crossed.AsByte(), swap).AsInt16();
        return Avx2.Blend(even, odd, 0b1010_1010);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> InnerZeta(ref short table, int layer, int pair)
        => Vector256.LoadUnsafe(ref table, (nuint)((((layer * (Vectors / 2)) + pair) * 16)));

    /// <summary>Swaps the two int16 lanes of every 32-bit word.</summary>
    private static Vector256<byte> SwapPairsMask() => Vector256.Create(
        (byte)2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13);

    // The regroupings: with a = coefficients 0..15 and b = 16..31 of a pair, and units of g int16 (g = 8, 4, 2),
    // a' takes the even units of a and b interleaved ([a_0, b_0, a_2, b_2, …]) and b' the odd ones, so that lane i of
    // a' and lane i of b' are g apart: butterfly partners for distance g. Each regrouping is its own inverse.

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Regroup128(ref Vector256<short> a, ref Vector256<short> b)
    {
        Vector256<short> x = Avx2.Permute2x128(a, b, 0x20);
        Vector256<short> y = Avx2.Permute2x128(a, b, 0x31);
        a = x;
        b = y;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Regroup64(ref Vector256<short> a, ref Vector256<short> b)
    {
        Vector256<long> x = Avx2.UnpackLow(a.AsInt64(), b.AsInt64());
        Vector256<long> y = Avx2.UnpackHigh(a.AsInt64(), b.AsInt64());
        a = x.AsInt16();
        b = y.AsInt16();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Regroup32(ref Vector256<short> a, ref Vector256<short> b)
    {
        Vector256<int> x = Avx2.Blend(a.AsInt32(), Avx2.ShiftLeftLogical(b.AsInt64(), 32).AsInt32(), 0b1010_1010);
        Vector256<int> y = Avx2.Blend(Avx2.ShiftRightLogical(a.AsInt64(), 32).AsInt32(), b.AsInt32(), 0b1010_1010);
        a = x.AsInt16();
        b = y.AsInt16();
    }

    /// <summary>
    /// The coefficient index (0..31 within a pair) that lane i of the first regrouped vector holds for unit size g;
    /// its partner in the second vector is that index + g.
    /// </summary>
    private static int RegroupedIndex(int lane, int g)
    {
        int unitPair = lane / (2 * g);
        int within = lane % (2 * g);
        int fromB = within / g; // the second half of each double unit comes from b (coefficients 16..31)
        return (16 * fromB) + (2 * unitPair * g) + (within % g);
    }

    private static short[] BuildInnerZetas(bool inverse, bool qinv)
    {
        int[] distances = [8, 4, 2];
        var table = new short[3 * (Vectors / 2) * 16];
        for (int layer = 0; layer < 3; layer++)
        {
            int len = distances[layer];
            int firstK = N / 2 / len; // zetas[firstK + group] in the forward direction
            for (int pair = 0; pair < Vectors / 2; pair++)
            {
                for (int lane = 0; lane < 16; lane++)
                {
                    int coefficient = (32 * pair) + RegroupedIndex(lane, len);
                    int group = coefficient / (2 * len);
                    int index = inverse ? (2 * firstK) - 1 - group : firstK + group;
                    short zeta = Zetas[index];
                    table[(((layer * (Vectors / 2)) + pair) * 16) + lane] = qinv ? (short)(zeta * QInv) : zeta;
                }
            }
        }

        return table;
    }

    private static short[] BuildBaseMulZetas(bool qinv)
    {
        var table = new short[N];
        for (int pairIndex = 0; pairIndex < N / 2; pairIndex++)
        {
            // Pairs 2i and 2i+1 reduce modulo X^2 - zetas[64+i] and X^2 + zetas[64+i].
            short zeta = Zetas[64 + (pairIndex / 2)];
            short signed = (pairIndex & 1) == 0 ? zeta : (short)-zeta;
            table[(2 * pairIndex) + 1] = qinv ? (short)(signed * QInv) : signed;
        }

        return table;
    }
}
