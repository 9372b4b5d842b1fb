using System.Text;
using Coffer.Crypto.Primitives;
using Coffer.Crypto.Sentc;

namespace Coffer.Crypto.Tests.Sentc;

/// <summary><c>symmetric.json</c>: the official client's AES-GCM data, and ours byte for byte.</summary>
public class SymmetricDataTests
{
    public static TheoryData<int> WasmOutputs => SentcVectors.Indexes("symmetric.json", "wasm_outputs");

    public static TheoryData<int> OursToWasm => SentcVectors.Indexes("symmetric.json", "ours_to_wasm");

    private static SymmetricKey Key() => SymmetricKey.ImportJson(SentcVectors.At("symmetric.json").Str("key_export"));

    [Fact]
    public void ImportJson_KeyExport_HasRawBytesAndIdAndExportsIdentically()
    {
        var v = SentcVectors.File("symmetric.json");
        using SymmetricKey key = Key();
        Assert.Equal(v.Hex("key_raw_hex"), key.ExportRaw());
        Assert.Equal(v.Str("key_id"), key.KeyId);
        Assert.Equal(v.Str("key_export"), key.ExportJson());
    }

    [Theory]
    [MemberData(nameof(WasmOutputs))]
    public void Decrypt_WasmOutputs_GivesPlaintext(int index)
    {
        var c = SentcVectors.At("symmetric.json", "wasm_outputs", index);
        byte[] plaintext = c.Hex("plaintext_hex");
        using SymmetricKey key = Key();

        Assert.Equal(plaintext, EncryptedData.DecryptRaw(key, c.Str("raw_head"), c.B64("raw_data_b64")));
        Assert.Equal(plaintext, EncryptedData.Decrypt(key, c.B64("full_b64")));
        Assert.Equal(c.Str("raw_head"), EncryptedData.ReadHead(c.B64("full_b64")).ToJson());
        if (c.TryGetProperty("string_b64", out var text))
        {
            Assert.Equal(Encoding.UTF8.GetString(plaintext), EncryptedData.DecryptString(key, text.GetString()!));
        }
    }

    [Theory]
    [MemberData(nameof(OursToWasm))]
    public void Encrypt_FixedNonce_ReproducesBytesTheWasmDecrypted(int index)
    {
        var c = SentcVectors.At("symmetric.json", "ours_to_wasm", index);
        using SymmetricKey key = Key();
        byte[] plaintext = c.Hex("plaintext_hex");
        byte[] blob = new byte[plaintext.Length + AesGcmBlob.Overhead];
        AesGcmBlob.Seal(key.Secret, c.Hex("nonce_hex"), plaintext, blob);
        byte[] head = Encoding.UTF8.GetBytes(new DataHead(key.KeyId, null).ToJson());

        Assert.Equal(c.B64("full_b64"), [.. head, 0, .. blob]);
        Assert.Equal(plaintext, EncryptedData.Decrypt(key, c.B64("full_b64")));
    }

    [Fact]
    public void EncryptDecrypt_RoundTrip_StringAndBytes()
    {
        using SymmetricKey key = SymmetricKey.Generate("k1");
        string text = EncryptedData.EncryptString(key, "grüße 👋");
        Assert.Equal("grüße 👋", EncryptedData.DecryptString(key, text));
        Assert.Equal("k1", EncryptedData.ReadHead(Convert.FromBase64String(text)).Id);
    }

    [Fact]
    public void NonRegisteredKey_EncryptedByMasterKey_Unwraps()
    {
        var v = SentcVectors.At("symmetric.json", "non_registered_key");
        using SymmetricKey master = SymmetricKey.ImportJson(v.Str("master_key"));
        using SymmetricKey expected = SymmetricKey.ImportJson(v.Str("generated_key"));
        using var document = System.Text.Json.JsonDocument.Parse(v.Str("encrypted_key"));
        Assert.Equal("AES-GCM-256", document.RootElement.Str("alg"));

        using SymmetricKey unwrapped = master.UnwrapSymmetricKey(document.RootElement.B64("encrypted_key_string"), "");
        Assert.Equal(expected.ExportRaw(), unwrapped.ExportRaw());
    }

    [Fact]
    public void ImportJson_UnpaddedBase64Key_IsSymmetricKeyImportError()
    {
        var ex = Assert.Throws<CryptoException>(() => SymmetricKey.ImportJson(
            "{\"Aes\":{\"key\":\"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8\",\"key_id\":\"a\"}}"));
        Assert.Equal("client_112", ex.Code);
    }

