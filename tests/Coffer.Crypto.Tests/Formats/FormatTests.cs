using Coffer.Crypto.Formats;
using Coffer.Crypto.Sentc;

namespace Coffer.Crypto.Tests.Formats;

public class FormatTests
{
    [Theory]
    [InlineData("AAECAw==", true)]
    [InlineData("AAECAwQ=", true)]
    [InlineData("", true)]
    [InlineData("AAECAw", false)]      // unpadded
    [InlineData("AAEC\nAw==", false)]  // line break
    [InlineData("AAEC Aw==", false)]   // space
    [InlineData("AAECAx==", false)]    // non-zero trailing bits: not canonical
    [InlineData("AAECAw=", false)]
    [InlineData("AA-_", false)]        // url alphabet
    public void TryDecode_StrictPaddedBase64_AcceptsOnlyCanonical(string text, bool valid)
    {
        Assert.Equal(valid, StrictBase64.TryDecode(text, out _));
    }

    [Theory]
    [InlineData(32)]
    [InlineData(1184)]
    [InlineData(1952)]
    public void Pem_RoundTrip_WrapsAt64WithTrailingLf(int length)
    {
        byte[] key = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
        string pem = PublicKeyPem.Encode(key);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----\n", pem);
        Assert.EndsWith("\n-----END PUBLIC KEY-----\n", pem);
        Assert.All(pem.Split('\n'), line => Assert.True(line.Length <= 64 || line.StartsWith("-----", StringComparison.Ordinal)));
        Assert.Equal(key, PublicKeyPem.Decode(pem, length));
        Assert.Equal(key, PublicKeyPem.Decode(pem.Replace("\n", "\r\n", StringComparison.Ordinal), length));
        Assert.Equal(key, PublicKeyPem.Decode(pem.TrimEnd('\n'), length));
    }

    [Fact]
    public void Pem_OneLongLine_OrWrongLength_IsKeyFormatInvalid()
    {
        byte[] key = new byte[1184];
        string oneLine = "-----BEGIN PUBLIC KEY-----\n" + Convert.ToBase64String(key) + "\n-----END PUBLIC KEY-----\n";
        Assert.Equal("client_115", Assert.Throws<CryptoException>(() => PublicKeyPem.Decode(oneLine, 1184)).Code);
        Assert.Throws<CryptoException>(() => PublicKeyPem.Decode(PublicKeyPem.Encode(key), 1183));
        Assert.Throws<CryptoException>(() => PublicKeyPem.Decode("garbage", 32));
    }

    [Fact]
    public void HeadJson_EdgeCases_EscapesLikeSerde()
    {
        // edge-cases.json: the head the wasm wrote for id = 'id "q" ü < / DEL \u0001 😀'.
        string expected = SentcVectors.At("edge-cases.json", "head_json_escaping").Str("ok");
        DataHead parsed = DataHead.Parse(expected);
        Assert.Equal("id \"q\" ü < / \u007f \u0001 😀", parsed.Id);
        Assert.Equal(expected, parsed.ToJson());
    }

    [Fact]
    public void HeadJson_UnknownFieldAndMissingSign_Accepted()
    {
        DataHead head = DataHead.Parse("{\"id\":\"a\",\"extra\":[1,2]}");
        Assert.Equal("a", head.Id);
        Assert.Null(head.Sign);
        Assert.Equal("{\"id\":\"a\",\"sign\":null}", head.ToJson());
        Assert.Equal("{\"id\":\"a\",\"sign\":{\"id\":\"s\",\"alg\":\"ED25519_DILITHIUM_3\"}}",
            new DataHead("a", new SignHead("s", "ED25519_DILITHIUM_3")).ToJson());
    }
}
