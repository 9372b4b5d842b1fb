using System.Text;
using Coffer.Crypto.Primitives;
using Coffer.Crypto.Sentc;

namespace Coffer.Crypto.Tests.Sentc;

/// <summary><c>asymmetric-hybrid.json</c>: ECIES-ed25519_KYBER_768 data of the official client, and ours.</summary>
public class AsymmetricDataTests
{
    private const string File = "asymmetric-hybrid.json";

    public static TheoryData<int> WasmOutputs => SentcVectors.Indexes(File, "wasm_outputs");

    public static TheoryData<int> OursToWasm => SentcVectors.Indexes(File, "ours_to_wasm");

    private static PrivateKey Private() => PrivateKey.ImportJson(SentcVectors.At(File).Str("private_key_export"));

    [Fact]
    public void Keys_Exports_ParseToRawPartsAndRoundTrip()
    {
        var v = SentcVectors.File(File);
        using PrivateKey privateKey = Private();
        PublicKey publicKey = PublicKey.ImportJson(v.Str("public_key_export"));
        var raw = v.GetProperty("public_key_raw");
        Assert.Equal([.. raw.B64("x_b64"), .. raw.B64("k_b64")], publicKey.Export());
        Assert.Equal(publicKey, privateKey.GetPublicKey());
        Assert.Equal(v.Str("private_key_export"), privateKey.ExportJson());
        Assert.Equal(v.Str("public_key_export"), publicKey.ExportJson());

        UserPublicKeyData data = UserPublicKeyData.Parse(v.Str("public_key_data"));
        Assert.Equal(publicKey, data.PublicKey);
        Assert.Equal(EncryptionAlgorithm.X25519Kyber768, data.PublicKey.Algorithm);
    }

    [Theory]
    [MemberData(nameof(WasmOutputs))]
    public void Decrypt_WasmOutputs_GivesPlaintextAndEveryLayer(int index)
    {
        var c = SentcVectors.At(File, "wasm_outputs", index);
        using PrivateKey key = Private();
        byte[] blob = c.B64("raw_data_b64");
        Assert.Equal(c.Hex("plaintext_hex"), EncryptedData.DecryptRaw(key, c.Str("head"), blob));
        Assert.Equal(blob.Length, c.Hex("plaintext_hex").Length + HybridEncryption.Overhead);

        var layers = c.GetProperty("layers");
        byte[] kyberSecret = key.Secret[32..].ToArray();
        byte[] inner = KyberAes.Decrypt(kyberSecret, blob)!;
        Assert.Equal(layers.B64("inner_ecies_blob_b64"), inner);
        Assert.Equal(layers.Hex("ecies_ephemeral_pk_hex"), inner[..32]);
        Assert.Equal(layers.B64("kyber_ciphertext_b64"), blob[..1088]);
    }

    [Theory]
    [MemberData(nameof(OursToWasm))]
    public void Encrypt_RecordedRandomness_ReproducesBytesTheWasmDecrypted(int index)
    {
        var c = SentcVectors.At(File, "ours_to_wasm", index);
        var rnd = c.GetProperty("randomness");
        using PrivateKey key = Private();
        PublicKey publicKey = key.GetPublicKey();
        byte[] blob = HybridEncryption.Encrypt(
            publicKey.Bytes, c.Hex("plaintext_hex"),
            rnd.Hex("ecies_eph_sk_hex"), rnd.Hex("ecies_nonce_hex"), rnd.Hex("kyber_m_hex"), rnd.Hex("kyber_nonce_hex"));
        Assert.Equal(c.B64("raw_data_b64"), blob);

        byte[] head = Encoding.UTF8.GetBytes(new DataHead(publicKey.KeyId, null).ToJson());
        Assert.Equal(c.B64("full_b64"), [.. head, 0, .. blob]);
        Assert.Equal(c.Hex("plaintext_hex"), EncryptedData.Decrypt(key, c.B64("full_b64")));
    }

    [Fact]
    public void DecryptString_WasmSignedString_VerifiesWithUserVerifyKey()
    {
        var v = SentcVectors.At(File, "wasm_signed_string");
        using PrivateKey key = Private();
        VerifyKey verifyKey = UserVerifyKeyData.Parse(v.Str("verify_key_data"));
        Assert.Equal(v.Str("plaintext"), EncryptedData.DecryptString(key, v.Str("encrypted_string_b64"), verifyKey));
        Assert.Equal(v.Str("plaintext"), EncryptedData.DecryptString(key, v.Str("encrypted_string_b64")));
    }

