// The PEM-like text sentc wraps raw public and verify keys in (crypto-std.md §2.2): label "PUBLIC KEY", the raw
// key bytes (not SPKI DER) in base64 lines of 64 characters, LF line ends and a trailing LF. The reader also
// takes CRLF and a missing trailing LF, and refuses longer lines, as the official client does.
namespace Coffer.Crypto.Formats;

public static class PublicKeyPem
{
    private const string Begin = "-----BEGIN PUBLIC KEY-----";
    private const string End = "-----END PUBLIC KEY-----";
    private const int LineWidth = 64;

    public static string Encode(ReadOnlySpan<byte> rawKey)
    {
        string b64 = Convert.ToBase64String(rawKey);
        var text = new System.Text.StringBuilder(b64.Length + (b64.Length / LineWidth) + 64);
        text.Append(Begin).Append('\n');
        for (int i = 0; i < b64.Length; i += LineWidth)
        {
            text.Append(b64, i, Math.Min(LineWidth, b64.Length - i)).Append('\n');
        }

        return text.Append(End).Append('\n').ToString();
    }

    /// <summary>Decodes a PEM of the given raw length; anything else is <see cref="CryptoError.KeyFormatInvalid"/>.</summary>
    public static byte[] Decode(string pem, int expectedLength)
    {
        string[] lines = pem.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int last = lines.Length - 1;
        if (lines[last].Length == 0)
        {
            last--; // the trailing LF
        }

        if (last < 2 || lines[0] != Begin || lines[last] != End)
        {
            throw new CryptoException(CryptoError.KeyFormatInvalid);
        }

        var b64 = new System.Text.StringBuilder();
        for (int i = 1; i < last; i++)
        {
            // Every line is at most 64 characters, and only the last one may be shorter.
            if (lines[i].Length == 0 || lines[i].Length > LineWidth || (i < last - 1 && lines[i].Length != LineWidth))
            {
                throw new CryptoException(CryptoError.KeyFormatInvalid);
            }

            b64.Append(lines[i]);
        }

        if (!StrictBase64.TryDecode(b64.ToString(), out byte[]? raw) || raw.Length != expectedLength)
        {
            throw new CryptoException(CryptoError.KeyFormatInvalid);
        }

        return raw;
    }
}
