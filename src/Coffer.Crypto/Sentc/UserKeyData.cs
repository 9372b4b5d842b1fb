using System.Text;
using System.Text.Json;

namespace Coffer.Crypto.Sentc;

/// <summary>
/// <c>UserPublicKeyData</c> (crypto-std.md §10, §14): a user's public key as the server hands it out, with the
/// optional signature by the user's sign key of the same generation over the raw public key bytes.
/// </summary>
public sealed record UserPublicKeyData(PublicKey PublicKey, string? Signature, string? SignatureKeyId)
{
    public static UserPublicKeyData Parse(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            string pem = SentcJson.GetString(root, "public_key_pem") ?? throw new CryptoException(CryptoError.KeyImportFailed);
            string alg = SentcJson.GetString(root, "public_key_alg") ?? throw new CryptoException(CryptoError.KeyImportFailed);
            string id = SentcJson.GetString(root, "public_key_id") ?? throw new CryptoException(CryptoError.KeyImportFailed);
            PublicKey key = PublicKey.FromWireText(EncryptionAlgorithm.FromId(alg), pem, id);
            return new UserPublicKeyData(key, SentcJson.GetString(root, "public_key_sig"), SentcJson.GetString(root, "public_key_sig_key_id"));
        }
        catch (JsonException)
        {
            throw new CryptoException(CryptoError.KeyImportFailed);
        }
    }

    /// <summary>The JSON the official client takes, in serde's field order (null fields written as null).</summary>
    public string ToJson()
    {
        var json = new StringBuilder(4096).Append('{')
            .AppendField("public_key_pem", PublicKey.ToWireText(), first: true)
            .AppendField("public_key_alg", PublicKey.Algorithm.Id)
            .AppendField("public_key_id", PublicKey.KeyId);
        AppendNullable(json, "public_key_sig", Signature);
        AppendNullable(json, "public_key_sig_key_id", SignatureKeyId);
        return json.Append('}').ToString();
    }

    /// <summary>
    /// Checks the signature over the public key with the signer's verify key: false when there is no signature
    /// or it does not verify; a signature that cannot even be parsed is <see cref="CryptoError.KeyFormatInvalid"/>.
    /// </summary>
    public bool VerifySignature(VerifyKey verifyKey)
    {
        if (Signature is null)
        {
            return false;
        }

        byte[] signature = KeyEncoding.SignatureFromText(Signature, verifyKey.Algorithm.SignatureParts)
            ?? throw new CryptoException(CryptoError.KeyFormatInvalid);
        return verifyKey.Verify(PublicKey.Bytes, signature);
    }

    private static void AppendNullable(StringBuilder json, string name, string? value)
    {
        if (value is null)
        {
            json.Append(',').AppendString(name).Append(":null");
        }
        else
        {
            json.AppendField(name, value);
        }
    }
}

/// <summary><c>UserVerifyKeyData</c>: <c>{"verify_key_pem","verify_key_alg","verify_key_id"}</c>.</summary>
public static class UserVerifyKeyData
{
    public static VerifyKey Parse(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            JsonElement root = document.RootElement;
            string pem = SentcJson.GetString(root, "verify_key_pem") ?? throw new CryptoException(CryptoError.KeyImportFailed);
            string alg = SentcJson.GetString(root, "verify_key_alg") ?? throw new CryptoException(CryptoError.KeyImportFailed);
            string id = SentcJson.GetString(root, "verify_key_id") ?? throw new CryptoException(CryptoError.KeyImportFailed);
            return VerifyKey.FromWireText(SignatureAlgorithm.FromId(alg), pem, id);
        }
        catch (JsonException)
        {
            throw new CryptoException(CryptoError.KeyImportFailed);
        }
    }

    public static string ToJson(VerifyKey key) =>
        new StringBuilder(4096).Append('{')
            .AppendField("verify_key_pem", key.ToWireText(), first: true)
            .AppendField("verify_key_alg", key.Algorithm.Id)
            .AppendField("verify_key_id", key.KeyId)
            .Append('}').ToString();
}
