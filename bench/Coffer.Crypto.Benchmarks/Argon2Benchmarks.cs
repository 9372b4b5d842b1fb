using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Coffer.Crypto.Password;

namespace Coffer.Crypto.Benchmarks;

/// <summary>
/// The password derivation (Argon2id, m = 4096 KiB, t = 3, p = 1, 64 bytes; crypto-std.md §8.2) through
/// <see cref="PasswordKeys.Derive"/>, and libargon2 called directly with the same parameters as the baseline.
/// </summary>
[MemoryDiagnoser]
public partial class Argon2Benchmarks
{
    private const string Password = "correct horse battery staple";
    private readonly byte[] _salt = PasswordKeys.Salt(new byte[16]);
    private readonly byte[] _passwordBytes = System.Text.Encoding.UTF8.GetBytes(Password);
    private readonly byte[] _output = new byte[64];

    [Benchmark]
    public string PasswordKeysDerive()
    {
        using PasswordKeys keys = PasswordKeys.Derive(Password, _salt);
        return keys.AuthKeyBase64;
    }

    [Benchmark(Baseline = true)]
    public int LibArgon2Direct()
    {
        int rc = argon2id_hash_raw(3, 4096, 1, _passwordBytes, (nuint)_passwordBytes.Length, _salt, (nuint)_salt.Length, _output, (nuint)_output.Length);
        return rc == 0 ? rc : throw new InvalidOperationException($"libargon2 error {rc}");
    }

    [LibraryImport("libargon2.so.1")]
    private static partial int argon2id_hash_raw(
        uint tCost, uint mCost, uint parallelism, byte[] pwd, nuint pwdLen, byte[] salt, nuint saltLen, byte[] hash, nuint hashLen);
}
