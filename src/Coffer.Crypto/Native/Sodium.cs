// P/Invoke declarations for the libsodium functions Coffer uses (libsodium 1.0.18, Debian libsodium23).
// Only fixed-size buffers cross the boundary; callers check the sizes before calling.
using System.Runtime.InteropServices;

namespace Coffer.Crypto.Native;

internal static unsafe partial class Sodium
{
    public const int ScalarBytes = 32;          // crypto_scalarmult_curve25519_SCALARBYTES
    public const int PointBytes = 32;           // crypto_scalarmult_curve25519_BYTES
    public const int Ed25519SeedBytes = 32;     // crypto_sign_ed25519_SEEDBYTES
    public const int Ed25519PublicKeyBytes = 32;
    public const int Ed25519SecretKeyBytes = 64; // seed ‖ public key, libsodium's expanded form
    public const int Ed25519SignatureBytes = 64;

    static Sodium()
    {
        NativeLibraries.EnsureRegistered();
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium failed to initialise.");
        }
    }

    /// <summary>Forces the static constructor (library load and sodium_init) to run.</summary>
    public static void Initialize()
    {
    }

    [LibraryImport(NativeLibraries.Sodium)]
    private static partial int sodium_init();

    [LibraryImport(NativeLibraries.Sodium)]
    public static partial int crypto_scalarmult_curve25519(byte* q, byte* n, byte* p);

    [LibraryImport(NativeLibraries.Sodium)]
    public static partial int crypto_scalarmult_curve25519_base(byte* q, byte* n);

    [LibraryImport(NativeLibraries.Sodium)]
    public static partial int crypto_sign_ed25519_seed_keypair(byte* pk, byte* sk, byte* seed);

    [LibraryImport(NativeLibraries.Sodium)]
    public static partial int crypto_sign_ed25519_detached(byte* sig, ulong* siglen, byte* m, ulong mlen, byte* sk);

    [LibraryImport(NativeLibraries.Sodium)]
    public static partial int crypto_sign_ed25519_verify_detached(byte* sig, byte* m, ulong mlen, byte* pk);
}
