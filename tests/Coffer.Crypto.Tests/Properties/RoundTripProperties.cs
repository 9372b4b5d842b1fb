using Coffer.Crypto.Sentc;
using FsCheck;
using FsCheck.Fluent;

namespace Coffer.Crypto.Tests.Properties;

/// <summary>Round trips over random sizes, contents and keys (FsCheck), for every algorithm of the registry.</summary>
public class RoundTripProperties
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(40);

    private static readonly (PrivateKey Private, PublicKey Public)[] EncryptionKeys =
        [.. EncryptionAlgorithm.All.Select(a => PrivateKey.Generate(a, "kp-" + a.Id))];

    private static readonly (SignKey Sign, VerifyKey Verify)[] SignatureKeys =
        [.. SignatureAlgorithm.All.Select(a => SignKey.Generate(a, "sk-" + a.Id))];

    [Fact]
    public void Symmetric_AnyPlaintextAnyKey_RoundTripsAndOtherKeyFails()
    {
        Prop.ForAll<byte[], bool>((plaintext, signed) =>
        {
            using SymmetricKey key = SymmetricKey.Generate("k");
            using SymmetricKey other = SymmetricKey.Generate("k");
            (SignKey signKey, VerifyKey verifyKey) = SignatureKeys[0];
            byte[] data = EncryptedData.Encrypt(key, plaintext, signed ? signKey : null);
            bool roundTrips = EncryptedData.Decrypt(key, data, signed ? verifyKey : null).AsSpan().SequenceEqual(plaintext);
            bool otherFails = !other.TryDecrypt(data.AsSpan((data.AsSpan().IndexOf((byte)0) + 1 + (signed ? 3357 : 0))..), out _);
            return roundTrips && otherFails;
        }).Check(Runs);
    }

    [Fact]
    public void Asymmetric_EveryAlgorithm_RoundTripsAnyPlaintext()
    {
        Prop.ForAll<byte[], byte>((plaintext, pick) =>
        {
            (PrivateKey privateKey, PublicKey publicKey) = EncryptionKeys[pick % EncryptionKeys.Length];
            byte[] blob = publicKey.Encrypt(plaintext);
            return blob.Length == plaintext.Length + publicKey.Algorithm.Overhead
                && privateKey.Decrypt(blob).AsSpan().SequenceEqual(plaintext);
        }).Check(Runs);
    }

    [Fact]
    public void Asymmetric_AnySingleBitFlip_IsRejected()
    {
        (PrivateKey privateKey, PublicKey publicKey) = EncryptionKeys[0];
        byte[] blob = publicKey.Encrypt("flip me"u8);
        Prop.ForAll<int>(bit =>
        {
            int position = (int)((uint)bit % (blob.Length * 8));
            byte[] tampered = (byte[])blob.Clone();
            tampered[position / 8] ^= (byte)(1 << (position % 8));
            try
            {
                privateKey.Decrypt(tampered);
                return false;
            }
            catch (CryptoException ex)
            {
                return ex.Error == CryptoError.DecryptionFailed;
            }
        }).Check(Runs.WithMaxTest(60));
    }

    [Fact]
    public void Signatures_EveryAlgorithm_VerifyOnlyTheSignedMessage()
    {
        Prop.ForAll<byte[], byte>((message, pick) =>
        {
            (SignKey signKey, VerifyKey verifyKey) = SignatureKeys[pick % SignatureKeys.Length];
            byte[] signature = signKey.Sign(message);
            byte[] other = [.. message, 1];
            return signature.Length == signKey.Algorithm.SignatureSize
                && verifyKey.Verify(message, signature)
                && !verifyKey.Verify(other, signature)
                && verifyKey.VerifyText(message, signKey.SignToText(message));
        }).Check(Runs);
    }

    [Fact]
    public void KeyExports_EveryKind_RoundTripThroughJsonAndWireText()
    {
        foreach ((PrivateKey privateKey, PublicKey publicKey) in EncryptionKeys)
        {
            using PrivateKey imported = PrivateKey.ImportJson(privateKey.ExportJson());
            Assert.Equal(publicKey, imported.GetPublicKey());
            Assert.Equal(publicKey, PublicKey.ImportJson(publicKey.ExportJson()));
            Assert.Equal(publicKey, PublicKey.FromWireText(publicKey.Algorithm, publicKey.ToWireText(), publicKey.KeyId));
            Assert.Equal(privateKey.KeyId, imported.KeyId);
        }

        foreach ((SignKey signKey, VerifyKey verifyKey) in SignatureKeys)
        {
            using SignKey imported = SignKey.ImportJson(signKey.ExportJson());
            Assert.True(verifyKey.Verify("x"u8, imported.Sign("x"u8)));
            Assert.Equal(verifyKey, VerifyKey.ImportJson(verifyKey.ExportJson()));
            Assert.Equal(verifyKey, VerifyKey.FromWireText(verifyKey.Algorithm, verifyKey.ToWireText(), verifyKey.KeyId));
        }
    }

    [Fact]
    public void Wrapping_EveryKeyKind_UnwrapsWithTheRightKeyOnly()
    {
        using SymmetricKey master = SymmetricKey.Generate("m");
        using SymmetricKey other = SymmetricKey.Generate("m");
        foreach ((PrivateKey privateKey, _) in EncryptionKeys)
        {
            byte[] wrapped = master.Wrap(privateKey);
            using PrivateKey unwrapped = master.UnwrapPrivateKey(wrapped, privateKey.Algorithm, "x");
            Assert.Equal(privateKey.GetPublicKey(), unwrapped.GetPublicKey());
            Assert.Equal("client_30", Assert.Throws<CryptoException>(() => other.UnwrapPrivateKey(wrapped, privateKey.Algorithm, "x")).Code);
        }

        foreach ((SignKey signKey, VerifyKey verifyKey) in SignatureKeys)
        {
            using SignKey unwrapped = master.UnwrapSignKey(master.Wrap(signKey), signKey.Algorithm, "x");
            Assert.True(verifyKey.Verify("y"u8, unwrapped.Sign("y"u8)));
        }

        // A wrapped key of another length (here a 32-byte key where a hybrid key is expected) is refused.
        Assert.Equal(CryptoError.KeyDecryptionFailed, Assert.Throws<CryptoException>(
            () => master.UnwrapPrivateKey(master.Wrap(other), EncryptionAlgorithm.X25519Kyber768, "x")).Error);

        (PrivateKey recipient, PublicKey recipientPublic) = EncryptionKeys[0];
        using SymmetricKey groupKey = recipient.UnwrapSymmetricKey(recipientPublic.Wrap(master), "g");
        Assert.Equal(master.ExportRaw(), groupKey.ExportRaw());
    }

    [Fact]
    public void Decrypt_HeadClaimsSignatureOnUnsignedData_FailsCleanly()
    {
        using SymmetricKey key = SymmetricKey.Generate("k");
        (SignKey signKey, VerifyKey verifyKey) = SignatureKeys[0];
        byte[] data = EncryptedData.Encrypt(key, new byte[4000]);
        int zero = Array.IndexOf(data, (byte)0);
        byte[] forgedHead = System.Text.Encoding.UTF8.GetBytes(new DataHead("k", new SignHead(signKey.KeyId, signKey.Algorithm.Id)).ToJson());
        byte[] forged = [.. forgedHead, .. data.AsSpan(zero)];
        Assert.Equal(CryptoError.SignatureInvalid, Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(key, forged, verifyKey)).Error);

        byte[] small = EncryptedData.Encrypt(key, "tiny"u8);
        byte[] forgedSmall = [.. forgedHead, .. small.AsSpan(Array.IndexOf(small, (byte)0))];
        Assert.Equal(CryptoError.SignedDataTooShort, Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(key, forgedSmall, verifyKey)).Error);

        byte[] unknownAlg = [.. System.Text.Encoding.UTF8.GetBytes("{\"id\":\"k\",\"sign\":{\"id\":\"s\",\"alg\":\"RSA\"}}"), .. data.AsSpan(zero)];
        Assert.Equal(CryptoError.AlgorithmNotSupported, Assert.Throws<CryptoException>(() => EncryptedData.Decrypt(key, unknownAlg)).Error);
    }

    [Fact]
    public void Algorithms_UnknownIds_AreNotSupported()
    {
        Assert.Equal("client_100", Assert.Throws<CryptoException>(() => EncryptionAlgorithm.FromId("RSA")).Code);
        Assert.Equal("client_100", Assert.Throws<CryptoException>(() => SignatureAlgorithm.FromId("ecies-ed25519_kyber_768")).Code);
        Assert.Same(EncryptionAlgorithm.X25519Kyber768, EncryptionAlgorithm.FromId("ECIES-ed25519_KYBER_768"));
        Assert.Same(SignatureAlgorithm.Ed25519Dilithium3, SignatureAlgorithm.FromId("ED25519_DILITHIUM_3"));
    }
}
