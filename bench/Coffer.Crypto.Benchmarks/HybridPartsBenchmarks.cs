using BenchmarkDotNet.Attributes;

namespace Coffer.Crypto.Benchmarks;

/// <summary>
/// The two halves of each hybrid construction on their own (the single algorithms of the std family), to show where
/// the time of a hybrid operation goes: X25519 ECIES vs Kyber768-90s + AES, Ed25519 vs Dilithium3-AES.
/// </summary>
[MemoryDiagnoser]
public class HybridPartsBenchmarks
{
    private readonly byte[] _key32 = new byte[32];
    private readonly byte[] _message = new byte[1052]; // an AES blob of 1 KiB plus nonce and tag
    private PrivateKey _x25519Private = null!;
    private PublicKey _x25519Public = null!;
    private PrivateKey _kyberPrivate = null!;
    private PublicKey _kyberPublic = null!;
    private byte[] _x25519Ciphertext = null!;
    private byte[] _kyberCiphertext = null!;
    private SignKey _ed25519Sign = null!;
    private VerifyKey _ed25519Verify = null!;
    private SignKey _dilithiumSign = null!;
    private VerifyKey _dilithiumVerify = null!;
    private byte[] _ed25519Signature = null!;
    private byte[] _dilithiumSignature = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_x25519Private, _x25519Public) = PrivateKey.Generate(EncryptionAlgorithm.X25519, "x");
        (_kyberPrivate, _kyberPublic) = PrivateKey.Generate(EncryptionAlgorithm.Kyber768, "k");
        _x25519Ciphertext = _x25519Public.Encrypt(_key32);
        _kyberCiphertext = _kyberPublic.Encrypt(_key32);
        (_ed25519Sign, _ed25519Verify) = SignKey.Generate(SignatureAlgorithm.Ed25519, "e");
        (_dilithiumSign, _dilithiumVerify) = SignKey.Generate(SignatureAlgorithm.Dilithium3, "d");
        _ed25519Signature = _ed25519Sign.Sign(_message);
        _dilithiumSignature = _dilithiumSign.Sign(_message);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _x25519Private.Dispose();
        _kyberPrivate.Dispose();
        _ed25519Sign.Dispose();
        _dilithiumSign.Dispose();
    }

    [Benchmark]
    public byte[] X25519EciesEncrypt() => _x25519Public.Encrypt(_key32);

    [Benchmark]
    public byte[] X25519EciesDecrypt() => _x25519Private.Decrypt(_x25519Ciphertext);

    [Benchmark]
    public byte[] KyberAesEncrypt() => _kyberPublic.Encrypt(_key32);

    [Benchmark]
    public byte[] KyberAesDecrypt() => _kyberPrivate.Decrypt(_kyberCiphertext);

    [Benchmark]
    public VerifyKey Ed25519Generate()
    {
        (SignKey sign, VerifyKey verify) = SignKey.Generate(SignatureAlgorithm.Ed25519, "e");
        sign.Dispose();
        return verify;
    }

    [Benchmark]
    public VerifyKey Dilithium3Generate()
    {
        (SignKey sign, VerifyKey verify) = SignKey.Generate(SignatureAlgorithm.Dilithium3, "d");
        sign.Dispose();
        return verify;
    }

    [Benchmark]
    public PublicKey KyberGenerate()
    {
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Kyber768, "k");
        privateKey.Dispose();
        return publicKey;
    }

    [Benchmark]
    public byte[] Ed25519Sign() => _ed25519Sign.Sign(_message);

    [Benchmark]
    public bool Ed25519Verify() => _ed25519Verify.Verify(_message, _ed25519Signature);

    [Benchmark]
    public byte[] Dilithium3Sign() => _dilithiumSign.Sign(_message);

    [Benchmark]
    public bool Dilithium3Verify() => _dilithiumVerify.Verify(_message, _dilithiumSignature);
}