    [Fact]
    public void ImportJson_31ByteKey_IsRejected()
    {
        string key31 = Convert.ToBase64String(new byte[31]);
        var ex = Assert.Throws<CryptoException>(() => SymmetricKey.ImportJson($"{{\"Aes\":{{\"key\":\"{key31}\",\"key_id\":\"a\"}}}}"));
        Assert.Equal(CryptoError.SymmetricKeyImportFailed, ex.Error);
    }

    [Fact]
    public void ImportJson_LowercaseVariantOrNotJson_IsRejected()
    {
        string key = Convert.ToBase64String(new byte[32]);
        Assert.Throws<CryptoException>(() => SymmetricKey.ImportJson($"{{\"aes\":{{\"key\":\"{key}\",\"key_id\":\"a\"}}}}"));
        Assert.Throws<CryptoException>(() => SymmetricKey.ImportJson("not json"));
        Assert.Throws<CryptoException>(() => SymmetricKey.ImportJson("{}"));
    }

    [Fact]
    public void ImportJson_UnknownFields_AreIgnored()
    {
        string key = Convert.ToBase64String(new byte[32]);
        using SymmetricKey imported = SymmetricKey.ImportJson($"{{\"Aes\":{{\"key\":\"{key}\",\"extra\":1,\"key_id\":\"a\"}}}}");
        Assert.Equal("a", imported.KeyId);
    }

    [Fact]
    public void DecryptString_Base64WithNewline_IsDataMalformed()
    {
        var c = SentcVectors.At("symmetric.json", "wasm_outputs", 1);
        string text = c.Str("string_b64");
        using SymmetricKey key = Key();
        var ex = Assert.Throws<CryptoException>(() => EncryptedData.DecryptString(key, text[..8] + "\n" + text[8..]));
        Assert.Equal("client_10", ex.Code);
    }

    [Fact]
    public void Decrypt_TamperedTagOrBody_IsDecryptionFailed()
    {
        var c = SentcVectors.At("symmetric.json", "wasm_outputs", 1);
        using SymmetricKey key = Key();
        byte[] data = c.B64("full_b64");
        for (int position = data.Length - 1; position > data.Length - 40; position -= 13)
        {
            byte[] tampered = (byte[])data.Clone();
            tampered[position] ^= 0x40;
            var ex = Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(key, tampered));
            Assert.Equal("client_14", ex.Code);
        }
    }

    [Fact]
    public void Decrypt_WrongKey_IsDecryptionFailed()
    {
        var c = SentcVectors.At("symmetric.json", "wasm_outputs", 1);
        using SymmetricKey other = SymmetricKey.Generate("sym_key_fixed");
        Assert.Equal(CryptoError.DecryptionFailed, Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(other, c.B64("full_b64"))).Error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    [InlineData(27)]
    public void Decrypt_TruncatedBlob_FailsCleanly(int blobLength)
    {
        using SymmetricKey key = Key();
        byte[] head = Encoding.UTF8.GetBytes(new DataHead(key.KeyId, null).ToJson());
        byte[] data = [.. head, 0, .. new byte[blobLength]];
        Assert.Equal(CryptoError.DecryptionFailed, Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(key, data)).Error);
    }

    [Fact]
    public void Decrypt_NoHeadSeparatorOrBadHead_IsDataMalformed()
    {
        using SymmetricKey key = Key();
        Assert.Equal(CryptoError.DataMalformed, Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(key, "{\"id\":\"a\"}"u8)).Error);
        Assert.Equal(CryptoError.DataMalformed, Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(key, "{\"x\":1}\0abc"u8)).Error);
        Assert.Equal(CryptoError.DataMalformed, Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(key, "[\0abc"u8)).Error);
    }

    [Fact]
    public void DecryptString_InvalidUtf8Plaintext_IsDataMalformed()
    {
        using SymmetricKey key = Key();
        string data = Convert.ToBase64String(EncryptedData.Encrypt(key, [0xff, 0xfe]));
        Assert.Equal(CryptoError.DataMalformed, Assert.Throws<CryptoException>(() => EncryptedData.DecryptString(key, data)).Error);
    }
}

public class SymmetricKeySpanTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1 << 20)]
    public void EncryptIntoBuffer_RoundTripsAndInteroperatesWithArrayApi(int length)
    {
        using SymmetricKey key = SymmetricKey.Generate("k");
        byte[] plaintext = System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);
        byte[] blob = new byte[length + SymmetricKey.Overhead];
        key.Encrypt(plaintext, blob);
        Assert.Equal(plaintext, key.Decrypt(blob));

        byte[] back = new byte[length];
        Assert.True(key.TryDecrypt(key.Encrypt(plaintext), back));
        Assert.Equal(plaintext, back);

        blob[^1] ^= 1;
        Assert.False(key.TryDecrypt(blob, back));
        Assert.Throws<ArgumentException>(() => key.Encrypt(plaintext, new byte[length + 27]));
    }
}
