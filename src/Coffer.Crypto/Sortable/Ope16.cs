// Sortable encryption of sentc's "std" family (`OPE-16`, spec crypto-std.md §12): the order-preserving encryption
// of Boldyreva, Chenette, Lee and O'Neill (Eurocrypt 2009) in CryptDB's lazy-sampling form, from the 16-bit
// plaintext domain [0, 65534] to the 32-bit range [0, 4294967294]. Each step bisects the range and draws from a
// hypergeometric distribution (Hypergeometric, H2PE) how many domain points fall below the midpoint, with coins
// seeded by HMAC-SHA256(key, "dlo/dhi/rlo/rhi"); the last range cell is chosen with coins seeded by SHA-256(n).
// Reproduced bit for bit, including every floating-point operation, so that sentc_wasm 0.15 and Coffer order the
// same values the same way on the server.
// Secret: the 16-byte key and the plaintext. The ciphertext leaks the order of plaintexts (and roughly their
// distance) by design; that is the point of the scheme. Not constant-time in the plaintext: the search path, the
// number of steps and the sampler's rejection loops follow the bounds that contain n, so timing reveals about as
// much as the ciphertext itself (an encryption's position in the tree is what the scheme computes). The key
// stream and HMAC/AES calls are the BCL's (OpenSSL) and do not branch on the key.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Coffer.Crypto.Sortable;

internal static class Ope16
{
    public const int KeySize = 16;
    public const ulong MaxPlaintext = 65532;

    /// <summary>The pad character and length of sentc's string rule (<c>sortable_encrypt_string</c>, max_len 4).</summary>
    private const int StringBytes = 4;
    private const byte StringPad = (byte)'*';
    private const ulong StringDivisor = 65534;

    /// <summary>The search domain is [0, 65534] and the range [0, 4294967294]: u16::MAX − 1 and u32::MAX − 1.</summary>
    internal const ulong DomainHigh = 65534;
    internal const ulong RangeHigh = 4294967294;

    /// <summary>sentc <c>sortable_encrypt_raw_number</c>: a ciphertext below 2^32 whose order is that of the plaintexts.</summary>
    public static ulong Encrypt(ReadOnlySpan<byte> key16, ulong plaintext)
    {
        using var cipher = new Ope16Cipher(key16);
        return cipher.Encrypt(plaintext);
    }

    /// <summary>
    /// sentc's string rule: the first 4 UTF-8 bytes (padded with '*' when shorter), folded as number·256 + code point
    /// per character in wrapping u64 arithmetic, integer-divided by 65534. The caller encrypts the result with
    /// <see cref="Encrypt"/>, which owns the client_61 check (4 bytes fold to at most 0x7F7F7F7F / 65534 = 32640, so
    /// strings never reach it today). Where the cut after 4 bytes would split a character the wasm panics; we throw
    /// DataMalformed instead (spec §16.6: never send such a string).
    /// </summary>
    public static ulong EncodeString(string s)
    {
        ArgumentNullException.ThrowIfNull(s);

        Span<byte> bytes = stackalloc byte[StringBytes];
        bytes.Fill(StringPad);
        int total = Encoding.UTF8.GetByteCount(s);
        if (total > StringBytes)
        {
            // Count only whole characters that fit: a character across the 4-byte cut is the wasm's panic case.
            int used = 0;
            foreach (Rune rune in s.EnumerateRunes())
            {
                int len = rune.Utf8SequenceLength;
                if (used + len > StringBytes)
                {
                    if (used != StringBytes)
                    {
                        throw new CryptoException(CryptoError.DataMalformed);
                    }

                    break;
                }

                rune.EncodeToUtf8(bytes[used..]);
                used += len;
            }
        }
        else
        {
            Encoding.UTF8.GetBytes(s, bytes);
        }

        ulong number = 0;
        ReadOnlySpan<byte> text = bytes;
        while (!text.IsEmpty)
        {
            Rune.DecodeFromUtf8(text, out Rune rune, out int consumed);
            number = unchecked((number * 256) + (ulong)rune.Value); // sentc folds in wrapping u64 arithmetic
            text = text[consumed..];
        }

        CryptographicOperations.ZeroMemory(bytes);
        return number / StringDivisor;
    }
}

/// <summary>One lazy-sampling step: the domain and range intervals searched and the domain gap drawn.</summary>
internal readonly record struct OpeStep(ulong DomainLow, ulong DomainHigh, ulong RangeLow, ulong RangeHigh, ulong DomainGap);

/// <summary>
/// OPE-16 under one key. Keeps what depends on the key alone: the AES keystream, the keyed HMAC, and the outcome of
/// the upper tree nodes, which every plaintext's search passes through (the root is shared by all 65,533 values,
/// each of its children by half of them, …). Encrypting many values under one key (an index rebuild, the
/// exhaustive test) then costs a few HMACs per value. Not thread-safe; dispose to wipe the key material.
/// </summary>
internal sealed class Ope16Cipher : IDisposable
{
    // By default nodes whose domain has at least this many points are remembered: at most a few thousand per key,
    // and they are the expensive ones (H2PE with its squeeze tests). Below it a search takes ~5 more steps.
    private const ulong DefaultCachedMinDomain = 32;

