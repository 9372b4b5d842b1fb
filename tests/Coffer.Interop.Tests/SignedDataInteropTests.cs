using System.Text;
using Coffer.Crypto;
using Coffer.Crypto.Sentc;

namespace Coffer.Interop.Tests;

/// <summary>
/// Signed data (crypto-std.md §7.3, §9): <c>head{sign} ‖ 0 ‖ sig_x ‖ sig_k ‖ blob</c>. C# signs and the official
/// client verifies with <c>verify_key_data</c>; either half tampered is client_22 on both sides; the official client
/// signs and C# verifies.
/// </summary>
public class SignedDataInteropTests(OfficialClient wasm) : IClassFixture<OfficialClient>
{
    private const int Ed25519SignatureSize = 64;

    public static TheoryData<string> Plaintexts => [Interop.Tests.Plaintexts.Empty, Interop.Tests.Plaintexts.Utf8, Interop.Tests.Plaintexts.OneMiB];

    public enum SignatureHalf
    {
        Ed25519,
        Dilithium,
    }

    public static TheoryData<SignatureHalf> SignatureHalves => [SignatureHalf.Ed25519, SignatureHalf.Dilithium];

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public async Task EncryptSymmetric_SignedByCSharp_WasmVerifiesAndDecrypts(string plaintext)
    {
        byte[] data = Interop.Tests.Plaintexts.Bytes(plaintext);
        string text = Interop.Tests.Plaintexts.Text(plaintext);
        using SymmetricKey key = SymmetricKey.Generate("sym_signed");
        (SignKey signKey, VerifyKey verifyKey) = Keys.SignPair("usk_carol");
        using (signKey)
        {
            string verifyKeyData = Keys.VerifyKeyData(verifyKey);
            (string head, byte[] payload) = EncryptedData.EncryptRaw(key, data, signKey);

            Assert.Equal(data, await wasm.CallBytesAsync("decrypt_raw_symmetric", key.ExportJson(), payload, head, verifyKeyData));
            Assert.Equal(data, await wasm.CallBytesAsync(
                "decrypt_symmetric", key.ExportJson(), EncryptedData.Encrypt(key, data, signKey), verifyKeyData));
            Assert.Equal(text, await wasm.CallStringAsync(
                "decrypt_string_symmetric", key.ExportJson(), EncryptedData.EncryptString(key, text, signKey), verifyKeyData));
        }
    }

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public async Task EncryptAsymmetric_SignedByCSharp_WasmVerifiesAndDecrypts(string plaintext)
    {
        byte[] data = Interop.Tests.Plaintexts.Bytes(plaintext);
        string text = Interop.Tests.Plaintexts.Text(plaintext);
        (PrivateKey privateKey, PublicKey publicKey) = Keys.EncryptionPair("ukp_carol");
        (SignKey signKey, VerifyKey verifyKey) = Keys.SignPair("usk_carol");
        using (privateKey)
        using (signKey)
        {
            string verifyKeyData = Keys.VerifyKeyData(verifyKey);
            (string head, byte[] payload) = EncryptedData.EncryptRaw(publicKey, data, signKey);

            Assert.Equal(data, await wasm.CallBytesAsync("decrypt_raw_asymmetric", privateKey.ExportJson(), payload, head, verifyKeyData));
            Assert.Equal(data, await wasm.CallBytesAsync(
                "decrypt_asymmetric", privateKey.ExportJson(), EncryptedData.Encrypt(publicKey, data, signKey), verifyKeyData));
            Assert.Equal(text, await wasm.CallStringAsync(
                "decrypt_string_asymmetric", privateKey.ExportJson(), EncryptedData.EncryptString(publicKey, text, signKey), verifyKeyData));
        }
    }

