using System.Security.Cryptography;
using Coffer.Crypto.PostQuantum.Dilithium;

namespace Coffer.Crypto.Tests.PostQuantum.Dilithium;

// Round trips over random keys, messages and signing randomness; the seeds are fixed so a failure reproduces, and
// the last theory uses fresh OS randomness.
public class Dilithium3AesRoundTripTests
{
    public static TheoryData<int> Seeds() => [.. Enumerable.Range(1, 24)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void SignThenVerify_RandomKeyMessageAndRhoPrime_VerifiesAndPathsAgree(int seed)
    {
        var random = new Random(seed);
        byte[] zeta = Bytes(random, Dilithium3Aes.SeedSize);
        byte[] message = Bytes(random, random.Next(0, 3000));
        byte[] rhoPrime = random.Next(3) == 0 ? [] : Bytes(random, Dilithium3Aes.RandomnessSize);

        byte[]? reference = null;
        foreach (string name in DilithiumTestData.ArithmeticNames)
        {
            PolyArithmetic path = DilithiumTestData.Arithmetic(name);
            byte[] pk = new byte[Dilithium3Aes.PublicKeySize];
            byte[] sk = new byte[Dilithium3Aes.SecretKeySize];
            byte[] signature = new byte[Dilithium3Aes.SignatureSize];
            Dilithium3Aes.GenerateKeyPair(path, zeta, pk, sk);
            Dilithium3Aes.Sign(path, sk, message, rhoPrime, signature);

            Assert.True(Dilithium3Aes.Verify(path, pk, message, signature));
            byte[] all = [.. pk, .. sk, .. signature];
            if (reference is null)
            {
                reference = all;
            }
            else
            {
                Assert.Equal(reference, all);
            }
        }
    }

    [Fact]
    public void Sign_SameInputsDifferentRhoPrime_BothVerifyAndDiffer()
    {
        byte[] pk = new byte[Dilithium3Aes.PublicKeySize];
        byte[] sk = new byte[Dilithium3Aes.SecretKeySize];
        Dilithium3Aes.GenerateKeyPair(RandomNumberGenerator.GetBytes(32), pk, sk);
        byte[] message = RandomNumberGenerator.GetBytes(1024);
        byte[] first = new byte[Dilithium3Aes.SignatureSize];
        byte[] second = new byte[Dilithium3Aes.SignatureSize];
        byte[] deterministic = new byte[Dilithium3Aes.SignatureSize];

        Dilithium3Aes.Sign(sk, message, RandomNumberGenerator.GetBytes(64), first);
        Dilithium3Aes.Sign(sk, message, RandomNumberGenerator.GetBytes(64), second);
        Dilithium3Aes.Sign(sk, message, [], deterministic);

        Assert.NotEqual(first, second);
        Assert.True(Dilithium3Aes.Verify(pk, message, first));
        Assert.True(Dilithium3Aes.Verify(pk, message, second));
        Assert.True(Dilithium3Aes.Verify(pk, message, deterministic));
    }

    [Fact]
    public void SignThenVerify_FreshRandomness_Verifies()
    {
        for (int i = 0; i < 8; i++)
        {
            byte[] pk = new byte[Dilithium3Aes.PublicKeySize];
            byte[] sk = new byte[Dilithium3Aes.SecretKeySize];
            Dilithium3Aes.GenerateKeyPair(RandomNumberGenerator.GetBytes(32), pk, sk);
            byte[] message = RandomNumberGenerator.GetBytes(RandomNumberGenerator.GetInt32(0, 2048));
            byte[] signature = new byte[Dilithium3Aes.SignatureSize];
            Dilithium3Aes.Sign(sk, message, RandomNumberGenerator.GetBytes(64), signature);

            Assert.True(Dilithium3Aes.Verify(pk, message, signature));
            Assert.True(Dilithium3Aes.Verify(PolyArithmetic.Scalar, pk, message, signature));
        }
    }

    private static byte[] Bytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
