using Coffer.Crypto;

namespace Coffer.Interop.Tests;

/// <summary>
/// Searchable hashes (HMAC-SHA256, crypto-std.md §11) and sortable numbers (OPE-16, §12) are deterministic: what C#
/// stores next to data must be exactly what the official client computes for the same key, or search and sort break
/// between the two SDKs.
/// </summary>
public class SearchableSortableInteropTests(OfficialClient wasm) : IClassFixture<OfficialClient>
{
    public static TheoryData<string, bool, int?> SearchableCases => new()
    {
        { "hello world", true, null },
        { "hello world", false, null },
        { "hello world", false, 4 },
        { "hello world", false, 0 },
        { "Grüße 東京 🔐", false, null },   // byte prefixes cut through multi-byte characters
        { "Grüße 東京 🔐", false, 3 },
        { "x", false, 10 },
        { new string('a', 200), false, null },
        { new string('b', 300), false, 200 },
        { new string('c', 300), true, null },
    };

    public static TheoryData<string> SortableStrings => ["a", "ä", "", "abcd", "abcdef", "東", "zz", "****", "aé"];

    [Theory]
    [MemberData(nameof(SearchableCases))]
    public async Task CreateHashes_SameKey_IdenticalToWasm(string data, bool full, int? limit)
    {
        using SearchableKey key = SearchableKey.Generate("ghmac_1");

        var output = await wasm.CallAsync("create_searchable", key.ExportJson(), data, full, limit);

        Assert.Equal(output.GetProperty("hashes").EnumerateArray().Select(h => h.GetString()), key.CreateHashes(data, full, limit));
        Assert.Equal(SearchableKey.AlgorithmId, output.Str("alg"));
        Assert.Equal(key.KeyId, output.Str("key_id"));
    }

    [Theory]
    [InlineData("hello")]
    [InlineData("Grüße 🔐")]
    public async Task Search_SameKey_IdenticalToWasm(string data)
    {
        using SearchableKey key = SearchableKey.Generate("ghmac_1");

        string wasmHash = await wasm.CallStringAsync("search", key.ExportJson(), data);

        Assert.Equal(wasmHash, key.Search(data));
        Assert.Contains(wasmHash, key.CreateHashes(data));
    }

    [Fact]
    public async Task SortableEncrypt_NumbersAcrossTheDomain_IdenticalToWasmAndOrdered()
    {
        using SortableKey key = SortableKey.Generate("gsort_1");
        var random = new Random(65532);
        ulong[] values = [0, 1, 2, 262, 263, 32767, 65531, 65532, .. Enumerable.Range(0, 120).Select(_ => (ulong)random.Next(0, 65533))];

        foreach (ulong value in values.Distinct().Order())
        {
            string wasmNumber = await wasm.CallStringAsync("sortable_encrypt_raw_number", key.ExportJson(), new WasmU64(value));
            Assert.Equal(wasmNumber, key.Encrypt(value).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task SortableEncryptNumber_Output_NamesAlgorithmAndKey()
    {
        using SortableKey key = SortableKey.Generate("gsort_2");

        var output = await wasm.CallAsync("sortable_encrypt_number", key.ExportJson(), new WasmU64(1234));

        Assert.Equal(key.Encrypt(1234).ToString(System.Globalization.CultureInfo.InvariantCulture), output.Str("number"));
        Assert.Equal(SortableKey.AlgorithmId, output.Str("alg"));
        Assert.Equal(key.KeyId, output.Str("key_id"));
    }

    [Theory]
    [MemberData(nameof(SortableStrings))]
    public async Task SortableEncryptString_SameKey_IdenticalToWasm(string value)
    {
        using SortableKey key = SortableKey.Generate("gsort_1");

        string wasmNumber = await wasm.CallStringAsync("sortable_encrypt_raw_string", key.ExportJson(), value);

        Assert.Equal(wasmNumber, key.EncryptString(value).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task SortableEncrypt_AboveMaximum_BothReportClient61()
    {
        using SortableKey key = SortableKey.Generate("gsort_1");

        var error = await Assert.ThrowsAsync<OfficialClientException>(
            () => wasm.CallAsync("sortable_encrypt_raw_number", key.ExportJson(), new WasmU64(SortableKey.MaxValue + 1)));

        Assert.Equal("client_61", error.Code);
        Assert.Equal(error.Code, Assert.Throws<CryptoException>(() => key.Encrypt(SortableKey.MaxValue + 1)).Code);
    }

    [Fact]
    public async Task WasmGroupKeys_HmacAndSortableKeysUnwrappedByCSharp_ProduceTheWasmsOutputs()
    {
        WasmGroup group = await WasmGroup.CreateAsync(wasm);
        var body = ServerJson.Parse(group.CreateBody);
        using SymmetricKey groupKey = SymmetricKey.ImportJson(group.GroupKeyJson);
        using SearchableKey searchable = SearchableKey.Unwrap(groupKey, body.B64("encrypted_hmac_key"), "ghmac_w");
        using SortableKey sortable = SortableKey.Unwrap(groupKey, body.B64("encrypted_sortable_key"), "gsort_w");

        string wasmHash = await wasm.CallStringAsync("search", searchable.ExportJson(), "invoice 2026");
        string wasmNumber = await wasm.CallStringAsync("sortable_encrypt_raw_number", sortable.ExportJson(), new WasmU64(4711));

        Assert.Equal(wasmHash, searchable.Search("invoice 2026"));
        Assert.Equal(wasmNumber, sortable.Encrypt(4711).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
