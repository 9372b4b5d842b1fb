using Coffer.Crypto.PostQuantum.Dilithium;

namespace Coffer.Crypto.Tests.PostQuantum.Dilithium;

// NIST KAT of Dilithium3-AES round 3 v3.1 (deterministic signing), run through every arithmetic path.
public class Dilithium3AesKatTests
{
    [Fact]
    public void KatFile_Read_HasEntriesWithSeeds()
    {
        Assert.NotEmpty(DilithiumTestData.KatEntries);
        Assert.All(DilithiumTestData.KatEntries, e => Assert.Equal(Dilithium3Aes.SeedSize, e.Zeta.Length));
    }

    [Theory]
    [MemberData(nameof(DilithiumTestData.KatCases), MemberType = typeof(DilithiumTestData))]
    public void GenerateKeyPair_KatSeed_MatchesPublicAndSecretKey(string arithmetic, int count)
    {
        DilithiumKatEntry entry = DilithiumTestData.KatEntries.Single(e => e.Count == count);
        byte[] pk = new byte[Dilithium3Aes.PublicKeySize];
        byte[] sk = new byte[Dilithium3Aes.SecretKeySize];

        Dilithium3Aes.GenerateKeyPair(DilithiumTestData.Arithmetic(arithmetic), entry.Zeta, pk, sk);

        Assert.Equal(Convert.ToHexString(entry.PublicKey), Convert.ToHexString(pk));
        Assert.Equal(Convert.ToHexString(entry.SecretKey), Convert.ToHexString(sk));
    }

    [Theory]
    [MemberData(nameof(DilithiumTestData.KatCases), MemberType = typeof(DilithiumTestData))]
    public void Sign_KatDeterministic_MatchesSignedMessage(string arithmetic, int count)
    {
        DilithiumKatEntry entry = DilithiumTestData.KatEntries.Single(e => e.Count == count);
        byte[] signature = new byte[Dilithium3Aes.SignatureSize];

        Dilithium3Aes.Sign(DilithiumTestData.Arithmetic(arithmetic), entry.SecretKey, entry.Message, [], signature);

        Assert.Equal(Convert.ToHexString(entry.SignedMessage.AsSpan(0, Dilithium3Aes.SignatureSize)), Convert.ToHexString(signature));
        Assert.Equal(entry.Message, entry.SignedMessage.AsSpan(Dilithium3Aes.SignatureSize).ToArray());
    }

    [Theory]
    [MemberData(nameof(DilithiumTestData.KatCases), MemberType = typeof(DilithiumTestData))]
    public void Verify_KatSignature_ReturnsTrue(string arithmetic, int count)
    {
        DilithiumKatEntry entry = DilithiumTestData.KatEntries.Single(e => e.Count == count);

        bool valid = Dilithium3Aes.Verify(
            DilithiumTestData.Arithmetic(arithmetic),
            entry.PublicKey,
            entry.Message,
            entry.SignedMessage.AsSpan(0, Dilithium3Aes.SignatureSize));

        Assert.True(valid);
    }
}
