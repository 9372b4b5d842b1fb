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
    public static byte[] Decode(string pem, int expectedLength) => Decode(pem.AsSpan(), expectedLength);

    /// <summary>
    /// The same on a span, without splitting into strings (the rotation fan-out decodes one PEM per member): lines end
    /// at LF or CRLF, one trailing line end is allowed, the base64 lines are collected into one buffer and decoded strictly.
    /// </summary>
    public static byte[] Decode(ReadOnlySpan<char> pem, int expectedLength)
    {
        char[] rented = System.Buffers.ArrayPool<char>.Shared.Rent(pem.Length);
        try
        {
            Span<char> b64 = rented.AsSpan(0, pem.Length);
            int b64Length = 0;
            int line = 0;
            bool ended = false;
            int previousLength = LineWidth;
            ReadOnlySpan<char> rest = pem;
            while (true)
            {
                int lf = rest.IndexOf('\n');
                ReadOnlySpan<char> text = lf < 0 ? rest : rest[..lf];
                if (lf >= 0 && text.EndsWith('\r'))
                {
                    text = text[..^1]; // CRLF
                }

                if (lf < 0 && text.IsEmpty && line > 0)
                {
                    break; // the trailing line end
                }

                if (ended || (line == 0 && !text.SequenceEqual(Begin)))
                {
                    throw new CryptoException(CryptoError.KeyFormatInvalid);
                }

                if (line > 0 && text.SequenceEqual(End))
                {
                    ended = true;
                }
                else if (line > 0)
                {
                    // Every line is at most 64 characters, and only the last one may be shorter.
                    if (text.IsEmpty || text.Length > LineWidth || previousLength != LineWidth)
                    {
                        throw new CryptoException(CryptoError.KeyFormatInvalid);
                    }

                    text.CopyTo(b64[b64Length..]);
                    b64Length += text.Length;
                    previousLength = text.Length;
                }

                line++;
                if (lf < 0)
                {
                    break;
                }

                rest = rest[(lf + 1)..];
            }

            if (!ended || line < 3)
            {
                throw new CryptoException(CryptoError.KeyFormatInvalid);
            }

            byte[] raw = new byte[expectedLength];
            if (!StrictBase64.TryDecode(b64[..b64Length], raw, out int written) || written != expectedLength)
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(raw);
                throw new CryptoException(CryptoError.KeyFormatInvalid);
            }

            return raw;
        }
        finally
        {
            System.Buffers.ArrayPool<char>.Shared.Return(rented);
        }
    }
}
