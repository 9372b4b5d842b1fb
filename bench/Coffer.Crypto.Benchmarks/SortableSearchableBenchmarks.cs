using BenchmarkDotNet.Attributes;
using Coffer.Crypto.Searchable;
using Coffer.Crypto.Sortable;

namespace Coffer.Crypto.Benchmarks;

[MemoryDiagnoser]
public class SortableSearchableBenchmarks
{
    private readonly byte[] _opeKey = Convert.FromBase64String("5kGPKgLQKmuZeOWQyJ7vOg==");
    private readonly byte[] _hmacKey = new byte[32];
    private readonly string _text20 = "coffer search text20"; // 20 ASCII bytes
    private Ope16Cipher _cipher = null!;
    private ulong _n;

    [GlobalSetup]
    public void Setup() => _cipher = new Ope16Cipher(_opeKey);

    [GlobalCleanup]
    public void Cleanup() => _cipher.Dispose();

    // One number, nothing kept between calls: new AES key schedule, keystream and ~17 HMACs.
    [Benchmark]
    public ulong Ope16EncryptNumberCold() => Ope16.Encrypt(_opeKey, 12345);

    // Many numbers under one key (an index rebuild): the cipher object keeps the keystream and the upper nodes.
    [Benchmark]
    public ulong Ope16EncryptNumberWarmCipher()
    {
        _n = (_n + 7919) % (Ope16.MaxPlaintext + 1);
        return _cipher.Encrypt(_n);
    }

    // 20 prefix tokens: 20 HMAC-SHA256 and base64url encodings.
    [Benchmark]
    public int SearchableCreate20Bytes() => SearchableHash.Create(_hmacKey, _text20, full: false, limit: null).Count;

    [Benchmark]
    public string SearchableSearch() => SearchableHash.Search(_hmacKey, _text20);
}
