using System.Text;
using Coffer.Crypto.Formats;

namespace Coffer.Crypto.Sentc;

/// <summary>
/// sentc's encrypted-data format (crypto-std.md §9): <c>utf8(head) ‖ 0x00 ‖ payload</c>, where the payload is the
/// AES or hybrid blob, preceded by the signature over that blob when the data is signed. String variants base64
/// the whole thing. Decryption verifies the signature only when a verify key is given (as the official client
/// does); without one it strips the signature by the length its algorithm names.
/// </summary>
public static class EncryptedData
{
    public static byte[] Encrypt(SymmetricKey key, ReadOnlySpan<byte> plaintext, SignKey? signKey = null) =>
        Assemble(key.KeyId, key.Encrypt(plaintext), signKey);

    public static byte[] Encrypt(PublicKey key, ReadOnlySpan<byte> plaintext, SignKey? signKey = null) =>
        Assemble(key.KeyId, key.Encrypt(plaintext), signKey);

    public static byte[] Decrypt(SymmetricKey key, ReadOnlySpan<byte> data, VerifyKey? verifyKey = null) =>
        key.Decrypt(OpenPayload(data, verifyKey));

    public static byte[] Decrypt(PrivateKey key, ReadOnlySpan<byte> data, VerifyKey? verifyKey = null) =>
        key.Decrypt(OpenPayload(data, verifyKey));

    public static string EncryptString(SymmetricKey key, string text, SignKey? signKey = null) =>
        Convert.ToBase64String(Encrypt(key, Encoding.UTF8.GetBytes(text), signKey));

    public static string EncryptString(PublicKey key, string text, SignKey? signKey = null) =>
        Convert.ToBase64String(Encrypt(key, Encoding.UTF8.GetBytes(text), signKey));

    public static string DecryptString(SymmetricKey key, string data, VerifyKey? verifyKey = null) =>
        ToText(Decrypt(key, StrictBase64.Decode(data), verifyKey));

    public static string DecryptString(PrivateKey key, string data, VerifyKey? verifyKey = null) =>
        ToText(Decrypt(key, StrictBase64.Decode(data), verifyKey));

    /// <summary>Reads the head, e.g. to find the key id to decrypt with.</summary>
    public static DataHead ReadHead(ReadOnlySpan<byte> data) => DataHead.Parse(data[..HeadLength(data)]);

    /// <summary>The raw variant: the head JSON and the payload separately (<c>encrypt_raw_*</c>).</summary>
    public static (string Head, byte[] Payload) EncryptRaw(SymmetricKey key, ReadOnlySpan<byte> plaintext, SignKey? signKey = null) =>
        SplitRaw(Encrypt(key, plaintext, signKey));

    public static (string Head, byte[] Payload) EncryptRaw(PublicKey key, ReadOnlySpan<byte> plaintext, SignKey? signKey = null) =>
        SplitRaw(Encrypt(key, plaintext, signKey));

    public static byte[] DecryptRaw(SymmetricKey key, string head, ReadOnlySpan<byte> payload, VerifyKey? verifyKey = null) =>
        key.Decrypt(OpenPayload(DataHead.Parse(head), payload, verifyKey));

    public static byte[] DecryptRaw(PrivateKey key, string head, ReadOnlySpan<byte> payload, VerifyKey? verifyKey = null) =>
        key.Decrypt(OpenPayload(DataHead.Parse(head), payload, verifyKey));

    private static byte[] Assemble(string keyId, byte[] blob, SignKey? signKey)
    {
        byte[]? signature = signKey?.Sign(blob);
        var head = new DataHead(keyId, signKey is null ? null : new SignHead(signKey.KeyId, signKey.Algorithm.Id));
        byte[] headBytes = Encoding.UTF8.GetBytes(head.ToJson());
        int signatureLength = signature?.Length ?? 0;
        byte[] data = new byte[headBytes.Length + 1 + signatureLength + blob.Length];
        headBytes.CopyTo(data, 0);
        signature?.CopyTo(data, headBytes.Length + 1);
        blob.CopyTo(data, headBytes.Length + 1 + signatureLength);
        return data;
    }

    private static (string Head, byte[] Payload) SplitRaw(byte[] data)
    {
        int headLength = HeadLength(data);
        return (Encoding.UTF8.GetString(data, 0, headLength), data[(headLength + 1)..]);
    }

    private static int HeadLength(ReadOnlySpan<byte> data)
    {
        int zero = data.IndexOf((byte)0);
        return zero >= 0 ? zero : throw new CryptoException(CryptoError.DataMalformed);
    }

    private static ReadOnlySpan<byte> OpenPayload(ReadOnlySpan<byte> data, VerifyKey? verifyKey)
    {
        int headLength = HeadLength(data);
        return OpenPayload(DataHead.Parse(data[..headLength]), data[(headLength + 1)..], verifyKey);
    }

    /// <summary>Checks (or strips) the signature in front of the blob and returns the blob.</summary>
    private static ReadOnlySpan<byte> OpenPayload(DataHead head, ReadOnlySpan<byte> payload, VerifyKey? verifyKey)
    {
        if (head.Sign is null)
        {
            return payload;
        }

        SignatureAlgorithm algorithm = SignatureAlgorithm.FromId(head.Sign.Algorithm);
        if (payload.Length <= algorithm.SignatureSize)
        {
            throw new CryptoException(CryptoError.SignedDataTooShort);
        }

        ReadOnlySpan<byte> signature = payload[..algorithm.SignatureSize];
        ReadOnlySpan<byte> blob = payload[algorithm.SignatureSize..];
        if (verifyKey is not null)
        {
            if (head.Sign.Id != verifyKey.KeyId || !ReferenceEquals(verifyKey.Algorithm, algorithm))
            {
                throw new CryptoException(CryptoError.VerifyKeyMismatch);
            }

            if (!verifyKey.Verify(blob, signature))
            {
                throw new CryptoException(CryptoError.SignatureInvalid);
            }
        }

        return blob;
    }

    private static string ToText(byte[] plaintext)
    {
        try
        {
            return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(plaintext);
        }
        catch (DecoderFallbackException)
        {
            throw new CryptoException(CryptoError.DataMalformed);
        }
    }
}
