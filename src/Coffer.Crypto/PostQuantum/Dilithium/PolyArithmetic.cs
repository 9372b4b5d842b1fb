// Polynomial arithmetic in Z_q[X]/(X^256 + 1), q = 8380417, for CRYSTALS-Dilithium round 3 (v3.1, mode 3, AES
// variant). Coefficients are int32 in Montgomery arithmetic with R = 2^32; the NTT follows the round-3 convention
// (forward NTT output in bit-reversed order, "to Montgomery" inverse NTT), so results equal the specification's
// after the canonical reductions the callers apply at every decision point.
// Two implementations compute bit-identical results: a portable scalar one and an AVX2 one; Default picks AVX2 when
// the CPU has it. Tests run the known answers through both and compare them on random inputs.
// Constant-time: every operation here touches secret coefficients (s1, s2, t0, y, c·s). None may branch on or index
// memory by a coefficient value; ExceedsNorm scans the whole input and only its boolean result is public (the
// rejection decision of Fiat–Shamir with aborts).
using System.Runtime.Intrinsics.X86;

namespace Coffer.Crypto.PostQuantum.Dilithium;

internal abstract class PolyArithmetic
{
    public const int N = 256;
    public const int Q = 8380417;

    // q^-1 mod 2^32, for Montgomery reduction.
    public const int QInv = 58728449;

    // 2^32 mod q: Montgomery form of 1.
    public const int MontgomeryOne = 4193792;

    // 1753 is a primitive 512th root of unity mod q (the round-3 choice).
    private const int Root = 1753;

    /// <summary>Root^bitreverse8(k) in Montgomery form, centred in (-q/2, q/2]; index 0 is unused by the NTT.</summary>
    public static readonly int[] Zetas = ComputeZetas();

    /// <summary>
    /// The inverse NTT's final factor, R^2/256 mod q: one Montgomery multiplication by it divides by 256 (the
    /// transform's scale) and multiplies by R (the "to Montgomery" output form the round-3 algorithms expect).
    /// </summary>
    public static readonly int InverseNttScale = (int)(MulMod(MulMod(MontgomeryOne, MontgomeryOne), PowMod(N, Q - 2)));

    public static PolyArithmetic Scalar => ScalarPolyArithmetic.Instance;

    public static PolyArithmetic Default { get; } =
        Avx2.IsSupported ? Avx2PolyArithmetic.Instance : ScalarPolyArithmetic.Instance;

    public abstract string Name { get; }

    /// <summary>Forward NTT in place; |input| &lt; q gives |output| &lt; 9q.</summary>
    public abstract void Ntt(Span<int> a);

    /// <summary>Inverse NTT in place, output multiplied by R; needs |input| &lt; q, gives |output| &lt; q.</summary>
    public abstract void InverseNttToMont(Span<int> a);

    /// <summary>result = a·b·R^-1 coefficient-wise (NTT domain); whole vectors of polynomials.</summary>
    public abstract void PointwiseMontgomery(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result);

    /// <summary>
    /// result = Σ_i rows[i]·vector[i]·R^-1 over <paramref name="count"/> polynomials (a matrix row times a vector),
    /// reduced once; needs |Σ products| &lt; 2^31·q (rows canonical, |vector| &lt; 9q, count ≤ 5), gives |result| &lt; q.
    /// </summary>
    public abstract void DotMontgomery(ReadOnlySpan<int> rows, ReadOnlySpan<int> vector, int count, Span<int> result);

    public abstract void Add(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result);

    public abstract void Subtract(ReadOnlySpan<int> a, ReadOnlySpan<int> b, Span<int> result);

    /// <summary>Maps each coefficient to a representative in [-6283009, 6283007] (round-3 reduce32).</summary>
    public abstract void Reduce32(Span<int> a);

    /// <summary>Maps each coefficient to its canonical representative in [0, q).</summary>
    public abstract void Freeze(Span<int> a);

    /// <summary>
    /// True if any coefficient's centred representative has absolute value ≥ <paramref name="bound"/>. Scans
    /// everything (no early exit) so that nothing but the result leaks.
    /// </summary>
    public abstract bool ExceedsNorm(ReadOnlySpan<int> a, int bound);

    /// <summary>Round-3 Decompose for γ2 = (q-1)/32 on canonical input: high in [0, 16), low centred.</summary>
    public abstract void Decompose(ReadOnlySpan<int> a, Span<int> high, Span<int> low);

