// The NIST PQC KAT random generator (rng.c of the submission kit): SP 800-90A CTR_DRBG with AES-256, no derivation
// function, no reseed, no additional input. Test-only: it reproduces the seeds and the randombytes() calls behind
// the .rsp files; it is deterministic by design and must never be used as a real RNG.
using System.Security.Cryptography;

namespace Coffer.Crypto.Tests.Drbg;

/// <summary>Deterministic AES-256 CTR_DRBG as used to generate NIST PQC known-answer files.</summary>
public sealed class NistCtrDrbg : IDisposable
{
    public const int SeedSize = 48;

    private readonly Aes _aes = Aes.Create();
    private readonly byte[] _key = new byte[32];
    private readonly byte[] _v = new byte[16];

    /// <summary>randombytes_init(entropy, personalization = null).</summary>
    public NistCtrDrbg(ReadOnlySpan<byte> entropy48)
    {
        if (entropy48.Length != SeedSize)
        {
            throw new ArgumentException("The DRBG needs 48 bytes of entropy input.", nameof(entropy48));
        }

        _aes.Key = _key; // all zero
        Update(entropy48);
    }

    /// <summary>
    /// randombytes(output): one call. Each call ends with an update, so splitting a request into several calls gives
    /// different bytes than one call of the total length.
    /// </summary>
    public void Generate(Span<byte> output)
    {
        Span<byte> block = stackalloc byte[16];
        while (!output.IsEmpty)
        {
            IncrementV();
            _aes.EncryptEcb(_v, block, PaddingMode.None);
            int take = Math.Min(16, output.Length);
            block[..take].CopyTo(output);
            output = output[take..];
        }

        Update([]);
    }

    public void Dispose() => _aes.Dispose();

    // Update(provided_data): three counter blocks form the next key and V; provided_data (48 bytes) is XORed in.
    private void Update(ReadOnlySpan<byte> provided)
    {
        Span<byte> temp = stackalloc byte[48];
        for (int i = 0; i < 3; i++)
        {
            IncrementV();
            _aes.EncryptEcb(_v, temp.Slice(16 * i, 16), PaddingMode.None);
        }

        for (int i = 0; i < provided.Length; i++)
        {
            temp[i] ^= provided[i];
        }

        temp[..32].CopyTo(_key);
        temp[32..].CopyTo(_v);
        _aes.Key = _key;
    }

    // V is a 128-bit big-endian counter.
    private void IncrementV()
    {
        for (int i = 15; i >= 0; i--)
        {
            if (++_v[i] != 0)
            {
                break;
            }
        }
    }
}
