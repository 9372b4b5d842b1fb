using Coffer.Crypto.PostQuantum.Dilithium;

namespace Coffer.Crypto.Tests.PostQuantum.Dilithium;

/// <summary>One entry of the NIST signature KAT file, with its keygen seed ζ from SeedBuffer_Dilithium.</summary>
public sealed record DilithiumKatEntry(int Count, byte[] Zeta, byte[] Message, byte[] PublicKey, byte[] SecretKey, byte[] SignedMessage);

/// <summary>Reads the shared vector files; cases are discovered from them, never listed here.</summary>
internal static class DilithiumTestData
{
    private static readonly Lazy<IReadOnlyList<DilithiumKatEntry>> Kat = new(ReadKat);

    public static IReadOnlyList<DilithiumKatEntry> KatEntries => Kat.Value;

    /// <summary>Both arithmetic paths by name; AVX2 only where the CPU has it.</summary>
    public static IEnumerable<string> ArithmeticNames =>
        System.Runtime.Intrinsics.X86.Avx2.IsSupported ? ["scalar", "avx2"] : ["scalar"];

    internal static PolyArithmetic Arithmetic(string name) => name switch
    {
        "scalar" => PolyArithmetic.Scalar,
        "avx2" => Avx2PolyArithmetic.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown arithmetic."),
    };

    public static TheoryData<string> Arithmetics()
    {
        var data = new TheoryData<string>();
        foreach (string name in ArithmeticNames)
        {
            data.Add(name);
        }

        return data;
    }

    public static TheoryData<string, int> KatCases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in ArithmeticNames)
        {
            for (int i = 0; i < KatEntries.Count; i++)
            {
                data.Add(name, KatEntries[i].Count);
            }
        }

        return data;
    }

    private static List<DilithiumKatEntry> ReadKat()
    {
        string[] seeds = File.ReadAllLines(Vectors.PathOf("kat", "dilithium3-aes-r3.1", "SeedBuffer_Dilithium"))
            .Where(line => line.Trim().Length > 0)
            .ToArray();
        var entries = new List<DilithiumKatEntry>();
        Dictionary<string, string>? current = null;
        foreach (string raw in File.ReadLines(Vectors.PathOf("kat", "dilithium3-aes-r3.1", "PQCsignKAT_Dilithium3-AES.rsp")))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            string name = line[..eq].Trim();
            string value = line[(eq + 1)..].Trim();
            if (name == "count")
            {
                AddEntry(current);
                current = [];
            }

            current![name] = value;
        }

        AddEntry(current);
        return entries;

        void AddEntry(Dictionary<string, string>? fields)
        {
            if (fields is null)
            {
                return;
            }

            int count = int.Parse(fields["count"], System.Globalization.CultureInfo.InvariantCulture);
            int mlen = int.Parse(fields["mlen"], System.Globalization.CultureInfo.InvariantCulture);
            byte[] message = mlen == 0 ? [] : Vectors.Hex(fields["msg"]);
            entries.Add(new DilithiumKatEntry(
                count,
                Vectors.Hex(seeds[count].Trim()),
                message,
                Vectors.Hex(fields["pk"]),
                Vectors.Hex(fields["sk"]),
                Vectors.Hex(fields["sm"])));
        }
    }
}