    /// <summary>
    /// Round-3 MakeHint for every coefficient: hint = 1 iff low > γ2, low &lt; -γ2, or low = -γ2 with high ≠ 0
    /// (low is the centred r0 + c·t0, high is w1). Returns the number of ones.
    /// </summary>
    public abstract int MakeHint(ReadOnlySpan<int> low, ReadOnlySpan<int> high, Span<int> hint);

    /// <summary>
    /// Round-3 UseHint on canonical input: the high part of a, moved by one (mod 16) towards the side its low part
    /// lies on where the hint is 1. Verification only (public data).
    /// </summary>
    public abstract void UseHint(ReadOnlySpan<int> a, ReadOnlySpan<int> hint, Span<int> result);

    /// <summary>
    /// Appends to <paramref name="poly"/> (from index <paramref name="count"/>) the 3-byte candidates of
    /// <paramref name="stream"/> (low 23 bits) that are below q, until 256 are there; returns the new count.
    /// ExpandA only: the stream is public.
    /// </summary>
    public abstract int RejectUniform(ReadOnlySpan<byte> stream, Span<int> poly, int count);

    public static int RejectUniformScalar(ReadOnlySpan<byte> stream, Span<int> poly, int count)
    {
        for (int i = 0; i + 3 <= stream.Length && count < N; i += 3)
        {
            int t = (stream[i] | (stream[i + 1] << 8) | (stream[i + 2] << 16)) & 0x7FFFFF;
            if (t < Q)
            {
                poly[count++] = t;
            }
        }

        return count;
    }

    public static int MontgomeryReduce(long a)
    {
        // t = a·q^-1 mod 2^32 (signed), so a - t·q is divisible by 2^32.
        int t = (int)a * QInv;
        return (int)((a - ((long)t * Q)) >> 32);
    }

    public static int Reduce32(int a)
    {
        int t = (a + (1 << 22)) >> 23;
        return a - (t * Q);
    }

    /// <summary>Adds q to a negative input, branch-free.</summary>
    public static int AddQIfNegative(int a) => a + ((a >> 31) & Q);

    public static int Freeze(int a) => AddQIfNegative(Reduce32(a));

    public static int DecomposeCoefficient(int a, out int low)
    {
        // high = round(a / 2γ2) with 2γ2 = 523776, via a multiply-shift approximation that is exact on [0, q);
        // the top value 16 wraps to 0 (the "a - 1" case of the specification's Decompose).
        int high = (a + 127) >> 7;
        high = ((high * 1025) + (1 << 21)) >> 22;
        high &= 15;
        low = a - (high * 2 * Dilithium3Aes.Gamma2);
        low -= ((((Q - 1) / 2) - low) >> 31) & Q;
        return high;
    }

    public static int UseHintCoefficient(int a, int hint)
    {
        int high = DecomposeCoefficient(a, out int low);
        int step = 1 + (2 * ((low - 1) >> 31));   // +1 if low > 0, else -1
        return (high + (hint * step)) & 15;
    }

    public static int HintCoefficient(int low, int high)
    {
        // From sign bits only, so that no branch depends on the secret-derived low part.
        int gamma2 = Dilithium3Aes.Gamma2;
        int above = (int)((uint)(gamma2 - low) >> 31);
        int below = (int)((uint)(low + gamma2) >> 31);
        int atNegative = 1 ^ (int)((uint)((low + gamma2) | -(low + gamma2)) >> 31);
        int highNonZero = (int)((uint)(high | -high) >> 31);
        return above | below | (atNegative & highNonZero);
    }

    private static int[] ComputeZetas()
    {
        var zetas = new int[N];
        for (int k = 0; k < N; k++)
        {
            int reversed = 0;
            for (int bit = 0; bit < 8; bit++)
            {
                reversed |= ((k >> bit) & 1) << (7 - bit);
            }

            long value = MulMod(PowMod(Root, reversed), MontgomeryOne);
            zetas[k] = (int)(value > Q / 2 ? value - Q : value);
        }

        return zetas;
    }

    private static long MulMod(long a, long b) => a * b % Q;

    private static long PowMod(long b, int e)
    {
        long result = 1;
        for (; e > 0; e >>= 1)
        {
            if ((e & 1) != 0)
            {
                result = MulMod(result, b);
            }

            b = MulMod(b, b);
        }

        return result;
    }
}
