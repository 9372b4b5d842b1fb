using System.Runtime.Intrinsics.X86;
using Coffer.Crypto.PostQuantum.Kyber;
using FsCheck;
using FsCheck.Fluent;

namespace Coffer.Crypto.Tests.PostQuantum.Kyber;

/// <summary>
/// The AVX2 arithmetic must give the scalar arithmetic's coefficients exactly, for every input inside each
/// operation's documented range; and the compression multipliers must equal the division they replace.
/// </summary>
public class KyberArithmeticTests
{
    private const int N = 256;
    private const int Q = 3329;

    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(300);

    [Fact]
    public void Ntt_RandomPolynomials_Avx2EqualsScalar() => CheckUnary(Q - 1, (p, avx) =>
    {
        if (avx)
        {
            Avx2Arithmetic.Ntt(p);
        }
        else
        {
            ScalarArithmetic.Ntt(p);
        }
    });

    [Fact]
    public void InverseNttToMont_RandomPolynomials_Avx2EqualsScalar() => CheckUnary(Q - 1, (p, avx) =>
    {
        if (avx)
        {
            Avx2Arithmetic.InverseNttToMont(p);
        }
        else
        {
            ScalarArithmetic.InverseNttToMont(p);
        }
    });

    [Fact]
    public void Reduce_AnyInt16_Avx2EqualsScalarAndIsCentred() => CheckUnary(short.MaxValue, (p, avx) =>
    {
        if (avx)
        {
            Avx2Arithmetic.Reduce(p);
        }
        else
        {
            ScalarArithmetic.Reduce(p);
        }

        Assert.All(p, c => Assert.InRange(c, -(Q - 1) / 2, (Q - 1) / 2));
    });

    [Fact]
    public void ToMont_AnyInt16_Avx2EqualsScalar() => CheckUnary(short.MaxValue, (p, avx) =>
    {
        if (avx)
        {
            Avx2Arithmetic.ToMont(p);
        }
        else
        {
            ScalarArithmetic.ToMont(p);
        }
    });

    [Fact]
    public void BaseMulAccumulate_RandomVectors_Avx2EqualsScalar()
    {
        SkipUnlessAvx2();
        // Up to 4095: a public key's 12-bit coefficients enter the base multiplication unreduced.
        Gen<short[]> vec = PolyGen(4095, 3 * N);
        Prop.ForAll(Arb.From(Gen.Two(vec)), ab =>
        {
            short[] scalar = new short[N], avx = new short[N];
            ScalarArithmetic.BaseMulAccumulate(scalar, ab.Item1, ab.Item2);
            Avx2Arithmetic.BaseMulAccumulate(avx, ab.Item1, ab.Item2);
            Assert.Equal(scalar, avx);
        }).Check(Quick);
    }

    [Fact]
    public void AddSubtract_RandomVectors_Avx2EqualsScalar()
    {
        SkipUnlessAvx2();
        Gen<short[]> vec = PolyGen(Q, 3 * N);
        Prop.ForAll(Arb.From(Gen.Two(vec)), ab =>
        {
            short[] s = new short[3 * N], a = new short[3 * N];
            ScalarArithmetic.Add(ab.Item1, ab.Item2, s);
            Avx2Arithmetic.Add(ab.Item1, ab.Item2, a);
            Assert.Equal(s, a);
            ScalarArithmetic.Subtract(ab.Item1, ab.Item2, s);
            Avx2Arithmetic.Subtract(ab.Item1, ab.Item2, a);
            Assert.Equal(s, a);
        }).Check(Quick);
    }

