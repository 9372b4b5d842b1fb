using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Coffer.Crypto.PostQuantum.Dilithium;

namespace Coffer.Crypto.Benchmarks;

// Dilithium3-AES (round 3 v3.1): key generation, randomized signing of 1 KiB, verification; AVX2 and scalar paths.
[MemoryDiagnoser]
public class DilithiumBenchmarks
{
    private readonly byte[] _seed = new byte[Dilithium3Aes.SeedSize];
    private readonly byte[] _publicKey = new byte[Dilithium3Aes.PublicKeySize];
    private readonly byte[] _secretKey = new byte[Dilithium3Aes.SecretKeySize];
    private readonly byte[] _message = new byte[1024];
    private readonly byte[] _rhoPrime = new byte[Dilithium3Aes.RandomnessSize];
    private readonly byte[] _signature = new byte[Dilithium3Aes.SignatureSize];
    private PolyArithmetic _arithmetic = PolyArithmetic.Default;

    [Params("avx2", "scalar")]
    public string Arithmetic { get; set; } = "avx2";

    [GlobalSetup]
    public void Setup()
    {
        _arithmetic = Arithmetic == "avx2" ? Avx2PolyArithmetic.Instance : PolyArithmetic.Scalar;
        RandomNumberGenerator.Fill(_seed);
        RandomNumberGenerator.Fill(_message);
        Dilithium3Aes.GenerateKeyPair(_arithmetic, _seed, _publicKey, _secretKey);
        Dilithium3Aes.Sign(_arithmetic, _secretKey, _message, [], _signature);
    }

    [Benchmark]
    public void KeyGen() => Dilithium3Aes.GenerateKeyPair(_arithmetic, _seed, _publicKey, _secretKey);

    // The rejection loop runs a different number of times per randomness, so each call draws fresh ρ′: the mean
    // is the expected signing time, not one message's.
    [Benchmark]
    public void Sign()
    {
        RandomNumberGenerator.Fill(_rhoPrime);
        Dilithium3Aes.Sign(_arithmetic, _secretKey, _message, _rhoPrime, _signature);
    }

    [Benchmark]
    public bool Verify() => Dilithium3Aes.Verify(_arithmetic, _publicKey, _message, _signature);
}
