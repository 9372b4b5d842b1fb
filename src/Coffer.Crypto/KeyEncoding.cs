using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Crypto.Formats;

namespace Coffer.Crypto;

/// <summary>
/// The sentc encodings of multi-part keys (crypto-std.md §2.2, §10): exported key JSON
/// (<c>{"Tag":{"x":…,"k":…,"key_id":…}}</c>, or <c>{"Tag":{"key":…,"key_id":…}}</c> for one part) and the
/// public-key wire text (<c>{"x":PEM,"k":PEM}</c>, or a bare PEM for one part).
/// </summary>
internal static class KeyEncoding
{
    public static string ExportJson(string tag, ReadOnlySpan<byte> raw, int[] parts, string keyId)
    {
        var json = new StringBuilder(raw.Length * 4 / 3 + 64);
        json.Append('{').AppendString(tag).Append(":{");
        if (parts.Length == 2)
        {
            json.AppendField("x", Convert.ToBase64String(raw[..parts[0]]), first: true)
                .AppendField("k", Convert.ToBase64String(raw[parts[0]..]));
        }
        else
        {
            json.AppendField("key", Convert.ToBase64String(raw), first: true);
        }

        return json.AppendField("key_id", keyId).Append("}}").ToString();
    }

    /// <summary>
    /// Reads exported key JSON. <paramref name="partsOf"/> maps the tag to the part sizes (null: unknown tag).
    /// Every failure is <paramref name="error"/>; the caller owns (and must zero) the returned bytes.
    /// </summary>
    public static (string Tag, byte[] Raw, string KeyId) ImportJson(string text, Func<string, int[]?> partsOf, CryptoError error)
    {
        if (!SentcJson.TryReadTagged(text, out string tag, out JsonElement body, out JsonDocument? document))
        {
            document?.Dispose();
            throw new CryptoException(error);
        }

        using (document)
        {
            int[] parts = partsOf(tag) ?? throw new CryptoException(error);
            string keyId = SentcJson.GetString(body, "key_id") ?? throw new CryptoException(error);
            string[] names = parts.Length == 2 ? ["x", "k"] : ["key"];
            byte[] raw = new byte[parts.Sum()];
            int offset = 0;
            for (int i = 0; i < parts.Length; i++)
            {
                if (!StrictBase64.TryDecode(SentcJson.GetString(body, names[i]), out byte[]? part) || part.Length != parts[i])
                {
                    CryptographicOperations.ZeroMemory(raw);
                    throw new CryptoException(error);
                }

                part.CopyTo(raw, offset);
                offset += part.Length;
                CryptographicOperations.ZeroMemory(part);
            }

            return (tag, raw, keyId);
        }
    }

    public static string ToWireText(ReadOnlySpan<byte> raw, int[] parts)
    {
        if (parts.Length != 2)
        {
            return PublicKeyPem.Encode(raw);
        }

        return new StringBuilder(raw.Length * 2)
            .Append('{')
            .AppendField("x", PublicKeyPem.Encode(raw[..parts[0]]), first: true)
            .AppendField("k", PublicKeyPem.Encode(raw[parts[0]..]))
            .Append('}')
            .ToString();
    }

    public static byte[] FromWireText(string text, int[] parts)
    {
        if (parts.Length != 2)
        {
            return PublicKeyPem.Decode(text, parts[0]);
        }

        // {"x":PEM,"k":PEM} read with a forward-only reader over pooled buffers (the rotation fan-out parses one of these
        // per member, and a JsonDocument plus the unescaped strings cost more than the parse itself). As with
        // JsonDocument: the whole text must be one valid JSON value, and a repeated name counts with its last value.
        byte[] utf8 = System.Buffers.ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        char[] strings = System.Buffers.ArrayPool<char>.Shared.Rent(2 * text.Length);
        try
        {
            var reader = new Utf8JsonReader(utf8.AsSpan(0, Encoding.UTF8.GetBytes(text, utf8)));
            (int Start, int Length)? x = null, k = null;
            int used = 0;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new CryptoException(CryptoError.KeyFormatInvalid);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isX = reader.ValueTextEquals("x"u8);
                bool isK = !isX && reader.ValueTextEquals("k"u8);
                reader.Read();
                (int, int)? value = null;
                if (reader.TokenType == JsonTokenType.String && (isX || isK))
                {
                    int length = reader.CopyString(strings.AsSpan(used));
                    value = (used, length);
                    used += length;
                }
                else
                {
                    reader.Skip();
                }

                if (isX)
                {
                    x = value;
                }
                else if (isK)
                {
                    k = value;
                }
            }

            if (reader.Read() || x is not { } xs || k is not { } ks)
            {
                throw new CryptoException(CryptoError.KeyFormatInvalid); // (content after the object throws JsonException)
            }

            byte[] raw = new byte[parts[0] + parts[1]];
            PublicKeyPem.Decode(strings.AsSpan(xs.Start, xs.Length), parts[0]).CopyTo(raw, 0);
            PublicKeyPem.Decode(strings.AsSpan(ks.Start, ks.Length), parts[1]).CopyTo(raw, parts[0]);
            return raw;
        }
        catch (JsonException)
        {
            throw new CryptoException(CryptoError.KeyFormatInvalid);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(utf8);
            System.Buffers.ArrayPool<char>.Shared.Return(strings);
        }
    }

    /// <summary>The detached signature text: <c>{"x":b64,"k":b64}</c> for a hybrid, plain base64 otherwise.</summary>
    public static string SignatureToText(ReadOnlySpan<byte> signature, int[] parts) =>
        parts.Length != 2
            ? Convert.ToBase64String(signature)
            : new StringBuilder(signature.Length * 4 / 3 + 32)
                .Append('{')
                .AppendField("x", Convert.ToBase64String(signature[..parts[0]]), first: true)
                .AppendField("k", Convert.ToBase64String(signature[parts[0]..]))
                .Append('}')
                .ToString();

    /// <summary>Parses a detached signature text; null when it is not well formed.</summary>
    public static byte[]? SignatureFromText(string text, int[] parts)
    {
        if (parts.Length != 2)
        {
            return StrictBase64.TryDecode(text, out byte[]? single) && single.Length == parts[0] ? single : null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(text);
            if (StrictBase64.TryDecode(SentcJson.GetString(document.RootElement, "x"), out byte[]? x) && x.Length == parts[0]
                && StrictBase64.TryDecode(SentcJson.GetString(document.RootElement, "k"), out byte[]? k) && k.Length == parts[1])
            {
                return [.. x, .. k];
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
