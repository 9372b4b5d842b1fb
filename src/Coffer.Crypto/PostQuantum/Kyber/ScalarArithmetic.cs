// Kyber768 round 3 (spec v3.02, "90s" variant): portable scalar polynomial arithmetic, the fallback when AVX2 is
// absent and the reference the AVX2 form is tested against (both give identical coefficients).
// Constant-time: loops run over fixed bounds and index only by loop counters; the zeta table is public.
using static Coffer.Crypto.PostQuantum.Kyber.KyberMath;

namespace Coffer.Crypto.PostQuantum.Kyber;

internal readonly struct ScalarArithmetic : IKyberArithmetic
{

    public static void Ntt(Span<short> poly)
    {
        Span<short> r = poly[..N];
        int k = 1;
        for (int len = 128; len >= 2; len >>= 1)
        {
            for (int start = 0; start < N; start += 2 * len)
            {
                short zeta = Zetas[k++];
                for (int j = start; j < start + len; j++)
                {
                    short t = FqMul(zeta, r[j + len]);
                    r[j + len] = (short)(r[j] - t);
                    r[j] = (short)(r[j] + t);
                }
            }
        }

        Reduce(r);
    }

    public static void InverseNttToMont(Span<short> poly)
    {
        Span<short> r = poly[..N];
        // Gentleman–Sande butterflies walk the zeta table backwards: zetas[127 - g] is the negated inverse of the
        // forward twiddle of the same group, which is why the difference is taken as (b - a) below.
        int k = 127;
        for (int len = 2; len <= 128; len <<= 1)
        {
            for (int start = 0; start < N; start += 2 * len)
            {
                short zeta = Zetas[k--];
                for (int j = start; j < start + len; j++)
                {
                    short t = r[j];
                    r[j] = BarrettReduce((short)(t + r[j + len]));
                    r[j + len] = FqMul(zeta, (short)(r[j + len] - t));
                }
            }
        }

        for (int j = 0; j < N; j++)
        {
            r[j] = FqMul(r[j], InverseNttFactor);
        }
    }

    public static void BaseMulAccumulate(Span<short> r, ReadOnlySpan<short> a, ReadOnlySpan<short> b)
    {
        r = r[..N];
        for (int i = 0; i < N / 4; i++)
        {
            short zeta = Zetas[64 + i];
            int c = 4 * i;
            int r0 = 0, r1 = 0, r2 = 0, r3 = 0;
            for (int p = 0; p < K; p++)
            {
                int o = (p * N) + c;
                // (a0 + a1 X)(b0 + b1 X) mod (X^2 - zeta), and the same with -zeta for the second pair.
                r0 += FqMul(FqMul(a[o + 1], b[o + 1]), zeta) + FqMul(a[o], b[o]);
                r1 += FqMul(a[o], b[o + 1]) + FqMul(a[o + 1], b[o]);
                r2 += FqMul(FqMul(a[o + 3], b[o + 3]), (short)-zeta) + FqMul(a[o + 2], b[o + 2]);
                r3 += FqMul(a[o + 2], b[o + 3]) + FqMul(a[o + 3], b[o + 2]);
            }

            // Each term is below 2q and k = 3, so the sums fit in int16 before the reduction (6q < 2^15).
            r[c] = BarrettReduce((short)r0);
            r[c + 1] = BarrettReduce((short)r1);
            r[c + 2] = BarrettReduce((short)r2);
            r[c + 3] = BarrettReduce((short)r3);
        }
    }

    public static void ToMont(Span<short> poly)
    {
        for (int j = 0; j < poly.Length; j++)
        {
            poly[j] = FqMul(poly[j], MontSquared);
        }
    }

    public static void Reduce(Span<short> poly)
    {
        for (int j = 0; j < poly.Length; j++)
        {
            poly[j] = BarrettReduce(poly[j]);
        }
    }

    public static void Add(ReadOnlySpan<short> a, ReadOnlySpan<short> b, Span<short> r)
    {
        for (int j = 0; j < r.Length; j++)
        {
            r[j] = (short)(a[j] + b[j]);
        }
    }

    public static void Subtract(ReadOnlySpan<short> a, ReadOnlySpan<short> b, Span<short> r)
    {
        for (int j = 0; j < r.Length; j++)
        {
            r[j] = (short)(a[j] - b[j]);
        }
    }

    public static void Cbd2(ReadOnlySpan<byte> buf, Span<short> r) => KyberEncoding.Cbd2(buf, r);

    public static int RejectUniform(Span<short> r, int count, ReadOnlySpan<byte> buf)
        => KyberEncoding.RejectUniform(r, count, buf);

    public static void PolyVecToBytes(ReadOnlySpan<short> a, Span<byte> r) => KyberEncoding.PolyVecToBytes(a, r);

    public static void PolyVecFromBytes(ReadOnlySpan<byte> a, Span<short> r) => KyberEncoding.PolyVecFromBytes(a, r);

    public static void PolyVecCompress(ReadOnlySpan<short> a, Span<byte> r) => KyberEncoding.PolyVecCompress(a, r);

    public static void PolyVecDecompress(ReadOnlySpan<byte> a, Span<short> r) => KyberEncoding.PolyVecDecompress(a, r);

    public static void PolyCompress(ReadOnlySpan<short> a, Span<byte> r) => KyberEncoding.PolyCompress(a, r);

    public static void PolyToMessage(ReadOnlySpan<short> a, Span<byte> message) => KyberEncoding.PolyToMessage(a, message);
}
