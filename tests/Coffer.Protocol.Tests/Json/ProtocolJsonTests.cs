using System.Text;
using System.Text.Json;
using Coffer.Protocol.Groups;
using Coffer.Protocol.Json;
using Coffer.Protocol.Keys;
using Coffer.Protocol.Users;

namespace Coffer.Protocol.Tests.Json;

public sealed class ProtocolJsonTests
{
    private static string Write<T>(T value) => JsonSerializer.Serialize(value, typeof(T), ProtocolJson.Context);

    [Theory]
    [InlineData("a+b/c=", "a+b/c=")]
    [InlineData("<script>&'", "<script>&'")]
    [InlineData("äé€😀", "äé€😀")]
    [InlineData("q\"b\\", "q\\\"b\\\\")]
    [InlineData("\n\r\t\b\f", "\\n\\r\\t\\b\\f")]
    [InlineData("\u0001\u001f\u007f", "\\u0001\\u001f\u007f")]
    public void Strings_AreEscapedLikeSerdeJson(string value, string expectedInner) =>
        Assert.Equal($"{{\"user_identifier\":\"{expectedInner}\"}}", Write(new UserIdentifierInput(value)));

    [Fact]
    public void PemKeys_RoundTripByteExact()
    {
        string pem = "-----BEGIN PUBLIC KEY-----\nQblQHzE+E9+71cMqRLpprdnhiLynXyGgzR32QelGVBA=\n-----END PUBLIC KEY-----\n";
        string json = Write(new UserVerifyKeyData("k", pem, "ED25519"));
        Assert.Equal("""{"verify_key_id":"k","verify_key":"-----BEGIN PUBLIC KEY-----\nQblQHzE+E9+71cMqRLpprdnhiLynXyGgzR32QelGVBA=\n-----END PUBLIC KEY-----\n","verify_key_alg":"ED25519"}""", json);
        Assert.Equal(pem, JsonSerializer.Deserialize(json, ProtocolJson.Context.UserVerifyKeyData)!.VerifyKey);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"user_identifier":null}""")]
    [InlineData("""{"user_identifier":1}""")]
    [InlineData("""{"user_identifier":"a",}""")]
    public void MissingNullOrWrongType_IsAnError(string json) =>
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, ProtocolJson.Context.UserIdentifierInput));

    [Fact]
    public void UnknownFields_AreIgnored() =>
        Assert.Equal("a", JsonSerializer.Deserialize("""{"x":[1],"user_identifier":"a"}""", ProtocolJson.Context.UserIdentifierInput)!.UserIdentifier);

    [Fact]
    public void OptionalRequestFields_MayBeAbsentOrNull()
    {
        const string required = """
            "encrypted_group_key":"a","group_key_alg":"b","encrypted_group_key_alg":"c","encrypted_private_group_key":"d",
            "public_group_key":"e","keypair_encrypt_alg":"f","creator_public_key_id":"g","encrypted_hmac_key":"h",
            "encrypted_hmac_alg":"i","encrypted_sortable_key":"j","encrypted_sortable_alg":"k"
            """;
        CreateData absent = JsonSerializer.Deserialize("{" + required + "}", ProtocolJson.Context.CreateData)!;
        CreateData nulls = JsonSerializer.Deserialize("{" + required + ",\"verify_key\":null,\"public_key_sig\":null}", ProtocolJson.Context.CreateData)!;
        Assert.Null(absent.VerifyKey);
        Assert.Null(nulls.PublicKeySig);
        Assert.Equal("k", nulls.EncryptedSortableAlg);
    }

    [Fact]
    public void GroupKeyServerOutput_OmitsEmptyOptionalFields()
    {
        var key = new GroupKeyServerOutput("a", "b", "c", "d", "e", "f", "c", "g", 5);
        Assert.Equal(
            """{"encrypted_group_key":"a","group_key_alg":"b","group_key_id":"c","encrypted_private_group_key":"d","public_group_key":"e","keypair_encrypt_alg":"f","key_pair_id":"c","user_public_key_id":"g","time":5}""",
            Write(key));
    }

    [Fact]
    public void UserPublicKeyData_KeepsNullSignatureFields() =>
        Assert.Equal(
            """{"public_key_id":"k","public_key":"p","public_key_alg":"a","public_key_sig":null,"public_key_sig_key_id":null}""",
            Write(new UserPublicKeyData("k", "p", "a", null, null)));

    [Fact]
    public void DoneLoginResult_IsExternallyTagged()
    {
        Assert.Equal("\"Otp\"", Write<DoneLoginResult>(new DoneLoginResult.Otp()));
        var keys = new DeviceKeys("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l");
        string direct = Write<DoneLoginResult>(new DoneLoginResult.Direct(new DoneLoginServerOutput(keys, "ch")));
        Assert.StartsWith("""{"Direct":{"device_keys":{"encrypted_master_key":"a",""", direct, StringComparison.Ordinal);
        Assert.EndsWith("\"user_group_id\":\"l\"},\"challenge\":\"ch\"}}", direct, StringComparison.Ordinal);
        var back = (DoneLoginResult.Direct)JsonSerializer.Deserialize(direct, ProtocolJson.Context.DoneLoginResult)!;
        Assert.Equal("ch", back.Output.Challenge);
        Assert.IsType<DoneLoginResult.Otp>(JsonSerializer.Deserialize("\"Otp\"", ProtocolJson.Context.DoneLoginResult));
    }

    [Fact]
    public void Envelope_SuccessAndError()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = SerdeJsonEncoder.Instance }))
        {
            Envelope.WriteSuccess(writer, Envelope.SuccessText, ProtocolJson.Context.String);
        }

        Assert.Equal("""{"status":true,"result":"Success"}""", Encoding.UTF8.GetString(buffer.ToArray()));
        buffer.SetLength(0);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = SerdeJsonEncoder.Instance }))
        {
            Envelope.WriteError(writer, ProtocolError.UserExists);
        }

        Assert.Equal("""{"status":false,"err_code":101,"err_msg":"The identifier is already in use."}""", Encoding.UTF8.GetString(buffer.ToArray()));
    }

    [Fact]
    public void ErrorCodes_AreUniqueAndCarryTheirHttpStatus()
    {
        ProtocolError[] all = typeof(ProtocolError).GetProperties()
            .Where(p => p.PropertyType == typeof(ProtocolError))
            .Select(p => (ProtocolError)p.GetValue(null)!)
            .ToArray();
        Assert.Equal(all.Length, all.Select(e => e.Code).Distinct().Count());
        Assert.Equal(422, ProtocolError.JsonParse.HttpStatus);
        Assert.Equal(413, ProtocolError.InputTooBig.HttpStatus);
        Assert.Equal(401, ProtocolError.WrongJwtAction.HttpStatus);
        Assert.Equal(400, ProtocolError.AppAction.HttpStatus);
        Assert.Equal(404, ProtocolError.PageNotFound.HttpStatus);
    }
}