    [Theory]
    [MemberData(nameof(SignatureHalves))]
    public async Task DecryptSymmetric_CSharpSignatureTampered_BothReportClient22(SignatureHalf half)
    {
        using SymmetricKey key = SymmetricKey.Generate("sym_signed");
        (SignKey signKey, VerifyKey verifyKey) = Keys.SignPair("usk_carol");
        using (signKey)
        {
            byte[] signed = EncryptedData.Encrypt(key, Encoding.UTF8.GetBytes("pay 10 EUR to carol"), signKey);
            byte[] tampered = Tamper(signed, half);

            var error = await Assert.ThrowsAsync<OfficialClientException>(
                () => wasm.CallBytesAsync("decrypt_symmetric", key.ExportJson(), tampered, Keys.VerifyKeyData(verifyKey)));

            Assert.Equal("client_22", error.Code);
            var ours = Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(key, tampered, verifyKey));
            Assert.Equal(error.Code, ours.Code);
        }
    }

    [Theory]
    [MemberData(nameof(SignatureHalves))]
    public async Task DecryptAsymmetric_CSharpSignatureTampered_WasmReportsClient22(SignatureHalf half)
    {
        (PrivateKey privateKey, PublicKey publicKey) = Keys.EncryptionPair("ukp_carol");
        (SignKey signKey, VerifyKey verifyKey) = Keys.SignPair("usk_carol");
        using (privateKey)
        using (signKey)
        {
            byte[] tampered = Tamper(EncryptedData.Encrypt(publicKey, "pay 10 EUR to carol"u8, signKey), half);

            var error = await Assert.ThrowsAsync<OfficialClientException>(
                () => wasm.CallBytesAsync("decrypt_asymmetric", privateKey.ExportJson(), tampered, Keys.VerifyKeyData(verifyKey)));

            Assert.Equal("client_22", error.Code);
        }
    }

    [Fact]
    public async Task DecryptSymmetric_VerifyKeyOfAnotherSigner_WasmReportsClient20()
    {
        using SymmetricKey key = SymmetricKey.Generate("sym_signed");
        (SignKey signKey, _) = Keys.SignPair("usk_carol");
        (SignKey otherSign, VerifyKey otherVerify) = Keys.SignPair("usk_mallory");
        using (signKey)
        using (otherSign)
        {
            byte[] signed = EncryptedData.Encrypt(key, "hi"u8, signKey);

            var error = await Assert.ThrowsAsync<OfficialClientException>(
                () => wasm.CallBytesAsync("decrypt_symmetric", key.ExportJson(), signed, Keys.VerifyKeyData(otherVerify)));

            Assert.Equal("client_20", error.Code);
        }
    }

    [Fact]
    public async Task WasmSignsWithItsOwnUserKey_AllFormats_CSharpVerifiesAndDecrypts()
    {
        using WasmUser user = await WasmUser.RegisterAsync(wasm, "signer");
        using SymmetricKey key = SymmetricKey.Generate("sym_signed");
        (PrivateKey privateKey, PublicKey publicKey) = Keys.EncryptionPair("ukp_dave");
        using (privateKey)
        {
            string signKeyJson = user.UserSign.ExportJson();
            byte[] data = Interop.Tests.Plaintexts.Bytes(Interop.Tests.Plaintexts.Utf8);
            string text = Interop.Tests.Plaintexts.Text(Interop.Tests.Plaintexts.Utf8);

            byte[] symmetric = await wasm.CallBytesAsync("encrypt_symmetric", key.ExportJson(), data, signKeyJson);
            var raw = await wasm.CallAsync("encrypt_raw_symmetric", key.ExportJson(), data, signKeyJson);
            string symmetricText = await wasm.CallStringAsync("encrypt_string_symmetric", key.ExportJson(), text, signKeyJson);
            byte[] asymmetric = await wasm.CallBytesAsync("encrypt_asymmetric", Keys.PublicKeyData(publicKey), data, signKeyJson);

            Assert.Equal(new SignHead(user.UserVerify.KeyId, user.UserVerify.Algorithm.Id), EncryptedData.ReadHead(symmetric).Sign);
            Assert.Equal(data, EncryptedData.Decrypt(key, symmetric, user.UserVerify));
            Assert.Equal(data, EncryptedData.DecryptRaw(key, raw.Str("head"), raw.B64("data"), user.UserVerify));
            Assert.Equal(text, EncryptedData.DecryptString(key, symmetricText, user.UserVerify));
            Assert.Equal(data, EncryptedData.Decrypt(privateKey, asymmetric, user.UserVerify));
        }
    }

    [Theory]
    [MemberData(nameof(SignatureHalves))]
    public async Task Decrypt_WasmSignatureTampered_CSharpReportsClient22(SignatureHalf half)
    {
        using SymmetricKey key = SymmetricKey.Generate("sym_signed");
        (SignKey signKey, VerifyKey verifyKey) = Keys.SignPair("usk_carol");
        using (signKey)
        {
            byte[] signed = await wasm.CallBytesAsync("encrypt_symmetric", key.ExportJson(), "pay 10 EUR to carol"u8.ToArray(), signKey.ExportJson());
            Assert.Equal("pay 10 EUR to carol"u8.ToArray(), EncryptedData.Decrypt(key, signed, verifyKey));

            var error = Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(key, Tamper(signed, half), verifyKey));

            Assert.Equal("client_22", error.Code);
        }
    }

    /// <summary>Flips one bit inside one half of the signature (sig_x is the first 64 bytes after the head's 0x00).</summary>
    private static byte[] Tamper(byte[] signedData, SignatureHalf half)
    {
        int offset = half == SignatureHalf.Ed25519 ? 10 : Ed25519SignatureSize + 1000;
        byte[] copy = (byte[])signedData.Clone();
        copy[Array.IndexOf(copy, (byte)0) + 1 + offset] ^= 0x01;
        return copy;
    }
}
