using System.Text;

namespace Coffer.Interop.Tests;

/// <summary>The plaintexts every data test runs over: empty, ASCII, multi-byte UTF-8, and 1 MiB.</summary>
public static class Plaintexts
{
    public const string Empty = "empty";
    public const string Ascii = "ascii";
    public const string Utf8 = "utf8";
    public const string OneMiB = "1mib";

    public static TheoryData<string> All => [Empty, Ascii, Utf8, OneMiB];

    /// <summary>The plaintext as text (the string variants); the 1 MiB case is multi-byte text of exactly 1 MiB.</summary>
    public static string Text(string name) => name switch
    {
        Empty => "",
        Ascii => "Meet me at the usual place at 10.",
        Utf8 => "Grüße aus Köln – 東京で会いましょう 🔐 Ελληνικά",
        // "abü" is 4 UTF-8 bytes; 262144 of them are exactly 1 MiB.
        OneMiB => string.Concat(Enumerable.Repeat("abü", 1024 * 1024 / 4)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>The plaintext as bytes; the 1 MiB case is pseudo-random bytes (fixed seed), not text.</summary>
    public static byte[] Bytes(string name)
    {
        if (name != OneMiB)
        {
            return Encoding.UTF8.GetBytes(Text(name));
        }

        byte[] data = new byte[1024 * 1024];
        new Random(20261121).NextBytes(data);
        return data;
    }
}
