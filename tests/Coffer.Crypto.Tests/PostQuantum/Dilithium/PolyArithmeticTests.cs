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

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MakeHint_RandomAndEdgeInput_Avx2EqualsScalar(int seed)
    {
        SkipWithoutAvx2();
        int gamma2 = Dilithium3Aes.Gamma2;
        var random = new Random(seed);
        int[] edges = [-gamma2 - 1, -gamma2, -gamma2 + 1, 0, gamma2 - 1, gamma2, gamma2 + 1];
        int[] low = Enumerable.Range(0, 6 * N)
            .Select(_ => random.Next(4) == 0 ? edges[random.Next(edges.Length)] : random.Next(-gamma2 - 200, gamma2 + 200))
            .ToArray();
        int[] high = Enumerable.Range(0, 6 * N).Select(_ => random.Next(3) == 0 ? 0 : random.Next(16)).ToArray();
        int[] scalar = new int[6 * N], avx2 = new int[6 * N];

        int scalarCount = PolyArithmetic.Scalar.MakeHint(low, high, scalar);
        int avx2Count = Avx2PolyArithmetic.Instance.MakeHint(low, high, avx2);

        Assert.Equal(scalar, avx2);
        Assert.Equal(scalarCount, avx2Count);
        Assert.Equal(scalar.Sum(), scalarCount);
        Assert.Equal(1, PolyArithmetic.HintCoefficient(-gamma2, 1));
        Assert.Equal(0, PolyArithmetic.HintCoefficient(-gamma2, 0));
        Assert.Equal(0, PolyArithmetic.HintCoefficient(gamma2, 5));
        Assert.Equal(1, PolyArithmetic.HintCoefficient(gamma2 + 1, 0));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RejectUniform_StreamsWithManyRejections_Avx2EqualsScalar(int seed)
    {
        SkipWithoutAvx2();
        var random = new Random(seed);
        foreach (int length in new[] { 3, 30, 96, 816, 1200 })
        {
            byte[] stream = new byte[length];
            random.NextBytes(stream);

            // Raise the rejection rate so that the compress table sees many masks: top bytes ≥ 0x7F mostly reject.
            for (int i = 2; i < length; i += 3)
            {
                if (random.Next(seed % 4 + 2) == 0)
                {
                    stream[i] |= 0x7F;
                }
            }

            int start = random.Next(0, 256);
            int[] scalar = new int[N], avx2 = new int[N];
            int scalarCount = PolyArithmetic.Scalar.RejectUniform(stream, scalar, start);
            int avx2Count = Avx2PolyArithmetic.Instance.RejectUniform(stream, avx2, start);

            Assert.Equal(scalarCount, avx2Count);
            Assert.Equal(scalar.AsSpan(0, scalarCount).ToArray(), avx2.AsSpan(0, avx2Count).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void UseHint_RandomInput_Avx2EqualsScalarAndDecomposeWithoutHint(int seed)
    {
        SkipWithoutAvx2();
        var random = new Random(seed);
        int[] a = Random(seed, 6 * N, 0, Q - 1);
        a[0] = 0;
        a[1] = Q - 1;
        int[] hint = Enumerable.Range(0, 6 * N).Select(_ => random.Next(2)).ToArray();
        int[] scalar = new int[6 * N], avx2 = new int[6 * N], high = new int[6 * N], low = new int[6 * N];

        PolyArithmetic.Scalar.UseHint(a, hint, scalar);
        Avx2PolyArithmetic.Instance.UseHint(a, hint, avx2);
        PolyArithmetic.Scalar.Decompose(a, high, low);

        Assert.Equal(scalar, avx2);
        for (int i = 0; i < a.Length; i++)
        {
            int expected = hint[i] == 0 ? high[i] : low[i] > 0 ? (high[i] + 1) & 15 : (high[i] + 15) & 15;
            Assert.Equal(expected, scalar[i]);
        }
    }

    public static TheoryData<string, int> CodecCases()
    {
        var data = new TheoryData<string, int>();
        foreach (string codec in new[] { "t1", "t0", "eta", "z" })
        {
            for (int seed = 1; seed <= 8; seed++)
            {
                data.Add(codec, seed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CodecCases))]
    public void PackAndUnpack_RandomValues_EqualGenericBitPacking(string codec, int seed)
    {
        // (bits, bias, sign): stored field = bias + sign·value.
        (int bits, int bias, int sign, PackAction pack, UnpackAction unpack) = codec switch
        {
            "t1" => (10, 0, 1, (PackAction)PolyPacking.PackT1, (UnpackAction)PolyPacking.UnpackT1),
            "t0" => (13, 1 << 12, -1, PolyPacking.PackT0, PolyPacking.UnpackT0),
            "eta" => (4, Dilithium3Aes.Eta, -1, PolyPacking.PackEta, PolyPacking.UnpackEta),
            "z" => (20, Dilithium3Aes.Gamma1, -1, PolyPacking.PackZ, PolyPacking.UnpackZ),
            _ => throw new ArgumentOutOfRangeException(nameof(codec)),
        };
        int bytes = N * bits / 8;
        var random = new Random(seed);
        byte[] packed = new byte[bytes];
        random.NextBytes(packed);
        int[] special = new int[N], generic = new int[N];

        // Any bytes unpack the same way (also fields outside the valid range, as in a malformed secret key).
        unpack(packed, special);
        PolyPacking.UnpackBitwise(packed, bits, bias, sign, generic);
        Assert.Equal(generic, special);

        // And packing inverts unpacking.
        byte[] repacked = new byte[bytes], repackedGeneric = new byte[bytes];
        pack(special, repacked);
        PolyPacking.PackBitwise(special, bits, bias, sign, repackedGeneric);
        Assert.Equal(packed, repacked);
        Assert.Equal(packed, repackedGeneric);
    }

    private delegate void PackAction(ReadOnlySpan<int> a, Span<byte> output);

    private delegate void UnpackAction(ReadOnlySpan<byte> input, Span<int> a);

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
