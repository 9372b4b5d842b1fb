using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Crypto.PostQuantum.Dilithium;

namespace Coffer.Crypto.Tests.PostQuantum.Dilithium;

// Vectors tied to sentc_wasm 0.15: primitives.json (keygen, deterministic and randomized signing, all checked
// against the wasm) and signatures-hybrid.json (the Dilithium half of ED25519_DILITHIUM_3 signatures, which covers
// message ‖ Ed25519 signature).
public class Dilithium3AesSentcVectorTests
{
    private static readonly Lazy<JsonElement[]> Primitives = new(() => ReadArray("primitives.json", "dilithium3_aes_v31"));
    private static readonly Lazy<JsonDocument> Hybrid = new(() => Vectors.ReadJson("sentc-wasm-0.15", "signatures-hybrid.json"));

    public static TheoryData<string, int> PrimitiveCases() => Cases(Primitives.Value.Length);

    public static TheoryData<string, int> WasmSignatureCases() =>
        Cases(Hybrid.Value.RootElement.GetProperty("wasm_signatures").GetArrayLength());

    public static TheoryData<string, int> IndependentSignatureCases() =>
        Cases(Hybrid.Value.RootElement.GetProperty("independent_signatures_accepted_by_wasm_format").GetArrayLength());

    [Theory]
    [MemberData(nameof(PrimitiveCases))]
    public void GenerateKeyPair_PrimitivesSeed_MatchesKeys(string arithmetic, int index)
    {
        JsonElement entry = Primitives.Value[index];
        byte[] pk = new byte[Dilithium3Aes.PublicKeySize];
        byte[] sk = new byte[Dilithium3Aes.SecretKeySize];

        Dilithium3Aes.GenerateKeyPair(DilithiumTestData.Arithmetic(arithmetic), Hex(entry, "seed_hex"), pk, sk);

        Assert.Equal(Base64(entry, "public_key_b64"), pk);
        Assert.Equal(Base64(entry, "secret_key_b64"), sk);
    }

    [Theory]
    [MemberData(nameof(PrimitiveCases))]
    public void Sign_PrimitivesDeterministic_MatchesSignature(string arithmetic, int index)
    {
        JsonElement entry = Primitives.Value[index];
        byte[] signature = new byte[Dilithium3Aes.SignatureSize];

        Dilithium3Aes.Sign(DilithiumTestData.Arithmetic(arithmetic), Base64(entry, "secret_key_b64"), Hex(entry, "message_hex"), [], signature);

        Assert.Equal(Base64(entry, "signature_deterministic_b64"), signature);
    }

    [Theory]
    [MemberData(nameof(PrimitiveCases))]
    public void Sign_PrimitivesRandomizedWithGivenRhoPrime_MatchesSignature(string arithmetic, int index)
    {
        JsonElement entry = Primitives.Value[index];
        byte[] signature = new byte[Dilithium3Aes.SignatureSize];

        Dilithium3Aes.Sign(
            DilithiumTestData.Arithmetic(arithmetic),
            Base64(entry, "secret_key_b64"),
            Hex(entry, "message_hex"),
            Hex(entry, "signing_random_rhoprime_hex"),
            signature);

        Assert.Equal(Base64(entry, "signature_randomized_b64"), signature);
    }

    [Theory]
    [MemberData(nameof(PrimitiveCases))]
    public void Verify_PrimitivesSignatures_ReturnsTrue(string arithmetic, int index)
    {
        JsonElement entry = Primitives.Value[index];
        PolyArithmetic path = DilithiumTestData.Arithmetic(arithmetic);
        byte[] pk = Base64(entry, "public_key_b64");
        byte[] message = Hex(entry, "message_hex");

        Assert.True(Dilithium3Aes.Verify(path, pk, message, Base64(entry, "signature_deterministic_b64")));
        Assert.True(Dilithium3Aes.Verify(path, pk, message, Base64(entry, "signature_randomized_b64")));
    }

