using System.Text;
using Coffer.Crypto;
using Coffer.Crypto.Sentc;

namespace Coffer.Interop.Tests;

/// <summary>AES-256-GCM data (crypto-std.md §3, §9) in the raw, full and string formats, in both directions.</summary>
public class SymmetricInteropTests(OfficialClient wasm) : IClassFixture<OfficialClient>
{
    public static TheoryData<string> Plaintexts => Interop.Tests.Plaintexts.All;

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public async Task EncryptRaw_CSharpData_WasmDecryptsToSameBytes(string plaintext)
    {
        byte[] data = Interop.Tests.Plaintexts.Bytes(plaintext);
        using SymmetricKey key = SymmetricKey.Generate("sym_raw");
        (string head, byte[] payload) = EncryptedData.EncryptRaw(key, data);

        byte[] decrypted = await wasm.CallBytesAsync("decrypt_raw_symmetric", key.ExportJson(), payload, head, null);

        Assert.Equal(data, decrypted);
    }

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public async Task Encrypt_CSharpData_WasmDecryptsToSameBytes(string plaintext)
    {
        byte[] data = Interop.Tests.Plaintexts.Bytes(plaintext);
        using SymmetricKey key = SymmetricKey.Generate("sym_full");

        byte[] decrypted = await wasm.CallBytesAsync("decrypt_symmetric", key.ExportJson(), EncryptedData.Encrypt(key, data), null);

        Assert.Equal(data, decrypted);
    }

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public async Task EncryptString_CSharpText_WasmDecryptsToSameText(string plaintext)
    {
        string text = Interop.Tests.Plaintexts.Text(plaintext);
        using SymmetricKey key = SymmetricKey.Generate("sym_string");

        string decrypted = await wasm.CallStringAsync("decrypt_string_symmetric", key.ExportJson(), EncryptedData.EncryptString(key, text), null);

        Assert.Equal(text, decrypted);
    }

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public async Task DecryptRaw_WasmData_CSharpDecryptsToSameBytes(string plaintext)
    {
        byte[] data = Interop.Tests.Plaintexts.Bytes(plaintext);
        using SymmetricKey key = SymmetricKey.Generate("sym_raw");

        var output = await wasm.CallAsync("encrypt_raw_symmetric", key.ExportJson(), data, null);

        byte[] payload = Convert.FromBase64String(output.Str("data"));
        Assert.Equal(data, EncryptedData.DecryptRaw(key, output.Str("head"), payload));
    }

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public async Task Decrypt_WasmData_CSharpDecryptsToSameBytes(string plaintext)
    {
        byte[] data = Interop.Tests.Plaintexts.Bytes(plaintext);
        using SymmetricKey key = SymmetricKey.Generate("sym_full");

        byte[] encrypted = await wasm.CallBytesAsync("encrypt_symmetric", key.ExportJson(), data, null);

        Assert.Equal(data, EncryptedData.Decrypt(key, encrypted));
    }

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public async Task DecryptString_WasmText_CSharpDecryptsToSameText(string plaintext)
    {
        string text = Interop.Tests.Plaintexts.Text(plaintext);
        using SymmetricKey key = SymmetricKey.Generate("sym_string");

        string encrypted = await wasm.CallStringAsync("encrypt_string_symmetric", key.ExportJson(), text, null);

        Assert.Equal(text, EncryptedData.DecryptString(key, encrypted));
    }

    [Fact]
    public async Task EncryptRaw_SameKey_HeadIsByteIdentical()
    {
        using SymmetricKey key = SymmetricKey.Generate("group key \"7\" ü/😀");

        var output = await wasm.CallAsync("encrypt_raw_symmetric", key.ExportJson(), "x"u8.ToArray(), null);

        Assert.Equal(output.Str("head"), EncryptedData.EncryptRaw(key, "x"u8).Head);
    }

    [Fact]
    public async Task Decrypt_CSharpDataUnderAnotherKey_WasmReportsClient14()
    {
        using SymmetricKey key = SymmetricKey.Generate("sym_a");
        using SymmetricKey other = SymmetricKey.Generate("sym_a");
        byte[] encrypted = EncryptedData.Encrypt(key, Encoding.UTF8.GetBytes("secret"));

        var error = await Assert.ThrowsAsync<OfficialClientException>(
            () => wasm.CallBytesAsync("decrypt_symmetric", other.ExportJson(), encrypted, null));

        Assert.Equal("client_14", error.Code);
        Assert.Equal(CryptoError.DecryptionFailed, Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(other, encrypted)).Error);
    }
}
