using BenchmarkDotNet.Attributes;
using Coffer.Crypto.Sentc;

namespace Coffer.Crypto.Benchmarks;

/// <summary>
/// The hybrid (post-quantum + classic) operations a user triggers: encrypting a 32-byte key to a public key and
/// decrypting it, signed data (AES + Ed25519/Dilithium3 signature) and its verification, key generation, and the two
/// protocol steps the official client can be timed on as a whole (group create, user key rotation start).
/// </summary>
[MemoryDiagnoser]
public class HybridBenchmarks
{
    private PrivateKey _privateKey = null!;
    private PublicKey _publicKey = null!;
    private SignKey _signKey = null!;
    private VerifyKey _verifyKey = null!;
    private SymmetricKey _symmetricKey = null!;
    private byte[] _key32 = null!;
    private byte[] _encryptedKey = null!;
    private byte[] _data1KiB = null!;
    private byte[] _signed1KiB = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_privateKey, _publicKey) = PrivateKey.Generate(EncryptionAlgorithm.X25519Kyber768, "bench_kp");
        (_signKey, _verifyKey) = SignKey.Generate(SignatureAlgorithm.Ed25519Dilithium3, "bench_sk");
        _symmetricKey = SymmetricKey.Generate("bench_sym");
        _key32 = new byte[32];
        new Random(2).NextBytes(_key32);
        _encryptedKey = EncryptedData.Encrypt(_publicKey, _key32);
        _data1KiB = new byte[1024];
        new Random(3).NextBytes(_data1KiB);
        _signed1KiB = EncryptedData.Encrypt(_symmetricKey, _data1KiB, _signKey);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _privateKey.Dispose();
        _signKey.Dispose();
        _symmetricKey.Dispose();
    }

    /// <summary>encrypt_asymmetric(public_key_data, 32 bytes).</summary>
    [Benchmark]
    public byte[] EncryptKey32() => EncryptedData.Encrypt(_publicKey, _key32);

    /// <summary>decrypt_asymmetric(private_key, data).</summary>
    [Benchmark]
    public byte[] DecryptKey32() => EncryptedData.Decrypt(_privateKey, _encryptedKey);

    /// <summary>encrypt_symmetric(key, 1 KiB, sign_key).</summary>
    [Benchmark]
    public byte[] EncryptAndSign1KiB() => EncryptedData.Encrypt(_symmetricKey, _data1KiB, _signKey);

    /// <summary>decrypt_symmetric(key, signed data, verify_key_data).</summary>
    [Benchmark]
    public byte[] VerifyAndDecrypt1KiB() => EncryptedData.Decrypt(_symmetricKey, _signed1KiB, _verifyKey);

    [Benchmark]
    public PublicKey GenerateEncryptionKeyPair()
    {
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.X25519Kyber768, "k");
        privateKey.Dispose();
        return publicKey;
    }

    [Benchmark]
    public VerifyKey GenerateSignatureKeyPair()
    {
        (SignKey signKey, VerifyKey verifyKey) = SignKey.Generate(SignatureAlgorithm.Ed25519Dilithium3, "k");
        signKey.Dispose();
        return verifyKey;
    }

    /// <summary>
    /// The crypto of group_prepare_create_group (crypto-std.md §15.2): group key, hybrid key pair, HMAC and OPE keys;
    /// the group key hybrid-encrypted to the creator, the private key, HMAC and OPE keys under the group key.
    /// </summary>
    [Benchmark]
    public string GroupCreate()
    {
        using var groupKey = SymmetricKey.Generate();
        (PrivateKey groupPrivate, PublicKey groupPublic) = PrivateKey.Generate(EncryptionAlgorithm.X25519Kyber768);
        using (groupPrivate)
        {
            byte[] hmacKey = new byte[32];
            byte[] opeKey = new byte[16];
            System.Security.Cryptography.RandomNumberGenerator.Fill(hmacKey);
            System.Security.Cryptography.RandomNumberGenerator.Fill(opeKey);
            return string.Concat(
                Convert.ToBase64String(_publicKey.Wrap(groupKey)),
                Convert.ToBase64String(groupKey.Wrap(groupPrivate)),
                groupPublic.ToWireText(),
                Convert.ToBase64String(groupKey.Encrypt(hmacKey)),
                Convert.ToBase64String(groupKey.Encrypt(opeKey)));
        }
    }

    /// <summary>
    /// The crypto of user_key_rotation's start (crypto-std.md §15.6, user group): new user key G′, hybrid key pair and
    /// sign key pair, public_key_sig over the new public key, G′ to the device key, the private and sign keys under G′,
    /// the ephemeral key under the previous key and G′ under the ephemeral key.
    /// </summary>
    [Benchmark]
    public string UserKeyRotationStart()
    {
        using var newKey = SymmetricKey.Generate();
        using var ephemeral = SymmetricKey.Generate();
        (PrivateKey newPrivate, PublicKey newPublic) = PrivateKey.Generate(EncryptionAlgorithm.X25519Kyber768);
        (SignKey newSign, VerifyKey newVerify) = SignKey.Generate(SignatureAlgorithm.Ed25519Dilithium3);
        using (newPrivate)
        using (newSign)
        {
            return string.Concat(
                Convert.ToBase64String(_publicKey.Wrap(newKey)),
                Convert.ToBase64String(newKey.Wrap(newPrivate)),
                newPublic.ToWireText(),
                Convert.ToBase64String(ephemeral.Wrap(newKey)),
                Convert.ToBase64String(_symmetricKey.Wrap(ephemeral)),
                Convert.ToBase64String(newKey.Wrap(newSign)),
                newVerify.ToWireText(),
                newSign.SignToText(newPublic.Export()));
        }
    }
}