    [Fact]
    public void Decrypt_IndependentKeyPair_WasmEncryptedString()
    {
        var v = SentcVectors.At(File, "independent_key_pair_imported_into_wasm");
        using PrivateKey key = PrivateKey.ImportJson(v.Str("private_key_export"));
        Assert.Equal(v.Str("plaintext"), EncryptedData.DecryptString(key, v.Str("wasm_encrypted_string_b64")));
        Assert.Equal(key.GetPublicKey(), UserPublicKeyData.Parse(v.Str("public_key_data")).PublicKey);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(70000)]
    public void EncryptDecrypt_FreshKeys_RoundTrip(int length)
    {
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.X25519Kyber768, "kp");
        using (privateKey)
        {
            byte[] plaintext = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();
            byte[] data = EncryptedData.Encrypt(publicKey, plaintext);
            Assert.Equal(plaintext, EncryptedData.Decrypt(privateKey, data));
            Assert.Equal(length + 1176, EncryptedData.EncryptRaw(publicKey, plaintext).Payload.Length);
        }
    }

    [Fact]
    public void Decrypt_TamperedAnyLayer_IsDecryptionFailed()
    {
        var c = SentcVectors.At(File, "wasm_outputs", 0);
        using PrivateKey key = Private();
        byte[] blob = c.B64("raw_data_b64");
        // Kyber ciphertext (implicit rejection), outer nonce, inner ephemeral key, inner body, outer tag.
        foreach (int position in new[] { 0, 700, 1087, 1090, 1100, 1140, blob.Length - 20, blob.Length - 1 })
        {
            byte[] tampered = (byte[])blob.Clone();
            tampered[position] ^= 1;
            var ex = Assert.Throws<CryptoException>(() => EncryptedData.DecryptRaw(key, c.Str("head"), tampered));
            Assert.Equal("client_14", ex.Code);
        }

        Assert.Throws<CryptoException>(() => EncryptedData.DecryptRaw(key, c.Str("head"), blob[..1175]));
        Assert.Throws<CryptoException>(() => EncryptedData.DecryptRaw(key, c.Str("head"), [.. blob, 0]));
    }

    [Fact]
    public void Decrypt_WrongPrivateKey_IsDecryptionFailed()
    {
        var c = SentcVectors.At(File, "wasm_outputs", 0);
        (PrivateKey other, _) = PrivateKey.Generate(EncryptionAlgorithm.X25519Kyber768, "ukp_alice");
        using (other)
        {
            Assert.Equal(CryptoError.DecryptionFailed,
                Assert.Throws<CryptoException>(() => EncryptedData.DecryptRaw(other, c.Str("head"), c.B64("raw_data_b64"))).Error);
        }
    }

    [Fact]
    public void SingleAlgorithms_EciesAndKyber_RoundTripAndExport()
    {
        foreach (EncryptionAlgorithm algorithm in new[] { EncryptionAlgorithm.X25519, EncryptionAlgorithm.Kyber768 })
        {
            (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(algorithm, "single");
            using (privateKey)
            {
                Assert.Equal(publicKey, privateKey.GetPublicKey());
                Assert.Equal(publicKey, PublicKey.FromWireText(algorithm, publicKey.ToWireText(), "single"));
                using PrivateKey reimported = PrivateKey.ImportJson(privateKey.ExportJson());
                byte[] blob = publicKey.Encrypt("hello"u8);
                Assert.Equal(5 + algorithm.Overhead, blob.Length);
                Assert.Equal("hello"u8.ToArray(), reimported.Decrypt(blob));
            }
        }
    }

    [Fact]
    public void PublicKey_SpkiPem_IsRejected()
    {
        using var ec = System.Security.Cryptography.ECDiffieHellman.Create();
        string spki = ec.ExportSubjectPublicKeyInfoPem();
        Assert.Throws<CryptoException>(() => PublicKey.FromWireText(EncryptionAlgorithm.X25519, spki, "k"));
    }
}
