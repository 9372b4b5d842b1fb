using System.Buffers;
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

    // The characters to escape, for vectorised scans (answers are mostly long base64 strings with none of them).
    private static readonly SearchValues<char> EscapedChars = SearchValues.Create(Escaped());
    private static readonly SearchValues<byte> EscapedBytes = SearchValues.Create(Escaped().Select(c => (byte)c).ToArray());

    private static char[] Escaped() => [.. Enumerable.Range(0, 0x20).Select(c => (char)c), '"', '\\'];

    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) => unicodeScalar is < 0x20 or '"' or '\\';

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength) =>
        new ReadOnlySpan<char>(text, textLength).IndexOfAny(EscapedChars);

    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        // Bytes of multi-byte UTF-8 sequences are all >= 0x80, so a byte-wise scan finds exactly the ASCII
        // characters that need escaping.
        return utf8Text.IndexOfAny(EscapedBytes);
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
