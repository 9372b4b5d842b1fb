using Coffer.Crypto.PostQuantum.Dilithium;

namespace Coffer.Crypto.Tests.PostQuantum.Dilithium;

// The AVX2 path must be bit-identical to the scalar one on every operation, and both must compute the ring
// arithmetic of Z_q[X]/(X^256 + 1). Inputs are random within each operation's documented input range; the seeds
// are fixed so that a failure reproduces.
public class PolyArithmeticTests
{
    private const int N = PolyArithmetic.N;
    private const int Q = PolyArithmetic.Q;

    public static TheoryData<int> Seeds() => [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

    [Fact]
    public void Zetas_FirstEntries_AreMontgomeryPowersOfRoot()
    {
        // 2^32·1753^128 mod q, centred; the inverse-NTT factor is R^2/256 mod q.
        Assert.Equal(25847, PolyArithmetic.Zetas[1]);
        Assert.Equal(41978, PolyArithmetic.InverseNttScale);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Ntt_RandomInput_Avx2EqualsScalar(int seed)
    {
        SkipWithoutAvx2();
        int[] input = Random(seed, N, -(Q - 1), Q - 1);

        AssertSameInPlace(input, (p, a) => p.Ntt(a));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void InverseNttToMont_RandomInput_Avx2EqualsScalar(int seed)
    {
        SkipWithoutAvx2();
        int[] input = Random(seed, N, -(Q - 1), Q - 1);

        AssertSameInPlace(input, (p, a) => p.InverseNttToMont(a));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void PointwiseAndDot_RandomInput_Avx2EqualsScalar(int seed)
    {
        SkipWithoutAvx2();
        int[] a = Random(seed, 5 * N, -9 * Q, 9 * Q);
        int[] b = Random(seed + 1000, 5 * N, -9 * Q, 9 * Q);
        int[] scalar = new int[5 * N], avx2 = new int[5 * N];

        PolyArithmetic.Scalar.PointwiseMontgomery(a, b, scalar);
        Avx2PolyArithmetic.Instance.PointwiseMontgomery(a, b, avx2);
        Assert.Equal(scalar, avx2);

        PolyArithmetic.Scalar.DotMontgomery(a, b, 5, scalar);
        Avx2PolyArithmetic.Instance.DotMontgomery(a, b, 5, avx2);
        Assert.Equal(scalar.AsSpan(0, N).ToArray(), avx2.AsSpan(0, N).ToArray());
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ReductionsAndDecompose_RandomInput_Avx2EqualsScalar(int seed)
    {
        SkipWithoutAvx2();
        int[] wide = Random(seed, 2 * N, int.MinValue / 2, int.MaxValue / 2);
        AssertSameInPlace(wide, (p, a) => p.Reduce32(a));
        AssertSameInPlace(wide, (p, a) => p.Freeze(a));

        int[] canonical = Random(seed, 2 * N, 0, Q - 1);
        canonical[0] = 0;
        canonical[1] = Q - 1;
        int[] highScalar = new int[2 * N], lowScalar = new int[2 * N], highAvx2 = new int[2 * N], lowAvx2 = new int[2 * N];
        PolyArithmetic.Scalar.Decompose(canonical, highScalar, lowScalar);
        Avx2PolyArithmetic.Instance.Decompose(canonical, highAvx2, lowAvx2);
        Assert.Equal(highScalar, highAvx2);
        Assert.Equal(lowScalar, lowAvx2);

        int[] sums = Random(seed, 2 * N, -Q, Q);
        int[] addScalar = new int[2 * N], addAvx2 = new int[2 * N];
        PolyArithmetic.Scalar.Subtract(sums, canonical, addScalar);
        Avx2PolyArithmetic.Instance.Subtract(sums, canonical, addAvx2);
        Assert.Equal(addScalar, addAvx2);
        PolyArithmetic.Scalar.Add(sums, canonical, addScalar);
        Avx2PolyArithmetic.Instance.Add(sums, canonical, addAvx2);
        Assert.Equal(addScalar, addAvx2);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ExceedsNorm_CoefficientAtOrBelowBound_BothPathsAgreeWithDefinition(int seed)
    {
        var random = new Random(seed);
        int bound = random.Next(1, (Q - 1) / 8);
        int[] a = Random(seed, 5 * N, -(bound - 1), bound - 1);
        foreach (PolyArithmetic path in Paths())
        {
            Assert.False(path.ExceedsNorm(a, bound));
        }

        // One coefficient at ±bound, in any representative (plus or minus multiples of q), anywhere.
        int position = random.Next(a.Length);
        a[position] = (random.Next(2) == 0 ? bound : -bound) + (Q * random.Next(-3, 4));
        foreach (PolyArithmetic path in Paths())
        {
            Assert.True(path.ExceedsNorm(a, bound));
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void NttMultiply_RandomPolynomials_EqualsSchoolbookNegacyclicProduct(int seed)
    {
        int[] a = Random(seed, N, -(Q - 1), Q - 1);
        int[] b = Random(seed + 500, N, -(Q - 1), Q - 1);
        long[] expected = new long[N];
        for (int i = 0; i < N; i++)
        {
            for (int j = 0; j < N; j++)
            {
                long product = (long)a[i] * b[j] % Q;
                int k = i + j;
                expected[k % N] += k < N ? product : -product;
            }
        }

        int[] expectedCanonical = expected.Select(v => (int)(((v % Q) + Q) % Q)).ToArray();
        foreach (PolyArithmetic path in Paths())
        {
            int[] aHat = (int[])a.Clone(), bHat = (int[])b.Clone(), product = new int[N];
            path.Ntt(aHat);
            path.Ntt(bHat);
            path.PointwiseMontgomery(aHat, bHat, product);
            path.Reduce32(product);
            path.InverseNttToMont(product);
            path.Freeze(product);

            // Pointwise multiplies by R^-1 and the inverse NTT by R: the product comes out plain.
            Assert.Equal(expectedCanonical, product);
        }
    }

    private static IEnumerable<PolyArithmetic> Paths() =>
        DilithiumTestData.ArithmeticNames.Select(DilithiumTestData.Arithmetic);

    private static void SkipWithoutAvx2() =>
        Assert.SkipUnless(System.Runtime.Intrinsics.X86.Avx2.IsSupported, "AVX2 is not supported on this CPU.");

    private static void AssertSameInPlace(int[] input, Action<PolyArithmetic, int[]> operation)
    {
        int[] scalar = (int[])input.Clone(), avx2 = (int[])input.Clone();
        operation(PolyArithmetic.Scalar, scalar);
        operation(Avx2PolyArithmetic.Instance, avx2);
        Assert.Equal(scalar, avx2);
    }

    private static int[] Random(int seed, int length, int min, int max)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (int)random.NextInt64(min, (long)max + 1)).ToArray();
    }
}
