// Portable scalar implementation of PolyArithmetic (Dilithium round 3 v3.1, q = 8380417, n = 256): the reference
// for the AVX2 path and the fallback on CPUs without AVX2.
// Constant-time: straight-line integer arithmetic on secret coefficients; the loops depend only on lengths.
namespace Coffer.Crypto.PostQuantum.Dilithium;

internal sealed class ScalarPolyArithmetic : PolyArithmetic
{
    public static readonly ScalarPolyArithmetic Instance = new();

    private ScalarPolyArithmetic()
    {
    }

    public override string Name => "scalar";

    public override void Ntt(Span<int> a)
    {
        a = a[..N];
        int k = 0;
        for (int len = 128; len > 0; len >>= 1)
        {
            for (int start = 0; start < N; start += 2 * len)
            {
                long zeta = Zetas[++k];
                for (int j = start; j < start + len; j++)
                {
                    int t = MontgomeryReduce(zeta * a[j + len]);
                    a[j + len] = a[j] - t;
                    a[j] += t;
                }
            }
        }
    }

    public override void InverseNttToMont(Span<int> a)
    {
        a = a[..N];
        int k = N;
        for (int len = 1; len < N; len <<= 1)
        {
            for (int start = 0; start < N; start += 2 * len)
            {
                // The inverse butterflies use the forward twiddles in reverse order, negated.
                long zeta = -Zetas[--k];
                for (int j = start; j < start + len; j++)
                {
                    int t = a[j];
                    a[j] = t + a[j + len];
                    a[j + len] = MontgomeryReduce(zeta * (t - a[j + len]));
                }
            }
        }

        for (int j = 0; j < N; j++)
        {
            a[j] = MontgomeryReduce((long)InverseNttScale * a[j]);
        }
    }

    public override void PointwiseMontgomery(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result)
    {
        b = b[..a.Length];
        result = result[..a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            result[i] = MontgomeryReduce((long)a[i] * b[i]);
        }
    }

    public override void DotMontgomery(ReadOnlySpan<int> rows, ReadOnlySpan<int> vector, int count, Span<int> result)
    {
        // Lazy reduction: the products are summed exactly and reduced once (|sum| < 5·q·9q < 2^31·q).
        rows = rows[..(count * N)];
        vector = vector[..(count * N)];
        result = result[..N];
        for (int i = 0; i < N; i++)
        {
            long sum = 0;
            for (int p = 0; p < count; p++)
            {
                sum += (long)rows[(p * N) + i] * vector[(p * N) + i];
            }

            result[i] = MontgomeryReduce(sum);
        }
    }

    public override void Add(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result)
    {
        b = b[..a.Length];
        result = result[..a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            result[i] = a[i] + b[i];
        }
    }

    public override void Subtract(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result)
    {
        b = b[..a.Length];
        result = result[..a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            result[i] = a[i] - b[i];
        }
    }

    public override void Reduce32(Span<int> a)
    {
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = Reduce32(a[i]);
        }
    }

    public override void Freeze(Span<int> a)
    {
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = Freeze(a[i]);
        }
    }

    public override bool ExceedsNorm(ReadOnlySpan<int> a, int bound)
    {
        int over = 0;
        for (int i = 0; i < a.Length; i++)
        {
            int t = Freeze(a[i]);
            t -= ((((Q - 1) / 2) - t) >> 31) & Q; // centre: (-q/2, q/2]
            t = (t ^ (t >> 31)) - (t >> 31);      // |t| without a branch
            over |= (bound - 1) - t;              // negative iff t ≥ bound
        }

        return over < 0;
    }

    public override void Decompose(ReadOnlySpan<int> a, Span<int> high, Span<int> low)
    {
        high = high[..a.Length];
        low = low[..a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            high[i] = DecomposeCoefficient(a[i], out low[i]);
        }
    }

    public override int MakeHint(ReadOnlySpan<int> low, ReadOnlySpan<int> high, Span<int> hint)
    {
        high = high[..low.Length];
        hint = hint[..low.Length];
        int count = 0;
        for (int i = 0; i < low.Length; i++)
        {
            hint[i] = HintCoefficient(low[i], high[i]);
            count += hint[i];
        }

        return count;
    }

    public override int RejectUniform(ReadOnlySpan<byte> stream, Span<int> poly, int count) =>
        RejectUniformScalar(stream, poly, count);

    public override void UseHint(ReadOnlySpan<int> a, ReadOnlySpan<int> hint, Span<int> result)
    {
        hint = hint[..a.Length];
        result = result[..a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            result[i] = UseHintCoefficient(a[i], hint[i]);
        }
    }
}
