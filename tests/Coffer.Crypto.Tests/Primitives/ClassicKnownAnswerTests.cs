using System.Security.Cryptography;
using Coffer.Crypto.Primitives;

namespace Coffer.Crypto.Tests.Primitives;

/// <summary>RFC 7748 (X25519) and RFC 8032 (Ed25519) vectors through our libsodium bindings.</summary>
public class ClassicKnownAnswerTests
{
    [Theory]
    // RFC 7748 §5.2, first vector (scalar, u-coordinate, output).
    [InlineData(
        "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
        "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
        "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")]
    // RFC 7748 §6.1: Alice's private key with Bob's public key gives the shared secret.
    [InlineData(
        "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
        "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")]
    public void SharedSecret_Rfc7748_MatchesOutput(string scalar, string point, string expected)
    {
        byte[] shared = new byte[32];
        Assert.True(X25519.SharedSecret(Convert.FromHexString(scalar), Convert.FromHexString(point), shared));
        Assert.Equal(expected, Convert.ToHexStringLower(shared));
    }

    [Theory]
    [InlineData(
        "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")]
    [InlineData(
        "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")]
    public void PublicKeyFromSecret_Rfc7748_MatchesPublicKey(string secret, string expected)
    {
        byte[] publicKey = new byte[32];
        X25519.PublicKeyFromSecret(Convert.FromHexString(secret), publicKey);
        Assert.Equal(expected, Convert.ToHexStringLower(publicKey));
    }

    [Fact]
    public void SharedSecret_LowOrderPoint_IsRefused()
    {
        // u = 0 is a point of small order: the shared secret would be all zero.
        Assert.False(X25519.SharedSecret(RandomNumberGenerator.GetBytes(32), new byte[32], new byte[32]));
    }

    [Theory]
    // RFC 8032 §7.1 TEST 1, 2, 3: seed, public key, message, signature.
    [InlineData(
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")]
    [InlineData(
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")]
    [InlineData(
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a")]
    public void Sign_Rfc8032_ReproducesSignatureAndVerifies(string seed, string publicKey, string message, string signature)
    {
        byte[] expanded = new byte[64];
        byte[] derivedPublic = new byte[32];
        Ed25519.ExpandSeed(Convert.FromHexString(seed), expanded, derivedPublic);
        Assert.Equal(publicKey, Convert.ToHexStringLower(derivedPublic));

        byte[] produced = new byte[64];
        Ed25519.Sign(expanded, Convert.FromHexString(message), produced);
        Assert.Equal(signature, Convert.ToHexStringLower(produced));
        Assert.True(Ed25519.Verify(derivedPublic, Convert.FromHexString(message), produced));

        produced[0] ^= 1;
        Assert.False(Ed25519.Verify(derivedPublic, Convert.FromHexString(message), produced));
    }

    [Fact]
    public void X25519AndHkdf_PrimitivesJson_MatchWasm()
    {
        var v = SentcVectors.At("primitives.json", "x25519_hkdf");
        byte[] pkA = new byte[32];
        byte[] pkB = new byte[32];
        X25519.PublicKeyFromSecret(v.Hex("sk_a_hex"), pkA);
        X25519.PublicKeyFromSecret(v.Hex("sk_b_hex"), pkB);
        Assert.Equal(v.Hex("pk_a_hex"), pkA);
        Assert.Equal(v.Hex("pk_b_hex"), pkB);

        byte[] shared = new byte[32];
        Assert.True(X25519.SharedSecret(v.Hex("sk_a_hex"), pkB, shared));
        Assert.Equal(v.Hex("shared_hex"), shared);

        byte[] key = HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, salt: [], info: "ecies-ed25519"u8.ToArray());
        Assert.Equal(v.Hex("hkdf_ecies_key_hex"), key);
    }
}
