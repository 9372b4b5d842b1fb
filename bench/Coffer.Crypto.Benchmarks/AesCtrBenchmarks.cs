using BenchmarkDotNet.Attributes;
using Coffer.Crypto.Primitives;

namespace Coffer.Crypto.Benchmarks;

[MemoryDiagnoser]
public class AesCtrBenchmarks
{
    private readonly byte[] _key = new byte[32];
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _out = new byte[512];

    [Benchmark]
    public void Keystream512()
    {
        using var ctr = new Aes256Ctr(_key);
        ctr.Keystream(_nonce, 0, _out);
    }
}
