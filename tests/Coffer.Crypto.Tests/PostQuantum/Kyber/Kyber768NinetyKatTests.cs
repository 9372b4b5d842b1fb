using System.Security.Cryptography;
using Coffer.Crypto.PostQuantum.Kyber;
using Coffer.Crypto.Tests.Drbg;

namespace Coffer.Crypto.Tests.PostQuantum.Kyber;

/// <summary>Known-answer tests: every entry of every vector file, on the scalar and the AVX2 arithmetic.</summary>
public class Kyber768NinetyKatTests
{
    public static TheoryData<string, int> TvecsRows => KyberVectors.Rows(KyberVectors.Tvecs.Count);

    public static TheoryData<string, int> RspRows => KyberVectors.Rows(KyberVectors.Rsp.Count);

    public static TheoryData<string, int> PrimitivesRows => KyberVectors.Rows(KyberVectors.PrimitivesKyber().GetArrayLength());

    [Fact]
    public void VectorFiles_Discovered_HaveAllEntries()
    {
        Assert.Equal(25, KyberVectors.Tvecs.Count);
        Assert.Equal(100, KyberVectors.Rsp.Count);
        Assert.Equal(Enumerable.Range(0, 100), KyberVectors.Rsp.Select(e => e.Count));
        Assert.NotEqual(0, KyberVectors.PrimitivesKyber().GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(TvecsRows))]
    public void Tvecs_Entry_MatchesKeysCiphertextAndSecrets(string path, int index)
    {
        KyberPath p = KyberVectors.Use(path);
        KyberCase c = KyberVectors.Tvecs[index];
        CheckCase(p, c);
    }

    [Theory]
    [MemberData(nameof(RspRows))]
    public void NistRsp_Entry_MatchesWithDrbgRandomness(string path, int index)
    {
        KyberPath p = KyberVectors.Use(path);
        RspEntry e = KyberVectors.Rsp[index];
        Assert.Equal(index, e.Count);

        // Three separate 32-byte randombytes calls: d (indcpa keypair), z (KEM keypair), m′ (encapsulation).
        using var drbg = new NistCtrDrbg(e.Bytes("seed"));
        byte[] d = new byte[32], z = new byte[32], m = new byte[32];
        drbg.Generate(d);
        drbg.Generate(z);
        drbg.Generate(m);

        CheckCase(p, new KyberCase(d, z, e.Bytes("pk"), e.Bytes("sk"), m, e.Bytes("ct"), e.Bytes("ss")));
    }

    [Theory]
    [MemberData(nameof(PrimitivesRows))]
    public void SentcPrimitives_Entry_MatchesWasmVectors(string path, int index)
    {
        KyberPath p = KyberVectors.Use(path);
        var v = KyberVectors.PrimitivesKyber()[index];
        byte[] z = Convert.FromHexString(v.GetProperty("z_hex").GetString()!);
        var c = new KyberCase(
            Convert.FromHexString(v.GetProperty("d_hex").GetString()!),
            z,
            Convert.FromBase64String(v.GetProperty("public_key_b64").GetString()!),
            Convert.FromBase64String(v.GetProperty("secret_key_b64").GetString()!),
            Convert.FromHexString(v.GetProperty("encaps_m_hex").GetString()!),
            Convert.FromBase64String(v.GetProperty("ciphertext_b64").GetString()!),
            Convert.FromHexString(v.GetProperty("shared_secret_hex").GetString()!));
        CheckCase(p, c);

        // The wasm's implicit-rejection secret for the ciphertext with its first byte XOR 1.
        byte[] tampered = (byte[])c.Ciphertext.Clone();
        tampered[0] ^= 1;
        byte[] ss = new byte[32];
        Kyber768Ninety.Decapsulate(p, c.SecretKey, tampered, ss);
        Assert.Equal(
            v.GetProperty("tampered_ciphertext_first_byte_xor1_shared_secret_hex").GetString(),
            Convert.ToHexString(ss).ToLowerInvariant());
        Assert.Equal(SHA256.HashData([.. z, .. SHA256.HashData(tampered)]), ss);
    }

    private static void CheckCase(KyberPath path, KyberCase c)
    {
        byte[] pk = new byte[Kyber768Ninety.PublicKeySize];
        byte[] sk = new byte[Kyber768Ninety.SecretKeySize];
        Kyber768Ninety.GenerateKeyPair(path, c.D, c.Z, pk, sk);
        Assert.Equal(Convert.ToHexString(c.PublicKey), Convert.ToHexString(pk));
        Assert.Equal(Convert.ToHexString(c.SecretKey), Convert.ToHexString(sk));

        byte[] ct = new byte[Kyber768Ninety.CiphertextSize];
        byte[] ssB = new byte[Kyber768Ninety.SharedSecretSize];
        Kyber768Ninety.Encapsulate(path, c.PublicKey, c.RandomM, ct, ssB);
        Assert.Equal(Convert.ToHexString(c.Ciphertext), Convert.ToHexString(ct));
        Assert.Equal(Convert.ToHexString(c.SharedSecret), Convert.ToHexString(ssB));

        byte[] ssA = new byte[Kyber768Ninety.SharedSecretSize];
        Kyber768Ninety.Decapsulate(path, c.SecretKey, c.Ciphertext, ssA);
        Assert.Equal(Convert.ToHexString(c.SharedSecret), Convert.ToHexString(ssA));
    }
}
