using System.Text.Json;
using Coffer.Crypto.Sortable;

namespace Coffer.Crypto.Tests.Sortable;

public class Ope16Tests
{
    public static TheoryData<string, string, long, long> NumberCases()
    {
        var data = new TheoryData<string, string, long, long>();
        foreach (JsonElement key in SortableVectors.Keys())
        {
            string label = key.GetProperty("label").GetString()!;
            string export = key.GetProperty("key_export").GetString()!;
            foreach (JsonElement c in key.GetProperty("numbers").EnumerateArray())
            {
                data.Add(label, export, (long)SortableVectors.ParseU64(c.GetProperty("n")),
                    (long)SortableVectors.ParseU64(c.GetProperty("c")));
            }
        }

        return data;
    }

    // (label, key export, string, expected intermediate number, expected ciphertext or null, expected error or null)
    public static TheoryData<string, string, string, string?, string?, string?> StringCases()
    {
        var data = new TheoryData<string, string, string, string?, string?, string?>();
        foreach (JsonElement key in SortableVectors.Keys())
        {
            string label = key.GetProperty("label").GetString()!;
            string export = key.GetProperty("key_export").GetString()!;
            foreach (JsonElement c in key.GetProperty("strings").EnumerateArray())
            {
                data.Add(label, export, c.GetProperty("s").GetString()!, Optional(c, "number"), Optional(c, "c"),
                    Optional(c, "error"));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NumberCases))]
    public void Encrypt_SortableJsonNumber_MatchesWasm(string label, string keyExport, long n, long expected)
    {
        byte[] key = SortableVectors.KeyFromExport(keyExport);

        ulong c = Ope16.Encrypt(key, (ulong)n);

        Assert.True((ulong)expected == c, $"{label}: n = {n}: expected {expected}, got {c}");
    }

    [Theory]
    [MemberData(nameof(StringCases))]
    public void EncodeStringThenEncrypt_SortableJsonString_MatchesWasm(
        string label, string keyExport, string s, string? number, string? expected, string? error)
    {
        byte[] key = SortableVectors.KeyFromExport(keyExport);

        if (error is not null)
        {
            var ex = Assert.Throws<CryptoException>(() => Ope16.Encrypt(key, Ope16.EncodeString(s)));
            Assert.Equal(SortableVectors.StatusOf(error), ex.Code);
            return;
        }

        ulong encoded = Ope16.EncodeString(s);
        if (number is not null)
        {
            Assert.Equal(ulong.Parse(number, System.Globalization.CultureInfo.InvariantCulture), encoded);
        }

        Assert.NotNull(expected);
        Assert.True(ulong.Parse(expected, System.Globalization.CultureInfo.InvariantCulture) == Ope16.Encrypt(key, encoded),
            $"{label}: \"{s}\"");
    }

    // crypto-std.md §12 "Known vector", also sentc's own unit test.
    [Theory]
    [InlineData(262UL, 17455249UL)]
    [InlineData(263UL, 17488544UL)]
    [InlineData(65321UL, 4280794268UL)]
    public void Encrypt_SpecKnownVector_MatchesSentcUnitTest(ulong n, ulong expected)
    {
        byte[] key = Convert.FromBase64String("5kGPKgLQKmuZeOWQyJ7vOg==");

        Assert.Equal(expected, Ope16.Encrypt(key, n));
    }

    [Fact]
    public void Encrypt_TraceKeyBytes00To0fN262_FollowsWasmRecursion()
    {
        using JsonDocument doc = Vectors.ReadJson(SortableVectors.Folder, "sortable.json");
        JsonElement expected = doc.RootElement.GetProperty("trace_key_bytes_00_0f_n_262");
        byte[] key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
        var trace = new List<OpeStep>();

        using var cipher = new Ope16Cipher(key);
        cipher.Encrypt(262, trace);

        Assert.Equal(expected.GetArrayLength(), trace.Count);
        int i = 0;
        foreach (JsonElement step in expected.EnumerateArray())
        {
            var want = new OpeStep(
                SortableVectors.ParseU64(step.GetProperty("dLo")), SortableVectors.ParseU64(step.GetProperty("dHi")),
                SortableVectors.ParseU64(step.GetProperty("rLo")), SortableVectors.ParseU64(step.GetProperty("rHi")),
                SortableVectors.ParseU64(step.GetProperty("dgap")));
            Assert.Equal(want, trace[i++]);
        }
    }

