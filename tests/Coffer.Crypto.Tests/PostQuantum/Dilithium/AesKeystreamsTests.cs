using System.Security.Cryptography;
using Coffer.Crypto.PostQuantum.Dilithium;
using Coffer.Crypto.Primitives;

namespace Coffer.Crypto.Tests.PostQuantum.Dilithium;

// The batched keystreams must equal the shared Aes256Ctr's, stream by stream, with the Dilithium nonce layout
// LE16(nonce) ‖ 10 zero bytes.
public class AesKeystreamsTests
{
    [Theory]
    [InlineData(1, 0u, 16)]
    [InlineData(5, 0u, 640)]
    [InlineData(30, 0u, 816)]
    [InlineData(1, 51u, 96)]
    [InlineData(3, 0xFFFFFFFEu, 64)]
    public void Generate_RandomKeyAndNonces_EqualsSharedAes256CtrPerStream(int streams, uint firstBlock, int streamBytes)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        ushort[] nonces = Enumerable.Range(0, streams).Select(_ => (ushort)RandomNumberGenerator.GetInt32(65536)).ToArray();
        byte[] batched = new byte[streams * streamBytes];

        using (var keystreams = new AesKeystreams(key))
        {
            keystreams.Generate(nonces, firstBlock, batched);
        }

        using var reference = new Aes256Ctr(key);
        for (int s = 0; s < streams; s++)
        {
            byte[] nonce = new byte[Aes256Ctr.NonceSize];
            nonce[0] = (byte)nonces[s];
            nonce[1] = (byte)(nonces[s] >> 8);
            byte[] expected = new byte[streamBytes];
            reference.Keystream(nonce, firstBlock, expected);

            Assert.Equal(expected, batched.AsSpan(s * streamBytes, streamBytes).ToArray());
        }
    }

    [Fact]
    public void Generate_PartialBlock_ThrowsArgumentException()
    {
        using var keystreams = new AesKeystreams(new byte[32]);

        Assert.Throws<ArgumentException>(() => keystreams.Generate([1, 2], 0, new byte[40]));
    }
}