    private readonly ulong _cachedMinDomain;

    private readonly byte[] _key;
    private readonly OpeKeystream _keystream;
    private readonly IncrementalHash _hmac;

    // (dlo, dhi, rlo, rhi) → (dgap, keystream position after the node). A node is reached by exactly one path, so
    // the keystream position after it is fixed too; skipping a remembered node restores it.
    private readonly Dictionary<(ulong, ulong, ulong, ulong), (ulong Gap, int Position)> _nodes = [];

    /// <param name="key16">The 16-byte OPE key.</param>
    /// <param name="rememberAllNodes">
    /// Remember every tree node, not just the upper ones: for encrypting a large share of the domain under one key
    /// (each node is then sampled once; about 130,000 nodes, several MB, for the whole domain).
    /// </param>
    public Ope16Cipher(ReadOnlySpan<byte> key16, bool rememberAllNodes = false)
    {
        if (key16.Length != Ope16.KeySize)
        {
            throw new ArgumentException("The OPE-16 key is 16 bytes.", nameof(key16));
        }

        _key = key16.ToArray();
        _keystream = new OpeKeystream(key16);
        _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        _cachedMinDomain = rememberAllNodes ? 2 : DefaultCachedMinDomain;
    }

    public ulong Encrypt(ulong plaintext) => Encrypt(plaintext, trace: null);

    /// <summary>Encrypts and records every lazy-sampling step in <paramref name="trace"/> (for the vector trace).</summary>
    public ulong Encrypt(ulong plaintext, List<OpeStep>? trace)
    {
        if (plaintext > Ope16.MaxPlaintext)
        {
            throw new CryptoException(CryptoError.SortableValueTooLarge);
        }

        ulong dlo = 0, dhi = Ope16.DomainHigh, rlo = 0, rhi = Ope16.RangeHigh;
        var coins = new OpeRandom(_keystream); // one coin source for the whole search
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        Span<byte> label = stackalloc byte[(4 * 20) + 3];
        while (true)
        {
            ulong nd = dhi - dlo + 1;
            ulong nr = rhi - rlo + 1;
            if (nd == 1)
            {
                break;
            }

            ulong rgap = nr / 2;
            ulong dgap;
            if (nd >= _cachedMinDomain && _nodes.TryGetValue((dlo, dhi, rlo, rhi), out var node))
            {
                dgap = node.Gap;
                coins.Position = node.Position;
            }
            else
            {
                int labelLength = WriteBoundsLabel(label, dlo, dhi, rlo, rhi);
                _hmac.AppendData(label[..labelLength]);
                _hmac.GetHashAndReset(mac);
                coins.SetCounter(mac[..16]);
                dgap = Hypergeometric.Sample(rgap, nd, nr - nd, ref coins);
                if (nd >= _cachedMinDomain)
                {
                    _nodes[(dlo, dhi, rlo, rhi)] = (dgap, coins.Position);
                }
            }

            trace?.Add(new OpeStep(dlo, dhi, rlo, rhi, dgap));

            if (plaintext < dlo + dgap)
            {
                dhi = dlo + dgap - 1;
                rhi = rlo + rgap - 1;
            }
            else
            {
                dlo += dgap;
                rlo += rgap;
            }
        }

        CryptographicOperations.ZeroMemory(mac);

        // The range cell of n: coins from a fresh object (keystream back at block 0) seeded by SHA-256 of n.
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> decimalN = stackalloc byte[20];
        if (!plaintext.TryFormat(decimalN, out int nLength, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A u64 has at most 20 decimal digits.");
        }

        SHA256.HashData(decimalN[..nLength], digest);
        var final = new OpeRandom(_keystream);
        final.SetCounter(digest[..16]);
        CryptographicOperations.ZeroMemory(digest);
        return rlo + final.NextModulo(rhi - rlo + 1);
    }

    // ASCII "dlo/dhi/rlo/rhi" in decimal.
    private static int WriteBoundsLabel(Span<byte> into, ulong dlo, ulong dhi, ulong rlo, ulong rhi)
    {
        int written = 0;
        ReadOnlySpan<ulong> parts = [dlo, dhi, rlo, rhi];
        for (int i = 0; i < parts.Length; i++)
        {
            if (i > 0)
            {
                into[written++] = (byte)'/';
            }

            if (!parts[i].TryFormat(into[written..], out int n, default, CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException("A bound does not fit its label buffer.");
            }

            written += n;
        }

        return written;
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_key);
        _nodes.Clear(); // a Dictionary cannot be wiped in place; clearing drops the references at least
        _hmac.Dispose();
        _keystream.Dispose();
    }
}
