using BenchmarkDotNet.Attributes;
using Coffer.Crypto.PostQuantum.Kyber;
using Coffer.Crypto.Primitives;

namespace Coffer.Crypto.Benchmarks;

/// <summary>Kyber768-90s round 3: the three KEM operations on the AVX2 path (AVX2 arithmetic, AES-NI XOF/PRF) and on
/// the portable scalar path (scalar arithmetic, BCL AES through Aes256Ctr), plus the AES-256-CTR pieces.</summary>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class KyberBenchmarks
{
    private readonly byte[] _d = new byte[32];
    private readonly byte[] _z = new byte[32];
    private readonly byte[] _m = new byte[32];
    private readonly byte[] _pk = new byte[Kyber768Ninety.PublicKeySize];
    private readonly byte[] _sk = new byte[Kyber768Ninety.SecretKeySize];
    private readonly byte[] _ct = new byte[Kyber768Ninety.CiphertextSize];
    private readonly byte[] _ss = new byte[Kyber768Ninety.SharedSecretSize];
    private readonly short[] _matrix = new short[9 * 256];
    private readonly short[] _noise = new short[7 * 256];

    [GlobalSetup]
    public void Setup()
    {
        new Random(42).NextBytes(_d);
        new Random(43).NextBytes(_z);
        new Random(44).NextBytes(_m);
        Kyber768Ninety.GenerateKeyPair(KyberPath.Scalar, _d, _z, _pk, _sk);
        Kyber768Ninety.Encapsulate(KyberPath.Scalar, _pk, _m, _ct, _ss);
    }

    [Benchmark]
    public void KeyGenAvx2() => Kyber768Ninety.GenerateKeyPair(KyberPath.Avx2, _d, _z, _pk, _sk);

    [Benchmark]
    public void EncapsulateAvx2() => Kyber768Ninety.Encapsulate(KyberPath.Avx2, _pk, _m, _ct, _ss);

    [Benchmark]
    public void DecapsulateAvx2() => Kyber768Ninety.Decapsulate(KyberPath.Avx2, _sk, _ct, _ss);

    [Benchmark]
    public void KeyGenScalar() => Kyber768Ninety.GenerateKeyPair(KyberPath.Scalar, _d, _z, _pk, _sk);

    [Benchmark]
    public void EncapsulateScalar() => Kyber768Ninety.Encapsulate(KyberPath.Scalar, _pk, _m, _ct, _ss);

    [Benchmark]
    public void DecapsulateScalar() => Kyber768Ninety.Decapsulate(KyberPath.Scalar, _sk, _ct, _ss);

    [Benchmark]
    public void AesCtrCreateDispose()
    {
        using var ctr = new Aes256Ctr(_d);
    }

    // The XOF and PRF alone (BCL AES, one batched call each, plus AVX2 rejection sampling / CBD).
    [Benchmark]
    public void ExpandMatrix() => KyberSampling.ExpandMatrix<Avx2Arithmetic>(_pk.AsSpan(1152, 32), transposed: true, _matrix);

    [Benchmark]
    public void SampleNoise7() => KyberSampling.SampleNoise<Avx2Arithmetic>(_m, 0, _noise);
}
