using System.Text.Encodings.Web;

namespace Coffer.Protocol.Json;

/// <summary>
/// Escapes exactly what serde_json (the reference server's serialiser) escapes: <c>"</c>, <c>\</c> and the
/// control characters U+0000–U+001F (as <c>\n \r \t \b \f</c> or <c>\u00xx</c> with lowercase hex). Everything
/// else — <c>+ / &lt; &gt; &amp; '</c>, non-ASCII, characters outside the BMP — is written as is, so PEM keys and
/// base64 strings come out byte for byte like the reference. Answers are JSON, never HTML, so no HTML escaping
/// is needed.
/// </summary>
public sealed class SerdeJsonEncoder : JavaScriptEncoder
{
    private SerdeJsonEncoder()
    {
    }

    public static SerdeJsonEncoder Instance { get; } = new();

    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) => unicodeScalar is < 0x20 or '"' or '\\';

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (int i = 0; i < textLength; i++)
        {
            if (WillEncode(text[i]))
            {
                return i;
            }
        }

        return -1;
    }

    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        // Bytes of multi-byte UTF-8 sequences are all >= 0x80, so a byte-wise scan finds exactly the ASCII
        // characters that need escaping.
        for (int i = 0; i < utf8Text.Length; i++)
        {
            if (WillEncode(utf8Text[i]))
            {
                return i;
            }
        }

        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(
        int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        string escaped = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            < 0x20 => $"\\u{unicodeScalar:x4}",
            _ => char.ConvertFromUtf32(unicodeScalar),
        };
        if (escaped.Length > bufferLength)
        {
            numberOfCharactersWritten = 0;
            return false;
        }

        for (int i = 0; i < escaped.Length; i++)
        {
            buffer[i] = escaped[i];
        }

        numberOfCharactersWritten = escaped.Length;
        return true;
    }
}
