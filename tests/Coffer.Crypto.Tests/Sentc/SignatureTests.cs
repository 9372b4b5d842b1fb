using System.Text;
using Coffer.Crypto.Sentc;

namespace Coffer.Crypto.Tests.Sentc;

/// <summary><c>signatures-hybrid.json</c> and the signed cases of <c>symmetric.json</c>: ED25519_DILITHIUM_3.</summary>
public class SignatureTests
{
    private const string File = "signatures-hybrid.json";

    public static TheoryData<int> WasmSignatures => SentcVectors.Indexes(File, "wasm_signatures");

    public static TheoryData<int> IndependentSignatures => SentcVectors.Indexes(File, "independent_signatures_accepted_by_wasm_format");

    public static TheoryData<int> SignedSymmetric => SentcVectors.Indexes("symmetric.json", "signed", "cases");

    private static VerifyKey Verify() => VerifyKey.ImportJson(SentcVectors.At(File).Str("verify_key_export"));

    private static SignKey Sign() => SignKey.ImportJson(SentcVectors.At(File).Str("sign_key_export"));

    [Fact]
    public void Keys_Exports_MatchRawAndVerifyKeyData()
    {
        var v = SentcVectors.File(File);
        VerifyKey verifyKey = Verify();
        var raw = v.GetProperty("verify_key_raw");
        Assert.Equal([.. raw.B64("x_b64"), .. raw.B64("k_b64")], verifyKey.Export());
        Assert.Equal(verifyKey, UserVerifyKeyData.Parse(v.Str("verify_key_data")));
        Assert.Equal(v.Str("verify_key_data"), UserVerifyKeyData.ToJson(UserVerifyKeyData.Parse(v.Str("verify_key_data"))));
        using SignKey signKey = Sign();
        Assert.Equal(v.Str("sign_key_export"), signKey.ExportJson());
    }

    [Theory]
    [MemberData(nameof(WasmSignatures))]
    public void Verify_WasmSignatures_Pass(int index)
    {
        var c = SentcVectors.At(File, "wasm_signatures", index);
        byte[] message = c.Hex("message_hex");
        byte[] signature = [.. c.B64("ed25519_sig_b64"), .. c.B64("dilithium_sig_b64")];
        Assert.Equal(c.B64("data_with_sig_b64"), (byte[])[.. signature, .. message]);
        Assert.True(Verify().Verify(message, signature));
    }

    [Theory]
    [MemberData(nameof(IndependentSignatures))]
    public void VerifyText_IndependentSignatures_Pass(int index)
    {
        var c = SentcVectors.At(File, "independent_signatures_accepted_by_wasm_format", index);
        Assert.True(Verify().VerifyText(c.Hex("message_hex"), c.Str("sig_string")));
    }

    [Fact]
    public void Sign_OurSignature_VerifiesAndIsRandomized()
    {
        using SignKey signKey = Sign();
        byte[] message = "hello sentc"u8.ToArray();
        byte[] first = signKey.Sign(message);
        byte[] second = signKey.Sign(message);
        Assert.Equal(3357, first.Length);
        Assert.NotEqual(first[64..], second[64..]);   // Dilithium half: fresh rho' per signature
        Assert.Equal(first[..64], second[..64]);      // Ed25519 half: deterministic
        Assert.True(Verify().Verify(message, first));
        Assert.True(Verify().VerifyText(message, signKey.SignToText(message)));
        Assert.Equal(4495, signKey.SignToText(message).Length);
    }

    [Fact]
    public void Verify_TamperedEitherHalfOrMessage_Fails()
    {
        var c = SentcVectors.At(File, "wasm_signatures", 0);
        byte[] message = c.Hex("message_hex");
        byte[] signature = [.. c.B64("ed25519_sig_b64"), .. c.B64("dilithium_sig_b64")];
        VerifyKey key = Verify();
        foreach (int position in new[] { 0, 40, 63, 64, 64 + 31, 64 + 32, 64 + 2000, signature.Length - 1 })
        {
            byte[] tampered = (byte[])signature.Clone();
            tampered[position] ^= 1;
            Assert.False(key.Verify(message, tampered));
        }

        byte[] otherMessage = (byte[])message.Clone();
        otherMessage[0] ^= 1;
        Assert.False(key.Verify(otherMessage, signature));
        Assert.False(key.Verify(message, signature[..^1]));
        Assert.False(key.Verify(message, [.. signature, 0]));
        Assert.False(key.VerifyText(message, "{\"x\":\"AA==\",\"k\":\"AA==\"}"));
        Assert.False(key.VerifyText(message, "not json"));
    }

    [Fact]
    public void Verify_ValidDilithiumWithForeignEd25519_Fails()
    {
        // A foreign Ed25519 signature next to a Dilithium signature that covers it must still fail, because the
        // Ed25519 half is checked against the verify key's own Ed25519 key.
        (SignKey foreign, _) = SignKey.Generate(SignatureAlgorithm.Ed25519Dilithium3, "f");
        using SignKey own = Sign();
        using (foreign)
        {
            byte[] message = "m"u8.ToArray();
            byte[] foreignSig = foreign.Sign(message);
            byte[] ownSig = own.Sign(message);
            byte[] mixed = [.. foreignSig[..64], .. ownSig[64..]];
            Assert.False(Verify().Verify(message, mixed));
        }
    }

