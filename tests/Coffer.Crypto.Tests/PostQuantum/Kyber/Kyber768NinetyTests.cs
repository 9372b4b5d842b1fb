using System.Security.Cryptography;
using System.Runtime.Intrinsics.X86;
using Coffer.Crypto.PostQuantum.Kyber;
using FsCheck;
using FsCheck.Fluent;

namespace Coffer.Crypto.Tests.PostQuantum.Kyber;

/// <summary>Round trips, implicit rejection and argument validation of the KEM, on both arithmetic paths.</summary>
public class Kyber768NinetyTests
{
    private static readonly Config Quick = Config.QuickThrowOnFailure.WithMaxTest(40);

    private static readonly Gen<byte[]> Bytes32 = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 32);

    public static TheoryData<string> Paths => [.. KyberVectors.Paths];

    [Theory]
    [MemberData(nameof(Paths))]
    public void EncapsulateThenDecapsulate_RandomKeys_SharedSecretsAgree(string path)
    {
        KyberPath p = KyberVectors.Use(path);
        Prop.ForAll(Arb.From(Gen.Three(Bytes32)), dzm =>
        {
            (byte[] pk, byte[] sk) = KeyPair(p, dzm.Item1, dzm.Item2);
            byte[] ct = new byte[Kyber768Ninety.CiphertextSize];
            byte[] ssB = new byte[32], ssA = new byte[32];
            Kyber768Ninety.Encapsulate(p, pk, dzm.Item3, ct, ssB);
            Kyber768Ninety.Decapsulate(p, sk, ct, ssA);
            Assert.Equal(ssB, ssA);
            Assert.Equal(dzm.Item2, sk[2368..2400]);
            Assert.Equal(pk, sk[1152..2336]);
            Assert.Equal(SHA256.HashData(pk), sk[2336..2368]);
        }).Check(Quick);
    }

    [Fact]
    public void AllOperations_RandomInputs_Avx2EqualsScalar()
    {
        Assert.SkipUnless(Avx2.IsSupported, "AVX2 is not available here.");
        Prop.ForAll(Arb.From(Gen.Three(Bytes32)), dzm =>
        {
            (byte[] pkS, byte[] skS) = KeyPair(KyberPath.Scalar, dzm.Item1, dzm.Item2);
            (byte[] pkA, byte[] skA) = KeyPair(KyberPath.Avx2, dzm.Item1, dzm.Item2);
            Assert.Equal(pkS, pkA);
            Assert.Equal(skS, skA);

            byte[] ctS = new byte[1088], ctA = new byte[1088], ssS = new byte[32], ssA = new byte[32];
            Kyber768Ninety.Encapsulate(KyberPath.Scalar, pkS, dzm.Item3, ctS, ssS);
            Kyber768Ninety.Encapsulate(KyberPath.Avx2, pkS, dzm.Item3, ctA, ssA);
            Assert.Equal(ctS, ctA);
            Assert.Equal(ssS, ssA);

            // A random "ciphertext" (almost surely invalid) must decapsulate identically too.
            byte[] junk = RandomNumberGenerator.GetBytes(1088);
            Kyber768Ninety.Decapsulate(KyberPath.Scalar, skS, junk, ssS);
            Kyber768Ninety.Decapsulate(KyberPath.Avx2, skS, junk, ssA);
            Assert.Equal(ssS, ssA);
        }).Check(Quick);
    }

    [Fact]
    public void PublicEntryPoints_DefaultPath_MatchExplicitPaths()
    {
        byte[] d = RandomNumberGenerator.GetBytes(32), z = RandomNumberGenerator.GetBytes(32), m = RandomNumberGenerator.GetBytes(32);
        byte[] pk = new byte[1184], sk = new byte[2400], ct = new byte[1088], ss = new byte[32], ss2 = new byte[32];
        Kyber768Ninety.GenerateKeyPair(d, z, pk, sk);
        Kyber768Ninety.Encapsulate(pk, m, ct, ss);
        Kyber768Ninety.Decapsulate(sk, ct, ss2);
        Assert.Equal(ss, ss2);

        (byte[] pkScalar, _) = KeyPair(KyberPath.Scalar, d, z);
        byte[] ctScalar = new byte[1088], ssScalar = new byte[32];
        Kyber768Ninety.Encapsulate(KyberPath.Scalar, pkScalar, m, ctScalar, ssScalar);
        Assert.Equal(pkScalar, pk);
        Assert.Equal(ctScalar, ct);
        Assert.Equal(ssScalar, ss);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Decapsulate_TamperedCiphertextAnyByte_ReturnsImplicitRejectionSecret(string path)
    {
        KyberPath p = KyberVectors.Use(path);
        (byte[] pk, byte[] sk) = KeyPair(p, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        byte[] ct = new byte[1088], ss = new byte[32];
        Kyber768Ninety.Encapsulate(p, pk, RandomNumberGenerator.GetBytes(32), ct, ss);
        byte[] z = sk[2368..];

        Gen<(int Position, byte Flip)> tamper = Gen.Choose(0, 1087)
            .SelectMany(_ => Gen.Choose(1, 255), (pos, flip) => (pos, (byte)flip));
        Prop.ForAll(Arb.From(tamper), t =>
        {
            byte[] bad = (byte[])ct.Clone();
            bad[t.Position] ^= t.Flip;
            byte[] got = new byte[32];
            Kyber768Ninety.Decapsulate(p, sk, bad, got);
            Assert.Equal(SHA256.HashData([.. z, .. SHA256.HashData(bad)]), got);
            Assert.NotEqual(ss, got);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100));

        // The first and last bytes explicitly (u and v parts of the ciphertext).
        foreach (int position in new[] { 0, 959, 960, 1087 })
        {
            byte[] bad = (byte[])ct.Clone();
            bad[position] ^= 0x01;
            byte[] got = new byte[32];
            Kyber768Ninety.Decapsulate(p, sk, bad, got);
            Assert.Equal(SHA256.HashData([.. z, .. SHA256.HashData(bad)]), got);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void Decapsulate_OtherKeysCiphertext_ReturnsImplicitRejectionSecret(string path)
    {
        KyberPath p = KyberVectors.Use(path);
        (byte[] pk, _) = KeyPair(p, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        (_, byte[] otherSk) = KeyPair(p, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));
        byte[] ct = new byte[1088], ss = new byte[32], got = new byte[32];
        Kyber768Ninety.Encapsulate(p, pk, RandomNumberGenerator.GetBytes(32), ct, ss);
        Kyber768Ninety.Decapsulate(p, otherSk, ct, got);
        Assert.Equal(SHA256.HashData([.. otherSk[2368..], .. SHA256.HashData(ct)]), got);
    }

    [Theory]
    [InlineData("d", 31)]
    [InlineData("d", 33)]
    [InlineData("z", 0)]
    [InlineData("publicKey", 1183)]
    [InlineData("secretKey", 2401)]
    public void GenerateKeyPair_WrongLength_ThrowsArgumentException(string argument, int length)
    {
        byte[] d = Sized(argument == "d", length, 32), z = Sized(argument == "z", length, 32);
        byte[] pk = Sized(argument == "publicKey", length, 1184), sk = Sized(argument == "secretKey", length, 2400);
        var e = Assert.Throws<ArgumentException>(() => Kyber768Ninety.GenerateKeyPair(d, z, pk, sk));
        Assert.Equal(argument, e.ParamName);
    }

    [Theory]
    [InlineData("publicKey", 1152)]
    [InlineData("randomM", 64)]
    [InlineData("ciphertext", 1087)]
    [InlineData("sharedSecret", 16)]
    public void Encapsulate_WrongLength_ThrowsArgumentException(string argument, int length)
    {
        byte[] pk = Sized(argument == "publicKey", length, 1184), m = Sized(argument == "randomM", length, 32);
        byte[] ct = Sized(argument == "ciphertext", length, 1088), ss = Sized(argument == "sharedSecret", length, 32);
        var e = Assert.Throws<ArgumentException>(() => Kyber768Ninety.Encapsulate(pk, m, ct, ss));
        Assert.Equal(argument, e.ParamName);
    }

    [Theory]
    [InlineData("secretKey", 2399)]
    [InlineData("secretKey", 0)]
    [InlineData("ciphertext", 1089)]
    [InlineData("sharedSecret", 33)]
    public void Decapsulate_WrongLength_ThrowsArgumentException(string argument, int length)
    {
        byte[] sk = Sized(argument == "secretKey", length, 2400), ct = Sized(argument == "ciphertext", length, 1088);
        byte[] ss = Sized(argument == "sharedSecret", length, 32);
        var e = Assert.Throws<ArgumentException>(() => Kyber768Ninety.Decapsulate(sk, ct, ss));
        Assert.Equal(argument, e.ParamName);
    }

    [Fact]
    public void Decapsulate_WrongLengthSecretKey_MessageHasNoKeyBytes()
    {
        byte[] sk = RandomNumberGenerator.GetBytes(2399);
        var e = Assert.Throws<ArgumentException>(() => Kyber768Ninety.Decapsulate(sk, new byte[1088], new byte[32]));
        Assert.DoesNotContain(Convert.ToHexString(sk, 0, 4), e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToBase64String(sk, 0, 6), e.Message, StringComparison.Ordinal);
        Assert.Contains("2400", e.Message, StringComparison.Ordinal);
    }

    private static (byte[] Pk, byte[] Sk) KeyPair(KyberPath path, byte[] d, byte[] z)
    {
        byte[] pk = new byte[Kyber768Ninety.PublicKeySize], sk = new byte[Kyber768Ninety.SecretKeySize];
        Kyber768Ninety.GenerateKeyPair(path, d, z, pk, sk);
        return (pk, sk);
    }

    private static byte[] Sized(bool wrong, int wrongLength, int rightLength) => new byte[wrong ? wrongLength : rightLength];
}