    [Theory]
    [MemberData(nameof(WasmSignatureCases))]
    public void Verify_WasmHybridSignature_AcceptsMessageThenEd25519Signature(string arithmetic, int index)
    {
        JsonElement entry = Hybrid.Value.RootElement.GetProperty("wasm_signatures")[index];
        byte[] message = Hex(entry, "message_hex");
        byte[] ed25519 = Base64(entry, "ed25519_sig_b64");
        byte[] dilithium = Base64(entry, "dilithium_sig_b64");

        // The attached form is sig_x ‖ sig_k ‖ message.
        Assert.Equal([.. ed25519, .. dilithium, .. message], Base64(entry, "data_with_sig_b64"));
        Assert.True(Dilithium3Aes.Verify(DilithiumTestData.Arithmetic(arithmetic), HybridVerifyKey(), [.. message, .. ed25519], dilithium));
        Assert.False(Dilithium3Aes.Verify(DilithiumTestData.Arithmetic(arithmetic), HybridVerifyKey(), message, dilithium));
    }

    [Theory]
    [MemberData(nameof(IndependentSignatureCases))]
    public void Verify_IndependentHybridSignature_AcceptsMessageThenEd25519Signature(string arithmetic, int index)
    {
        JsonElement entry = Hybrid.Value.RootElement.GetProperty("independent_signatures_accepted_by_wasm_format")[index];
        byte[] message = Hex(entry, "message_hex");
        using JsonDocument detached = JsonDocument.Parse(entry.GetProperty("sig_string").GetString()!);
        byte[] ed25519 = Convert.FromBase64String(detached.RootElement.GetProperty("x").GetString()!);
        byte[] dilithium = Convert.FromBase64String(detached.RootElement.GetProperty("k").GetString()!);

        Assert.Equal([.. ed25519, .. dilithium, .. message], Base64(entry, "data_with_sig_b64"));
        Assert.True(Dilithium3Aes.Verify(DilithiumTestData.Arithmetic(arithmetic), HybridVerifyKey(), [.. message, .. ed25519], dilithium));
    }

    [Theory]
    [MemberData(nameof(DilithiumTestData.Arithmetics), MemberType = typeof(DilithiumTestData))]
    public void Sign_WasmHybridSignKey_VerifiesWithItsVerifyKey(string arithmetic)
    {
        PolyArithmetic path = DilithiumTestData.Arithmetic(arithmetic);
        byte[] sk = Convert.FromBase64String(Hybrid.Value.RootElement.GetProperty("sign_key_raw").GetProperty("k_b64").GetString()!);
        byte[] pk = HybridVerifyKey();
        byte[] message = "coffer → wasm"u8.ToArray();
        byte[] signature = new byte[Dilithium3Aes.SignatureSize];

        Dilithium3Aes.Sign(path, sk, message, RandomNumberGenerator.GetBytes(Dilithium3Aes.RandomnessSize), signature);

        // The secret key carries ρ and tr = SHAKE256(pk, 32) of the exported verify key.
        Assert.Equal(pk.AsSpan(0, 32).ToArray(), sk.AsSpan(0, 32).ToArray());
        Assert.Equal(Shake256.HashData(pk, 32), sk.AsSpan(64, 32).ToArray());
        Assert.True(Dilithium3Aes.Verify(path, pk, message, signature));
    }

    private static byte[] HybridVerifyKey() =>
        Convert.FromBase64String(Hybrid.Value.RootElement.GetProperty("verify_key_raw").GetProperty("k_b64").GetString()!);

    private static TheoryData<string, int> Cases(int count)
    {
        var data = new TheoryData<string, int>();
        foreach (string name in DilithiumTestData.ArithmeticNames)
        {
            for (int i = 0; i < count; i++)
            {
                data.Add(name, i);
            }
        }

        return data;
    }

    private static JsonElement[] ReadArray(string file, string property)
    {
        using JsonDocument document = Vectors.ReadJson("sentc-wasm-0.15", file);
        return document.RootElement.GetProperty(property).EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    private static byte[] Hex(JsonElement entry, string name) => Convert.FromHexString(entry.GetProperty(name).GetString()!);

    private static byte[] Base64(JsonElement entry, string name) => Convert.FromBase64String(entry.GetProperty(name).GetString()!);
}
