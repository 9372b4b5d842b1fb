using System.Text;
using System.Text.Json;

namespace Coffer.Crypto.Sentc;

/// <summary>The signer named in a data head: the sign key id and the signature algorithm.</summary>
public sealed record SignHead(string Id, string Algorithm);

/// <summary>
/// The head of sentc encrypted data (crypto-std.md §9): <c>{"id":"&lt;key id&gt;","sign":null|{"id","alg"}}</c>.
/// <c>id</c> is the symmetric key id, or the receiver's public key id for asymmetric data. The head is not
/// authenticated (that is the protocol): it only tells which key to use and whether a signature precedes the blob.
/// </summary>
public sealed record DataHead(string Id, SignHead? Sign)
{
    /// <summary>The exact bytes the official client writes (serde field order and escaping).</summary>
    public string ToJson()
    {
        var json = new StringBuilder(64).Append('{').AppendField("id", Id, first: true).Append(",\"sign\":");
        if (Sign is null)
        {
            json.Append("null");
        }
        else
        {
            json.Append('{').AppendField("id", Sign.Id, first: true).AppendField("alg", Sign.Algorithm).Append('}');
        }

        return json.Append('}').ToString();
    }

    /// <summary>Parses a head; unknown fields are ignored and a missing <c>sign</c> means unsigned.</summary>
    public static DataHead Parse(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement root = document.RootElement;
            string id = SentcJson.GetString(root, "id") ?? throw new CryptoException(CryptoError.DataMalformed);
            SignHead? sign = null;
            if (root.TryGetProperty("sign", out JsonElement signElement) && signElement.ValueKind != JsonValueKind.Null)
            {
                sign = new SignHead(
                    SentcJson.GetString(signElement, "id") ?? throw new CryptoException(CryptoError.DataMalformed),
                    SentcJson.GetString(signElement, "alg") ?? throw new CryptoException(CryptoError.DataMalformed));
            }

            return new DataHead(id, sign);
        }
        catch (JsonException)
        {
            throw new CryptoException(CryptoError.DataMalformed);
        }
    }

    public static DataHead Parse(string json) => Parse(Encoding.UTF8.GetBytes(json));
}
