using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Coffer.Crypto.Sortable;

namespace Coffer.Crypto.Tests.Sortable;

/// <summary>
/// Every plaintext 0 … 65532 under each key of <c>ope-exhaustive.json</c>. That file records only that the wasm and
/// an independent implementation agreed and that the outputs increase strictly; it holds no outputs. So the test
/// checks (1) strict monotonicity and the 2^32 bound over the whole domain, (2) every value that
/// <c>sortable.json</c> lists for the same key, and (3) the SHA-256 of all 65,533 ciphertexts against the digest
/// of the official client's outputs, produced by <c>tests/interop-node/ope-exhaustive.js</c> (sentc_wasm 0.15.0).
/// </summary>
public class Ope16ExhaustiveTests(ITestOutputHelper output)
{
    // key hex → SHA-256 of the wasm's ciphertexts as little-endian u64 in plaintext order
    // (node tests/interop-node/ope-exhaustive.js <key hex>…, run 2026-11-21 against sentc_wasm 0.15.0).
    private static readonly Dictionary<string, string> WasmDigests = new(StringComparer.OrdinalIgnoreCase)
    {
        ["e6418f2a02d02a6b9978e590c89eef3a"] = "b78aae27af77044aa8925e12392368f2bcf679b46914b442540f65e97ff2dab6",
        ["000102030405060708090a0b0c0d0e0f"] = "64c13691d0260e29c4892e0e75049d09abb862c3bfbe0a6de91b1c92f2e4c033",
        ["ffeeddccbbaa99887766554433221100"] = "27130bedd9b84b131ca3d7b101e0d1d20ead3d153b86262088152eccdfe5a942",
    };

    public static TheoryData<string> ExhaustiveKeys()
    {
        var data = new TheoryData<string>();
        using JsonDocument doc = Vectors.ReadJson(SortableVectors.Folder, "ope-exhaustive.json");
        foreach (JsonElement key in doc.RootElement.GetProperty("keys").EnumerateArray())
        {
            data.Add(key.GetProperty("key_hex").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ExhaustiveKeys))]
    public void Encrypt_AllPlaintexts_StrictlyIncreasingAndEqualToWasm(string keyHex)
    {
        byte[] key = Convert.FromHexString(keyHex);
        using JsonDocument vectors = Vectors.ReadJson(SortableVectors.Folder, "ope-exhaustive.json");
        JsonElement recorded = vectors.RootElement.GetProperty("keys").EnumerateArray()
            .Single(k => string.Equals(k.GetProperty("key_hex").GetString(), keyHex, StringComparison.OrdinalIgnoreCase));
        Assert.Equal((int)Ope16.MaxPlaintext + 1, recorded.GetProperty("values_checked").GetInt32());
        Assert.True(recorded.GetProperty("strictly_increasing").GetBoolean());

        var stopwatch = Stopwatch.StartNew();
        ulong[] c = new ulong[Ope16.MaxPlaintext + 1];
        using (var cipher = new Ope16Cipher(key, rememberAllNodes: true))
        {
            for (ulong n = 0; n <= Ope16.MaxPlaintext; n++)
            {
                c[n] = cipher.Encrypt(n);
            }
        }

        stopwatch.Stop();
        output.WriteLine($"{keyHex}: {c.Length} encryptions in {stopwatch.Elapsed.TotalSeconds:F2} s");

        Assert.True(c[^1] < 1UL << 32, "ciphertexts are below 2^32");
        for (int n = 1; n < c.Length; n++)
        {
            Assert.True(c[n - 1] < c[n], $"not increasing at n = {n}: {c[n - 1]} ≥ {c[n]}");
        }

        foreach (JsonElement k in SortableVectors.Keys())
        {
            if (string.Equals(k.GetProperty("key_raw_hex").GetString(), keyHex, StringComparison.OrdinalIgnoreCase))
            {
                foreach (JsonElement v in k.GetProperty("numbers").EnumerateArray())
                {
                    ulong n = SortableVectors.ParseU64(v.GetProperty("n"));
                    Assert.Equal(SortableVectors.ParseU64(v.GetProperty("c")), c[n]);
                }
            }
        }

        Assert.True(WasmDigests.TryGetValue(keyHex, out string? expectedDigest),
            $"no wasm digest recorded for {keyHex}; run tests/interop-node/ope-exhaustive.js");
        byte[] bytes = new byte[c.Length * 8];
        for (int n = 0; n < c.Length; n++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(n * 8), c[n]);
        }

        Assert.Equal(expectedDigest, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}
