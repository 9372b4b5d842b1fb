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

    /// <summary>The span decoder keeps the line rules of the string one: LF or CRLF, one optional trailing line end.</summary>
    [Theory]
    [InlineData("{B}\n{L1}\n{L2}\n{E}\n", true)]
    [InlineData("{B}\r\n{L1}\r\n{L2}\r\n{E}\r\n", true)]
    [InlineData("{B}\n{L1}\r\n{L2}\n{E}", true)]         // mixed line ends, no trailing one
    [InlineData("{B}\n{L1}\n{L2}\n{E}\n\n", false)]      // two trailing line ends
    [InlineData("{B}\n{L1}\n{L2}\n{E}\r", false)]         // a lone CR is not a line end
    [InlineData("{B}\r\r\n{L1}\n{L2}\n{E}\n", false)]
    [InlineData("{B}\n\n{L1}\n{L2}\n{E}\n", false)]      // empty line
    [InlineData("{B}\n{L2}\n{L1}\n{E}\n", false)]         // the short line first
    [InlineData("{B}\n{L1}{L2}\n{E}\n", false)]            // a line over 64 characters
    [InlineData("{B}\n{E}\n", false)]                        // no body
    [InlineData("{B}\n{L1}\n{L2}\n", false)]               // no end line
    [InlineData("{L1}\n{L2}\n{E}\n", false)]               // no begin line
    [InlineData("{B}\n{L1}\n{L2}\n{E}\n{L1}", false)]     // text after the end line
    [InlineData("{B}\n{L1}\n{L2}\n{E}\n{E}\n", false)]
    [InlineData(" {B}\n{L1}\n{L2}\n{E}\n", false)]
    public void Pem_Decode_LineRules(string template, bool valid)
    {
        byte[] key = Enumerable.Range(0, 60).Select(i => (byte)(i * 11)).ToArray(); // 80 base64 characters: 64 + 16
        string b64 = Convert.ToBase64String(key);
        string pem = template.Replace("{B}", "-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal)
            .Replace("{E}", "-----END PUBLIC KEY-----", StringComparison.Ordinal)
            .Replace("{L1}", b64[..64], StringComparison.Ordinal).Replace("{L2}", b64[64..], StringComparison.Ordinal);
        if (valid)
        {
            Assert.Equal(key, PublicKeyPem.Decode(pem, 60));
            Assert.Equal(key, PublicKeyPem.Decode(pem.AsSpan(), 60));
        }
        else
        {
            Assert.Equal("client_115", Assert.Throws<CryptoException>(() => PublicKeyPem.Decode(pem, 60)).Code);
        }
    }

    [Fact]
    public void Pem_NonCanonicalBase64_IsKeyFormatInvalid()
    {
        // 31 bytes end in "=" with two unused bits; setting them gives another string for the same bytes.
        string b64 = Convert.ToBase64String(new byte[31]);
        string pem = "-----BEGIN PUBLIC KEY-----\n" + b64[..^2] + "B=\n-----END PUBLIC KEY-----\n";
        Assert.Throws<CryptoException>(() => PublicKeyPem.Decode(pem, 31));
    }

    [Theory]
    [InlineData("""{"x":{X},"k":{K}}""", true)]
    [InlineData("""  {"k":{K}, "x":{X}} """, true)]                    // order and whitespace do not matter
    [InlineData("""{"x":{X},"k":{K},"other":[1,{"x":2}]}""", true)]    // other members are skipped, nested names too
    [InlineData("""{"\u0078":{X},"k":{K}}""", true)]                   // an escaped name is the same name
    [InlineData("""{"x":"nope","k":{K},"x":{X}}""", true)]              // a repeated name counts with its last value
    [InlineData("""{"x":{X},"k":{K},"x":1}""", false)]
    [InlineData("""{"x":{X}}""", false)]
    [InlineData("""{"x":{X},"k":{K}} {}""", false)]                    // content after the object
    [InlineData("""{"x":{X},"k":{K}""", false)]                        // unterminated
    [InlineData("""[{X},{K}]""", false)]
    [InlineData("""{"x":{K},"k":{X}}""", false)]                       // parts swapped: wrong lengths
    public void PublicKeyWireText_Hybrid_ParsesLikeTheJsonDocument(string template, bool valid)
    {
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default, "id");
        privateKey.Dispose();
        byte[] raw = publicKey.Export();
        string x = System.Text.Json.JsonSerializer.Serialize(PublicKeyPem.Encode(raw.AsSpan(0, 32)));
        string k = System.Text.Json.JsonSerializer.Serialize(PublicKeyPem.Encode(raw.AsSpan(32)));
        string text = template.Replace("{X}", x, StringComparison.Ordinal).Replace("{K}", k, StringComparison.Ordinal);
        if (valid)
        {
            Assert.Equal(publicKey, PublicKey.FromWireText(EncryptionAlgorithm.Default, text, "id"));
        }
        else
        {
            Assert.Equal("client_115", Assert.Throws<CryptoException>(() => PublicKey.FromWireText(EncryptionAlgorithm.Default, text, "id")).Code);
        }
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