    [Fact]
    public void Cbd2_RandomPrfOutput_Avx2EqualsScalarAndIsInRange()
    {
        SkipUnlessAvx2();
        Prop.ForAll(Arb.From(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 128)), buf =>
        {
            short[] scalar = new short[N], avx = new short[N];
            ScalarArithmetic.Cbd2(buf, scalar);
            Avx2Arithmetic.Cbd2(buf, avx);
            Assert.Equal(scalar, avx);
            Assert.All(avx, c => Assert.InRange(c, -2, 2));
        }).Check(Quick);
    }

    [Fact]
    public void RejectUniform_RandomStreamAndStart_Avx2EqualsScalar()
    {
        SkipUnlessAvx2();
        // Bytes from 0xC0 up make most candidates >= q, so both the accept and the reject paths are exercised, and
        // the stream may run out before 256 values; the start count covers the refill calls.
        Gen<byte> anyByte = Gen.Choose(0, 255).Select(b => (byte)b);
        Gen<byte> highByte = Gen.Choose(0xC0, 255).Select(b => (byte)b);
        Gen<(byte[] Buf, int Start)> cases =
            from triples in Gen.Choose(0, 200)
            from biased in Gen.Elements(false, true)
            from buf in Gen.ArrayOf(biased ? Gen.OneOf(anyByte, highByte) : anyByte, 3 * triples)
            from start in Gen.Elements(0, 0, 100, 240, 250, 255, 256)
            select (buf, start);
        Prop.ForAll(Arb.From(cases), c =>
        {
            short[] scalar = new short[N], avx = new short[N];
            int scalarCount = ScalarArithmetic.RejectUniform(scalar, c.Start, c.Buf);
            int avxCount = Avx2Arithmetic.RejectUniform(avx, c.Start, c.Buf);
            Assert.Equal(scalarCount, avxCount);
            Assert.Equal(scalar.AsSpan(0, scalarCount).ToArray(), avx.AsSpan(0, avxCount).ToArray());
            Assert.All(avx.AsSpan(0, avxCount).ToArray(), v => Assert.InRange(v, 0, Q - 1));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));
    }

    [Fact]
    public void EncodingsAndCompression_EveryCoefficientValue_Avx2EqualsScalar()
    {
        SkipUnlessAvx2();
        // All of (-q, q), spread over as many vectors as needed and placed at every position of a 16-lane group.
        short[] all = Enumerable.Range(-(Q - 1), (2 * Q) - 1).Select(v => (short)v).ToArray();
        for (int shift = 0; shift < 16; shift += 5)
        {
            for (int start = 0; start < all.Length; start += 3 * N)
            {
                short[] vec = new short[3 * N];
                for (int i = 0; i < vec.Length; i++)
                {
                    vec[i] = all[(start + i + shift) % all.Length];
                }

                CompareEncodings(vec);
            }
        }
    }

    [Fact]
    public void PolyVecEncodings_RandomInputs_Avx2EqualsScalar()
    {
        SkipUnlessAvx2();
        Prop.ForAll(Arb.From(PolyGen(Q - 1, 3 * N)), CompareEncodings).Check(Quick);

        Gen<byte[]> bytes1152 = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 1152);
        Prop.ForAll(Arb.From(bytes1152), bytes =>
        {
            short[] scalar = new short[3 * N], avx = new short[3 * N];
            ScalarArithmetic.PolyVecFromBytes(bytes, scalar);
            Avx2Arithmetic.PolyVecFromBytes(bytes, avx);
            Assert.Equal(scalar, avx);
            ScalarArithmetic.PolyVecDecompress(bytes.AsSpan(0, 960), scalar);
            Avx2Arithmetic.PolyVecDecompress(bytes.AsSpan(0, 960), avx);
            Assert.Equal(scalar, avx);
        }).Check(Quick);
    }

    [Fact]
    public void NttThenInverse_RandomPolynomial_GivesInputTimesMontgomeryFactor()
    {
        // The transform pair on its own: invNTT(NTT(a)) = a · R mod q
        // (the inverse multiplies by R, the forward does not divide by it).
        Prop.ForAll(Arb.From(PolyGen(Q - 1, N)), input =>
        {
            foreach (bool avx in Avx2.IsSupported ? new[] { false, true } : [false])
            {
                short[] p = (short[])input.Clone();
                if (avx)
                {
                    Avx2Arithmetic.Ntt(p);
                    Avx2Arithmetic.InverseNttToMont(p);
                }
                else
                {
                    ScalarArithmetic.Ntt(p);
                    ScalarArithmetic.InverseNttToMont(p);
                }

                for (int i = 0; i < N; i++)
                {
                    Assert.Equal(Mod(input[i] * 2285L), Mod(p[i])); // R = 2^16 ≡ 2285 (mod q)
                }
            }
        }).Check(Quick);
    }

    [Fact]
    public void Compress10_EveryCoefficient_EqualsDivision()
    {
        for (uint u = 0; u < Q; u++)
        {
            Assert.Equal((((u << 10) + (Q / 2)) / Q) & 0x3FF, KyberEncoding.Compress10(u));
        }
    }

    [Fact]
    public void Compress4_EveryCoefficient_EqualsDivision()
    {
        for (uint u = 0; u < Q; u++)
        {
            Assert.Equal((((u << 4) + (Q / 2)) / Q) & 0xF, KyberEncoding.Compress4(u));
        }
    }

    [Fact]
    public void Compress1_EveryCoefficient_EqualsDivision()
    {
        for (uint u = 0; u < Q; u++)
        {
            Assert.Equal((((u << 1) + (Q / 2)) / Q) & 1, KyberEncoding.Compress1(u));
        }
    }

    [Fact]
    public void Zetas_Computed_StartWithReferenceValues()
    {
        // zetas[0] = R mod q (centred) and zetas[1] = R · 17^64 mod q.
        Assert.Equal(-1044, KyberMath.Zetas[0]);
        Assert.Equal(Mod(2285L * ModPow(17, 64)), Mod(KyberMath.Zetas[1]));
        Assert.All(KyberMath.Zetas, z => Assert.InRange(z, -(Q / 2), Q / 2));
    }

    [Fact]
    public void DifferenceMask_EqualOrDifferentAnywhere_IsZeroOrAllOnes()
    {
        byte[] a = new byte[1088];
        Random.Shared.NextBytes(a);
        Assert.Equal(0, Kyber768Ninety.DifferenceMask(a, (byte[])a.Clone()));
        foreach (int position in new[] { 0, 7, 8, 543, 1080, 1087 })
        {
            foreach (byte flip in new byte[] { 1, 0x80, 0xFF })
            {
                byte[] b = (byte[])a.Clone();
                b[position] ^= flip;
                Assert.Equal(0xFF, Kyber768Ninety.DifferenceMask(a, b));
            }
        }
    }

    [Fact]
    public void ConditionalMove_Mask_SelectsSourceOnlyWhenSet()
    {
        byte[] r = [1, 2, 3], x = [9, 8, 7];
        Kyber768Ninety.ConditionalMove(r, x, 0x00);
        Assert.Equal([1, 2, 3], r);
        Kyber768Ninety.ConditionalMove(r, x, 0xFF);
        Assert.Equal([9, 8, 7], r);
    }

    private static void CompareEncodings(short[] vec)
    {
        byte[] scalar = new byte[1152], avx = new byte[1152];
        ScalarArithmetic.PolyVecToBytes(vec, scalar);
        Avx2Arithmetic.PolyVecToBytes(vec, avx);
        Assert.Equal(scalar, avx);

        byte[] scalarC = new byte[960], avxC = new byte[960];
        ScalarArithmetic.PolyVecCompress(vec, scalarC);
        Avx2Arithmetic.PolyVecCompress(vec, avxC);
        Assert.Equal(scalarC, avxC);

        for (int p = 0; p < 3; p++)
        {
            ReadOnlySpan<short> poly = vec.AsSpan(p * N, N);
            byte[] scalarV = new byte[128], avxV = new byte[128];
            ScalarArithmetic.PolyCompress(poly, scalarV);
            Avx2Arithmetic.PolyCompress(poly, avxV);
            Assert.Equal(scalarV, avxV);

            byte[] scalarM = new byte[32], avxM = new byte[32];
            ScalarArithmetic.PolyToMessage(poly, scalarM);
            Avx2Arithmetic.PolyToMessage(poly, avxM);
            Assert.Equal(scalarM, avxM);
        }
    }

    private static void CheckUnary(int bound, Action<short[], bool> op)
    {
        SkipUnlessAvx2();
        Prop.ForAll(Arb.From(PolyGen(bound, N)), input =>
        {
            short[] scalar = (short[])input.Clone();
            short[] avx = (short[])input.Clone();
            op(scalar, false);
            op(avx, true);
            Assert.Equal(scalar, avx);
        }).Check(Quick);
    }

    private static Gen<short[]> PolyGen(int bound, int length)
        => Gen.ArrayOf(Gen.Choose(-bound, bound).Select(v => (short)v), length);

    private static void SkipUnlessAvx2() => Assert.SkipUnless(Avx2.IsSupported, "AVX2 is not available here.");

    private static long Mod(long a) => ((a % Q) + Q) % Q;

    private static long ModPow(long b, int e)
    {
        long r = 1;
        for (int i = 0; i < e; i++)
        {
            r = r * b % Q;
        }

        return r;
    }
}
