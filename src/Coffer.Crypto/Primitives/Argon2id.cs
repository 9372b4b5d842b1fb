// Argon2id (RFC 9106) through libargon2, with the parameters sentc 0.15 uses for "ARGON-2-SHA256"
// (crypto-std.md §8.2): version 0x13, m = 4096 KiB, t = 3, p = 1, 64 bytes of output, no secret, no AD.
// The numbers are pinned here on purpose: the library's defaults (and sentc's later releases) differ.
using Coffer.Crypto.Native;

namespace Coffer.Crypto.Primitives;

internal static unsafe class Argon2id
{
    public const uint MemoryKiB = 4096;
    public const uint Iterations = 3;
    public const uint Parallelism = 1;
    public const int OutputSize = 64;

    public static void Derive(ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt, Span<byte> output)
    {
        if (output.Length != OutputSize)
        {
            // The output length enters H0: two 32-byte calls would give other bytes than one 64-byte call.
            throw new ArgumentException("sentc derives exactly 64 bytes in one call.", nameof(output));
        }

        // An empty password is allowed (sentc accepts it): libargon2 takes a NULL pointer when the length is 0.
        fixed (byte* p = password)
        fixed (byte* s = salt)
        fixed (byte* o = output)
        {
            int rc = Argon2Library.argon2id_hash_raw(
                Iterations, MemoryKiB, Parallelism, p, (nuint)password.Length, s, (nuint)salt.Length, o, (nuint)output.Length);
            if (rc != Argon2Library.Ok)
            {
                throw new InvalidOperationException($"Argon2id failed with libargon2 error {rc}.");
            }
        }
    }
}
