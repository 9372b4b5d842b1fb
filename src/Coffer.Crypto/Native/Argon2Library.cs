// P/Invoke declaration for libargon2 (the reference implementation, Debian libargon2-1, version 0x13 default).
using System.Runtime.InteropServices;

namespace Coffer.Crypto.Native;

internal static unsafe partial class Argon2Library
{
    public const int Ok = 0; // ARGON2_OK

    static Argon2Library() => NativeLibraries.EnsureRegistered();

    [LibraryImport(NativeLibraries.Argon2)]
    public static partial int argon2id_hash_raw(
        uint t_cost, uint m_cost, uint parallelism,
        byte* pwd, nuint pwdlen, byte* salt, nuint saltlen, byte* hash, nuint hashlen);
}
