using System.Security.Cryptography;
using Coffer.Crypto.Primitives;

namespace Coffer.Crypto.Tests.Primitives;

public class Aes256CtrTests
{
    // NIST SP 800-38A F.5.5 uses a full 16-byte initial counter block; ours is nonce(12) ‖ BE32(counter), so the
    // vector's IV f0f1…fbfcfdfeff maps to nonce f0…fb with first block 0xfcfdfeff.
    [Fact]
    public void Keystream_Sp80038aF55_MatchesCiphertextXorPlaintext()
    {
        byte[] key = Convert.FromHexString("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        byte[] nonce = Convert.FromHexString("f0f1f2f3f4f5f6f7f8f9fafb");
        byte[] plain = Convert.FromHexString(
            "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
        byte[] cipher = Convert.FromHexString(
            "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5");

        using var ctr = new Aes256Ctr(key);
        byte[] stream = new byte[32];
        ctr.Keystream(nonce, 0xfcfdfeff, stream);

        byte[] xored = new byte[32];
        for (int i = 0; i < 32; i++)
        {
            xored[i] = (byte)(plain[i] ^ stream[i]);
        }

        Assert.Equal(cipher, xored);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(512)]
    [InlineData(1000)]
    public void Keystream_AnyLength_IsPrefixOfLongerStream(int length)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        using var ctr = new Aes256Ctr(key);
        byte[] longStream = new byte[2048];
        ctr.Keystream(nonce, 0, longStream);
        byte[] shortStream = new byte[length];
        ctr.Keystream(nonce, 0, shortStream);

        Assert.Equal(longStream.AsSpan(0, length).ToArray(), shortStream);
    }
}

public class Aes256CtrManyTests
{
    [Fact]
    public void KeystreamMany_EqualsOneCallPerNonce()
    {
        byte[] key = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        byte[] nonces = System.Security.Cryptography.RandomNumberGenerator.GetBytes(12 * 9);
        using var ctr = new Aes256Ctr(key);
        byte[] many = new byte[9 * 512];
        ctr.KeystreamMany(nonces, 0, many);
        for (int i = 0; i < 9; i++)
        {
            byte[] single = new byte[512];
            ctr.Keystream(nonces.AsSpan(i * 12, 12), 0, single);
            Assert.Equal(single, many.AsSpan(i * 512, 512).ToArray());
        }

        Assert.Throws<ArgumentException>(() => ctr.KeystreamMany(nonces, 0, new byte[9 * 500]));
    }
}
