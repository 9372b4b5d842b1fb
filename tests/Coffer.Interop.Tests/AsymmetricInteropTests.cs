using Coffer.Crypto;
using Coffer.Crypto.Sentc;

namespace Coffer.Interop.Tests;

/// <summary>
/// The hybrid X25519 + Kyber768-90s encryption (crypto-std.md §6, §9): C# keys handed to the official client, the
/// official client encrypting to C#'s <c>UserPublicKeyData</c>, and key pairs the official client generated used by C#.
/// </summary>
public class AsymmetricInteropTests(OfficialClient wasm) : IClassFixture<OfficialClient>
{
    public static TheoryData<string> Plaintexts => Interop.Tests.Plaintexts.All;

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public async Task EncryptRaw_ToCSharpKey_WasmDecryptsWithExportedPrivateKey(string plaintext)
    {
        byte[] data = Interop.Tests.Plaintexts.Bytes(plaintext);
        (PrivateKey privateKey, PublicKey publicKey) = Keys.EncryptionPair("ukp_carol");
        using (privateKey)
        {
            (string head, byte[] payload) = EncryptedData.EncryptRaw(publicKey, data);

            byte[] decrypted = await wasm.CallBytesAsync("decrypt_raw_asymmetric", privateKey.ExportJson(), payload, head, null);

            Assert.Equal(data, decrypted);
        }
    }

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public async Task Encrypt_ToCSharpKey_WasmDecryptsWithExportedPrivateKey(string plaintext)
    {
        byte[] data = Interop.Tests.Plaintexts.Bytes(plaintext);
        (PrivateKey privateKey, PublicKey publicKey) = Keys.EncryptionPair("ukp_carol");
        using (privateKey)
        {
            byte[] decrypted = await wasm.CallBytesAsync(
                "decrypt_asymmetric", privateKey.ExportJson(), EncryptedData.Encrypt(publicKey, data), null);

            Assert.Equal(data, decrypted);
        }
    }

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public async Task EncryptString_ToCSharpKey_WasmDecryptsToSameText(string plaintext)
    {
        string text = Interop.Tests.Plaintexts.Text(plaintext);
        (PrivateKey privateKey, PublicKey publicKey) = Keys.EncryptionPair("ukp_carol");
        using (privateKey)
        {
            string decrypted = await wasm.CallStringAsync(
                "decrypt_string_asymmetric", privateKey.ExportJson(), EncryptedData.EncryptString(publicKey, text), null);

            Assert.Equal(text, decrypted);
        }
    }

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public async Task WasmEncryptsToPublicKeyData_AllFormats_CSharpDecrypts(string plaintext)
    {
        byte[] data = Interop.Tests.Plaintexts.Bytes(plaintext);
        string text = Interop.Tests.Plaintexts.Text(plaintext);
        (PrivateKey privateKey, PublicKey publicKey) = Keys.EncryptionPair("ukp_dave");
        using (privateKey)
        {
            string publicKeyData = Keys.PublicKeyData(publicKey);

            var raw = await wasm.CallAsync("encrypt_raw_asymmetric", publicKeyData, data, null);
            byte[] full = await wasm.CallBytesAsync("encrypt_asymmetric", publicKeyData, data, null);
            string encryptedText = await wasm.CallStringAsync("encrypt_string_asymmetric", publicKeyData, text, null);

            Assert.Equal(data, EncryptedData.DecryptRaw(privateKey, raw.Str("head"), raw.B64("data")));
            Assert.Equal(data, EncryptedData.Decrypt(privateKey, full));
            Assert.Equal(text, EncryptedData.DecryptString(privateKey, encryptedText));
            Assert.Equal("ukp_dave", EncryptedData.ReadHead(full).Id);
        }
    }

    [Fact]
    public async Task WasmGeneratedKeyPair_ImportedIntoCSharp_EncryptsAndDecryptsBothWays()
    {
        WasmGroup group = await WasmGroup.CreateAsync(wasm);
        using PrivateKey privateKey = PrivateKey.ImportJson(group.PrivateGroupKeyJson);
        PublicKey publicKey = PublicKey.ImportJson(group.PublicGroupKeyJson);
        Assert.Equal(publicKey, privateKey.GetPublicKey());
        Assert.Equal(publicKey, UserPublicKeyData.Parse(group.ExportedPublicGroupKey).PublicKey);
        byte[] data = Interop.Tests.Plaintexts.Bytes(Interop.Tests.Plaintexts.Utf8);

        // C# encrypts to the wasm's key; the wasm decrypts with its own private key.
        byte[] fromCSharp = EncryptedData.Encrypt(publicKey, data);
        Assert.Equal(data, await wasm.CallBytesAsync("decrypt_asymmetric", group.PrivateGroupKeyJson, fromCSharp, null));

        // The wasm encrypts to its own exported key; C# decrypts with the imported private key.
        byte[] fromWasm = await wasm.CallBytesAsync("encrypt_asymmetric", group.ExportedPublicGroupKey, data, null);
        Assert.Equal(data, EncryptedData.Decrypt(privateKey, fromWasm));

        // Re-exported by C#, the keys are the same JSON text the wasm exported.
        Assert.Equal(group.PrivateGroupKeyJson, privateKey.ExportJson());
        Assert.Equal(group.PublicGroupKeyJson, publicKey.ExportJson());
        Assert.Equal(group.ExportedPublicGroupKey, Keys.PublicKeyData(publicKey));
    }

    [Fact]
    public async Task Decrypt_CSharpDataWithTamperedKyberCiphertext_WasmReportsClient14()
    {
        (PrivateKey privateKey, PublicKey publicKey) = Keys.EncryptionPair("ukp_erin");
        using (privateKey)
        {
            byte[] encrypted = EncryptedData.Encrypt(publicKey, "hello"u8);
            int blobStart = Array.IndexOf(encrypted, (byte)0) + 1;
            encrypted[blobStart + 100] ^= 0x01;

            var error = await Assert.ThrowsAsync<OfficialClientException>(
                () => wasm.CallBytesAsync("decrypt_asymmetric", privateKey.ExportJson(), encrypted, null));

            Assert.Equal("client_14", error.Code);
        }
    }
}