    public static TheoryData<string, string> RejectionProbes()
    {
        var data = new TheoryData<string, string>();
        using JsonDocument doc = Vectors.ReadJson(SortableVectors.Folder, "wasm-rejections.json");
        foreach (JsonProperty probe in doc.RootElement.GetProperty("probes").EnumerateObject())
        {
            if (probe.Name.StartsWith("ope_65533", StringComparison.Ordinal))
            {
                data.Add(probe.Name, probe.Value.GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RejectionProbes))]
    public void Encrypt_65533_ThrowsWasmStatus(string probe, string wasmError)
    {
        byte[] key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");

        var ex = Assert.Throws<CryptoException>(() => Ope16.Encrypt(key, 65533));

        Assert.Equal(CryptoError.SortableValueTooLarge, ex.Error);
        Assert.True(SortableVectors.StatusOf(wasmError) == ex.Code, probe);
    }

    [Theory]
    [InlineData(65533UL)]
    [InlineData(65534UL)]
    [InlineData(ulong.MaxValue)]
    public void Encrypt_AboveMaxPlaintext_ThrowsSortableValueTooLarge(ulong n)
    {
        var ex = Assert.Throws<CryptoException>(() => Ope16.Encrypt(new byte[16], n));

        Assert.Equal(CryptoError.SortableValueTooLarge, ex.Error);
        Assert.Equal("client_61", ex.Code);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(32)]
    public void Encrypt_KeyNot16Bytes_Throws(int length) =>
        Assert.Throws<ArgumentException>(() => Ope16.Encrypt(new byte[length], 1));

    // spec §12 string examples, and the wrapping fold (4 chars of 1 byte: at most 0x7F7F7F7F / 65534 = 32767).
    [Theory]
    [InlineData("a", 24874UL)]
    [InlineData("ä", 228UL)]
    [InlineData("", 10794UL)]
    [InlineData("abcdefgh", 24931UL)] // "abcd": 0x61626364 / 65534
    [InlineData("\u007f\u007f\u007f\u007f", 32640UL)] // 0x7F7F7F7F / 65534, the largest fold of 4 bytes
    [InlineData("😀", 1UL)] // one 4-byte character: 0x1F600 / 65534
    public void EncodeString_Examples_MatchSpecRule(string s, ulong expected) =>
        Assert.Equal(expected, Ope16.EncodeString(s));

    // Not in the vector files: sortable_encrypt_raw_string of sentc_wasm 0.15.0, run through tests/interop-node on
    // 2026-11-21 with the spec's known key, for the fold's edge cases (cut on a boundary, largest folds).
    [Theory]
    [InlineData("abcdefgh", 1631024550UL)]
    [InlineData("\u007f\u007f\u007f\u007f", 2135274522UL)]
    [InlineData("\U0010FFFF", 1446323UL)]
    [InlineData("ääää", 56880UL)]
    [InlineData("€abc", 2338427UL)]
    public void EncodeStringThenEncrypt_WasmObservedEdgeCases_MatchWasm(string s, ulong expected)
    {
        byte[] key = Convert.FromBase64String("5kGPKgLQKmuZeOWQyJ7vOg==");

        Assert.Equal(expected, Ope16.Encrypt(key, Ope16.EncodeString(s)));
    }

    [Fact]
    public void EncodeString_CutInsideUtf8Character_ThrowsDataMalformedWhereWasmPanics()
    {
        using JsonDocument doc = Vectors.ReadJson(SortableVectors.Folder, "edge-cases.json");
        string wasm = doc.RootElement.GetProperty("sortable_string_cut_inside_utf8").GetProperty("error").GetString()!;
        Assert.Contains("unreachable", wasm, StringComparison.Ordinal); // a Rust panic in the wasm

        foreach (string s in new[] { "abcä", "aäää", "ab€", "a😀", "€€" })
        {
            var ex = Assert.Throws<CryptoException>(() => Ope16.EncodeString(s));
            Assert.Equal(CryptoError.DataMalformed, ex.Error);
        }
    }

    [Fact]
    public void EncodeString_CutOnCharacterBoundary_UsesWholeCharacters()
    {
        // "ääää" is 8 bytes; the first 4 are "ää": 228·256 + 228 = 58596, / 65534 = 0.
        Assert.Equal(0UL, Ope16.EncodeString("ääää"));
        // "€a" + more: '€' (3 bytes) + 'a' fills 4 bytes exactly: (0x20AC·256 + 0x61) / 65534.
        Assert.Equal((0x20ACUL * 256 + 0x61) / 65534, Ope16.EncodeString("€abc"));
    }

    [Theory]
    [InlineData("\u007f\u007f\u007f\u007f")] // 4 one-byte characters: the largest fold, 0x7F7F7F7F
    [InlineData("\uFFFF\u007f")] // 3 + 1 bytes
    [InlineData("\U0010FFFF")] // one 4-byte character
    public void EncodeString_LargestFolds_StayEncryptable(string s)
    {
        // No 4-byte input folds above 32767, so client_61 is unreachable from strings; it stays in Encrypt.
        ulong number = Ope16.EncodeString(s);

        Assert.True(number <= Ope16.MaxPlaintext);
        Assert.True(Ope16.Encrypt(new byte[16], number) < (1UL << 32));
    }

    [Fact]
    public void Encrypt_SameKeyTwice_IsDeterministicAndCipherObjectAgrees()
    {
        byte[] key = Convert.FromHexString("ffeeddccbbaa99887766554433221100");
        using var cipher = new Ope16Cipher(key);

        foreach (ulong n in new ulong[] { 0, 1, 262, 40000, 65532 })
        {
            Assert.Equal(Ope16.Encrypt(key, n), cipher.Encrypt(n));
            Assert.Equal(cipher.Encrypt(n), cipher.Encrypt(n));
        }
    }

    private static string? Optional(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind != JsonValueKind.Null
            ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()
            : null;
}
