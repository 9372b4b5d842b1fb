using BenchmarkDotNet.Attributes;
using Coffer.Crypto.Sentc;

namespace Coffer.Crypto.Benchmarks;

/// <summary>
/// AES-256-GCM as a user sees it: <see cref="EncryptedData"/> (head ‖ 0 ‖ blob, what the official client's
/// encrypt_symmetric / decrypt_symmetric do), and the bare blob (<see cref="SymmetricKey.Encrypt(ReadOnlySpan{byte})"/>, and into a buffer) for the
/// throughput comparison with openssl.
/// </summary>
[MemoryDiagnoser]
public class AesGcmBenchmarks
{
    private SymmetricKey _key = null!;
    private byte[] _plaintext = null!;
    private byte[] _encrypted = null!;
    private byte[] _blobBuffer = null!;

    [Params(32, 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _key = SymmetricKey.Generate("bench_sym");
        _plaintext = new byte[Size];
        new Random(1).NextBytes(_plaintext);
        _encrypted = EncryptedData.Encrypt(_key, _plaintext);
        _blobBuffer = new byte[Size + SymmetricKey.Overhead];
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark]
    public byte[] Encrypt() => EncryptedData.Encrypt(_key, _plaintext);

    [Benchmark]
    public byte[] Decrypt() => EncryptedData.Decrypt(_key, _encrypted);

    [Benchmark]
    public byte[] EncryptBlob() => _key.Encrypt(_plaintext);

    /// <summary>Into a caller-owned buffer: AES-GCM itself, without the allocation of a new output array.</summary>
    [Benchmark]
    public void EncryptBlobIntoBuffer() => _key.Encrypt(_plaintext, _blobBuffer);
}
