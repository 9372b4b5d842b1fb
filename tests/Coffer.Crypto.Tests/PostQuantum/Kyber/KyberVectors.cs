using System.Text.Json;
using Coffer.Crypto.PostQuantum.Kyber;

namespace Coffer.Crypto.Tests.PostQuantum.Kyber;

/// <summary>One deterministic Kyber768-90s case: keygen from (d, z), encapsulation from m′ (before hashing).</summary>
public sealed record KyberCase(byte[] D, byte[] Z, byte[] PublicKey, byte[] SecretKey, byte[] RandomM, byte[] Ciphertext, byte[] SharedSecret);

/// <summary>Reads the Kyber768-90s vector files; every case is discovered from the files, none is hard-coded.</summary>
internal static class KyberVectors
{
    public static readonly string[] Paths = [nameof(KyberPath.Scalar), nameof(KyberPath.Avx2)];

    private static readonly Lazy<IReadOnlyList<KyberCase>> LazyTvecs = new(ReadTvecs);
    private static readonly Lazy<IReadOnlyList<RspEntry>> LazyRsp = new(ReadRsp);

    public static IReadOnlyList<KyberCase> Tvecs => LazyTvecs.Value;

    public static IReadOnlyList<RspEntry> Rsp => LazyRsp.Value;

    /// <summary>Resolves a path name for a test; skips the test when the processor lacks AVX2.</summary>
    public static KyberPath Use(string path)
    {
        var parsed = Enum.Parse<KyberPath>(path);
        Assert.SkipWhen(
            parsed == KyberPath.Avx2 && !System.Runtime.Intrinsics.X86.Avx2.IsSupported, "AVX2 is not available here.");
        return parsed;
    }

    /// <summary>Every (path, index) pair for a list of cases.</summary>
    public static TheoryData<string, int> Rows(int count)
    {
        var data = new TheoryData<string, int>();
        foreach (string path in Paths)
        {
            for (int i = 0; i < count; i++)
            {
                data.Add(path, i);
            }
        }

        return data;
    }

    public static JsonElement PrimitivesKyber()
    {
        using JsonDocument doc = Vectors.ReadJson("sentc-wasm-0.15", "primitives.json");
        return doc.RootElement.GetProperty("kyber768_90s_round3").Clone();
    }

    // tvecs: 8 lines per entry: d, z, "Public Key: ", "Secret Key: ", m′, "Ciphertext: ", "Shared Secret B: ",
    // "Shared Secret A: " (kat/README.md (a)).
    private static List<KyberCase> ReadTvecs()
    {
        string[] lines = File.ReadAllLines(Vectors.PathOf("kat", "kyber768-90s-r3", "tvecs768-90s.first25"))
            .Where(l => l.Length > 0).ToArray();
        if (lines.Length % 8 != 0)
        {
            throw new InvalidDataException($"tvecs file has {lines.Length} lines, not a multiple of 8.");
        }

        var cases = new List<KyberCase>();
        for (int i = 0; i < lines.Length; i += 8)
        {
            byte[] ssB = Field(lines[i + 6], "Shared Secret B: ");
            byte[] ssA = Field(lines[i + 7], "Shared Secret A: ");
            if (!ssA.AsSpan().SequenceEqual(ssB))
            {
                throw new InvalidDataException($"tvecs entry {i / 8}: the two shared secrets differ.");
            }

            cases.Add(new KyberCase(
                Convert.FromHexString(lines[i]),
                Convert.FromHexString(lines[i + 1]),
                Field(lines[i + 2], "Public Key: "),
                Field(lines[i + 3], "Secret Key: "),
                Convert.FromHexString(lines[i + 4]),
                Field(lines[i + 5], "Ciphertext: "),
                ssB));
        }

        return cases;
    }

    private static byte[] Field(string line, string prefix) => line.StartsWith(prefix, StringComparison.Ordinal)
        ? Convert.FromHexString(line[prefix.Length..])
        : throw new InvalidDataException($"Expected a line starting with '{prefix}'.");

    private static List<RspEntry> ReadRsp()
    {
        var entries = new List<RspEntry>();
        Dictionary<string, string>? current = null;
        foreach (string raw in File.ReadLines(Vectors.PathOf("kat", "kyber768-90s-r3", "PQCkemKAT_2400-90s.rsp")))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            string key = line[..eq].Trim();
            string value = line[(eq + 1)..].Trim();
            if (key == "count")
            {
                current = new Dictionary<string, string>(StringComparer.Ordinal) { [key] = value };
                entries.Add(new RspEntry(current));
            }
            else
            {
                (current ?? throw new InvalidDataException("Field before the first count.")).Add(key, value);
            }
        }

        return entries;
    }
}

/// <summary>One NIST .rsp entry: count, seed (48 bytes for the DRBG), pk, sk, ct, ss.</summary>
public sealed class RspEntry(IReadOnlyDictionary<string, string> fields)
{
    public int Count => int.Parse(fields["count"], System.Globalization.CultureInfo.InvariantCulture);

    public byte[] Bytes(string name) => Convert.FromHexString(fields[name]);
}