    [Fact]
    public void Verify_WrongKey_Fails()
    {
        (SignKey other, VerifyKey otherVerify) = SignKey.Generate(SignatureAlgorithm.Ed25519Dilithium3, "o");
        using (other)
        {
            using SignKey own = Sign();
            Assert.False(otherVerify.Verify("m"u8, own.Sign("m"u8)));
            Assert.True(otherVerify.Verify("m"u8, other.Sign("m"u8)));
        }
    }

    [Theory]
    [MemberData(nameof(SignedSymmetric))]
    public void DecryptSigned_WasmAndIndependent_VerifyAndDecrypt(int index)
    {
        var s = SentcVectors.At("symmetric.json", "signed");
        var c = SentcVectors.At("symmetric.json", "signed", "cases", index);
        using SymmetricKey key = SymmetricKey.ImportJson(SentcVectors.At("symmetric.json").Str("key_export"));
        VerifyKey verifyKey = UserVerifyKeyData.Parse(s.Str("verify_key_data"));
        Assert.Equal(s.Str("sign_key_id"), verifyKey.KeyId);
        foreach (string field in new[] { "wasm_full_b64", "ours_full_b64" })
        {
            Assert.Equal(c.Hex("plaintext_hex"), EncryptedData.Decrypt(key, c.B64(field), verifyKey));
            Assert.Equal(c.Hex("plaintext_hex"), EncryptedData.Decrypt(key, c.B64(field)));
        }
    }

    [Fact]
    public void DecryptSigned_VerifyKeyIdMismatch_IsClient20()
    {
        var s = SentcVectors.At("symmetric.json", "signed");
        var c = SentcVectors.At("symmetric.json", "signed", "cases", 0);
        using SymmetricKey key = SymmetricKey.ImportJson(SentcVectors.At("symmetric.json").Str("key_export"));
        VerifyKey verifyKey = UserVerifyKeyData.Parse(s.Str("verify_key_data"));
        VerifyKey renamed = VerifyKey.Import(verifyKey.Algorithm, verifyKey.Export(), "another_id");
        Assert.Equal("client_20", Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(key, c.B64("wasm_full_b64"), renamed)).Code);
    }

    [Fact]
    public void DecryptSigned_TamperedSignature_IsClient22()
    {
        var s = SentcVectors.At("symmetric.json", "signed");
        var c = SentcVectors.At("symmetric.json", "signed", "cases", 0);
        using SymmetricKey key = SymmetricKey.ImportJson(SentcVectors.At("symmetric.json").Str("key_export"));
        VerifyKey verifyKey = UserVerifyKeyData.Parse(s.Str("verify_key_data"));
        byte[] data = c.B64("wasm_full_b64");
        int payload = Array.IndexOf(data, (byte)0) + 1;
        foreach (int offset in new[] { 5, 64 + 100 })
        {
            byte[] tampered = (byte[])data.Clone();
            tampered[payload + offset] ^= 1;
            Assert.Equal("client_22", Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(key, tampered, verifyKey)).Code);
        }
    }

    [Fact]
    public void EncryptSigned_OurData_HasSignHeadAndVerifies()
    {
        using SymmetricKey key = SymmetricKey.Generate("k");
        using SignKey signKey = Sign();
        byte[] data = EncryptedData.Encrypt(key, "signed"u8, signKey);
        DataHead head = EncryptedData.ReadHead(data);
        Assert.Equal(new SignHead("usk_alice", "ED25519_DILITHIUM_3"), head.Sign);
        Assert.Equal("signed"u8.ToArray(), EncryptedData.Decrypt(key, data, Verify()));
        byte[] shortData = [.. Encoding.UTF8.GetBytes(head.ToJson()), 0, .. new byte[3357]];
        Assert.Equal(CryptoError.SignedDataTooShort, Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(key, shortData)).Error);
    }

    [Fact]
    public void SingleAlgorithms_Ed25519AndDilithium_SignAndVerify()
    {
        foreach (SignatureAlgorithm algorithm in new[] { SignatureAlgorithm.Ed25519, SignatureAlgorithm.Dilithium3 })
        {
            (SignKey signKey, VerifyKey verifyKey) = SignKey.Generate(algorithm, "s");
            using (signKey)
            {
                byte[] signature = signKey.Sign("abc"u8);
                Assert.Equal(algorithm.SignatureSize, signature.Length);
                Assert.True(verifyKey.Verify("abc"u8, signature));
                Assert.True(VerifyKey.FromWireText(algorithm, verifyKey.ToWireText(), "s").VerifyText("abc"u8, signKey.SignToText("abc"u8)));
                Assert.False(verifyKey.Verify("abd"u8, signature));
            }
        }
    }
}
