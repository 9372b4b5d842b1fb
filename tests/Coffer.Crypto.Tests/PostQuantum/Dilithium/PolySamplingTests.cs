using System.Security.Cryptography;
using Coffer.Crypto.PostQuantum.Dilithium;

namespace Coffer.Crypto.Tests.PostQuantum.Dilithium;

public class PolySamplingTests
{
    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 32)];

    // The masked-scan SampleInBall must equal the plain swap form of the specification.
    [Theory]
    [MemberData(nameof(Seeds))]
    public void Challenge_RandomCTilde_EqualsPlainSampleInBall(int seed)
    {
        byte[] cTilde = new byte[32];
        new Random(seed).NextBytes(cTilde);
        int[] actual = new int[PolyArithmetic.N];

        PolySampling.Challenge(cTilde, actual);

        Assert.Equal(PlainSampleInBall(cTilde), actual);
        Assert.Equal(Dilithium3Aes.Tau, actual.Count(c => c != 0));
        Assert.All(actual, c => Assert.InRange(c, -1, 1));
    }

    [Fact]
    public void SampleSecrets_RandomSeed_CoefficientsWithinEta()
    {
        int[] s1 = new int[Dilithium3Aes.L * PolyArithmetic.N];
        int[] s2 = new int[Dilithium3Aes.K * PolyArithmetic.N];

        PolySampling.SampleSecrets(RandomNumberGenerator.GetBytes(64), s1, s2);

        Assert.All(s1.Concat(s2), c => Assert.InRange(c, -Dilithium3Aes.Eta, Dilithium3Aes.Eta));
    }

    private static int[] PlainSampleInBall(byte[] cTilde)
    {
        byte[] stream = Shake256.HashData(cTilde, 136 * 4);
        ulong signs = BitConverter.ToUInt64(stream, 0);
        int position = 8;
        int[] c = new int[PolyArithmetic.N];
        for (int i = PolyArithmetic.N - Dilithium3Aes.Tau; i < PolyArithmetic.N; i++)
        {
            int b;
            do
            {
                b = stream[position++];
            }
            while (b > i);

            c[i] = c[b];
            c[b] = (signs & 1) == 0 ? 1 : -1;
            signs >>= 1;
        }

        return c;
    }
}
