using Coffer.Crypto.PostQuantum.Kyber;
using Coffer.Crypto.Primitives;
using FsCheck;
using FsCheck.Fluent;

namespace Coffer.Crypto.Tests.PostQuantum.Kyber;

/// <summary>The AES-NI keystream must equal the shared BCL-based Aes256Ctr byte for byte.</summary>
public class AesNiCtrTests
{
    [Fact]
    public void Keystream_Sp80038aF55_MatchesCiphertextXorPlaintext()
    {
        Assert.SkipUnless(AesNiCtr.IsSupported, "AES-NI is not available here.");
        // NIST SP 800-38A F.5.5 (CTR-AES256.Encrypt): IV f0…ff = nonce f0…fb, first block 0xfcfdfeff.
        byte[] key = Convert.FromHexString("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        byte[] plain = Convert.FromHexString(
            "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
            + "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
        byte[] cipher = Convert.FromHexString(
            "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
            + "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6");

        var roundKeys = default(Aes256RoundKeys);
        AesNiCtr.ExpandKey(key, ref roundKeys);
        byte[] stream = new byte[64];
        AesNiCtr.Keystream(in roundKeys, Convert.FromHexString("f0f1f2f3f4f5f6f7f8f9fafb"), 0xfcfdfeff, stream);

        Assert.Equal(cipher, plain.Zip(stream, (p, s) => (byte)(p ^ s)).ToArray());
    }

    [Fact]
    public void Keystream_RandomKeyNonceLengthAndStart_EqualsAes256Ctr()
    {
        Assert.SkipUnless(AesNiCtr.IsSupported, "AES-NI is not available here.");
        Gen<byte[]> bytes32 = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 32);
        Gen<byte[]> bytes12 = Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), 12);
        Gen<(byte[] Key, byte[] Nonce, int Length, uint Start)> cases =
            from key in bytes32
            from nonce in bytes12
            from length in Gen.Choose(0, 700)
            from start in Gen.Elements(0u, 1u, 31u, 0xFFFFFFFEu)
            select (key, nonce, length, start);

        Prop.ForAll(Arb.From(cases), c =>
        {
            using var bcl = new Aes256Ctr(c.Key);
            byte[] expected = new byte[c.Length];
            bcl.Keystream(c.Nonce, c.Start, expected);

            var roundKeys = default(Aes256RoundKeys);
            AesNiCtr.ExpandKey(c.Key, ref roundKeys);
            byte[] actual = new byte[c.Length];
            AesNiCtr.Keystream(in roundKeys, c.Nonce, c.Start, actual);
            Assert.Equal(expected, actual);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
    }
}
