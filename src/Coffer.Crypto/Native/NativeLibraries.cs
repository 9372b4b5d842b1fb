// The two native libraries Coffer.Crypto calls: Debian's libsodium23 (X25519, Ed25519) and libargon2-1
// (Argon2id). They are resolved here, once, so that a missing package fails with one clear message instead of
// a DllNotFoundException deep inside an operation.
using System.Reflection;
using System.Runtime.InteropServices;

namespace Coffer.Crypto.Native;

internal static class NativeLibraries
{
    public const string Sodium = "coffer-sodium";
    public const string Argon2 = "coffer-argon2";

    // Sonames first (what the Debian packages install), then the unversioned development names.
    private static readonly string[] SodiumCandidates = ["libsodium.so.23", "libsodium.so", "libsodium"];
    private static readonly string[] Argon2Candidates = ["libargon2.so.1", "libargon2.so", "libargon2"];

    private static int s_registered;

    /// <summary>Installs the resolver for this assembly; safe to call any number of times.</summary>
    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        string[]? candidates = name switch
        {
            Sodium => SodiumCandidates,
            Argon2 => Argon2Candidates,
            _ => null,
        };
        if (candidates is null)
        {
            return IntPtr.Zero;
        }

        foreach (string candidate in candidates)
        {
            if (NativeLibrary.TryLoad(candidate, assembly, searchPath, out IntPtr handle))
            {
                return handle;
            }
        }

        string package = name == Sodium ? "libsodium23" : "libargon2-1";
        throw new DllNotFoundException(
            $"Coffer.Crypto needs the native library {candidates[0]} (Debian package {package}); run scripts/setup.");
    }
}
