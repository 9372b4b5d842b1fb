using Coffer.Crypto;
using Coffer.Crypto.Sentc;

namespace Coffer.Interop.Tests;

/// <summary>
/// Detached hybrid signatures in the <c>{"x","k"}</c> text form (crypto-std.md §7.4, §14, §15.3): C#'s
/// <c>public_key_sig</c> checked by <c>user_verify_user_public_key</c>, C#'s <c>group_key_sig</c> checked by
/// <c>group_decrypt_key</c>, and the official client's <c>public_key_sig</c> checked by C#.
/// </summary>
public class DetachedSignatureInteropTests(OfficialClient wasm) : IClassFixture<OfficialClient>
{
    public enum Forgery
    {
        OverOtherData,
        Ed25519HalfTampered,
        DilithiumHalfTampered,
        ByAnotherSignKey,
    }

    public static TheoryData<Forgery> Forgeries =>
        [Forgery.OverOtherData, Forgery.Ed25519HalfTampered, Forgery.DilithiumHalfTampered, Forgery.ByAnotherSignKey];

    [Fact]
    public async Task UserVerifyUserPublicKey_CSharpPublicKeySig_WasmSaysTrue()
    {
        (PrivateKey privateKey, PublicKey publicKey) = Keys.EncryptionPair("ukp_carol");
        (SignKey signKey, VerifyKey verifyKey) = Keys.SignPair("usk_carol");
        using (privateKey)
        using (signKey)
        {
            var publicKeyData = new UserPublicKeyData(publicKey, signKey.SignToText(publicKey.Export()), signKey.KeyId);

            var verified = await wasm.CallAsync("user_verify_user_public_key", Keys.VerifyKeyData(verifyKey), publicKeyData.ToJson());

            Assert.True(verified.GetBoolean());
        }
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task UserVerifyUserPublicKey_ForgedPublicKeySig_WasmSaysFalse(Forgery forgery)
    {
        (PrivateKey privateKey, PublicKey publicKey) = Keys.EncryptionPair("ukp_carol");
        (SignKey signKey, VerifyKey verifyKey) = Keys.SignPair("usk_carol");
        using (privateKey)
        using (signKey)
        {
            string signature = Forge(forgery, signKey, publicKey.Export());
            var publicKeyData = new UserPublicKeyData(publicKey, signature, signKey.KeyId);

            var verified = await wasm.CallAsync("user_verify_user_public_key", Keys.VerifyKeyData(verifyKey), publicKeyData.ToJson());

            Assert.False(verified.GetBoolean());
            Assert.False(publicKeyData.VerifySignature(verifyKey));
        }
    }

    [Fact]
    public async Task UserVerifyUserPublicKey_NoSignature_WasmSaysFalse()
    {
        (PrivateKey privateKey, PublicKey publicKey) = Keys.EncryptionPair("ukp_carol");
        (SignKey signKey, VerifyKey verifyKey) = Keys.SignPair("usk_carol");
        using (privateKey)
        using (signKey)
        {
            var verified = await wasm.CallAsync("user_verify_user_public_key", Keys.VerifyKeyData(verifyKey), Keys.PublicKeyData(publicKey));

            Assert.False(verified.GetBoolean());
        }
    }

    [Fact]
    public async Task WasmRegisteredUser_PublicKeySig_CSharpAndWasmAgreeItVerifies()
    {
        using WasmUser user = await WasmUser.RegisterAsync(wasm, "pk_sig_user");

        var verified = await wasm.CallAsync(
            "user_verify_user_public_key", Keys.VerifyKeyData(user.UserVerify), user.PublicKeyData.ToJson());

        Assert.True(verified.GetBoolean());
        Assert.True(user.PublicKeyData.VerifySignature(user.UserVerify));
    }

    [Fact]
    public async Task GroupDecryptKey_CSharpGroupKeySig_WasmVerifiesAndReturnsTheCSharpKeys()
    {
        using var group = CSharpGroup.Create();

        var keys = await wasm.CallAsync(
            "group_decrypt_key", group.MemberPrivate.ExportJson(), group.ServerOutput(group.SignKey.SignToText(group.GroupKey.ExportRaw())),
            Keys.VerifyKeyData(group.VerifyKey));

        Assert.Equal(group.GroupKey.ExportJson(), keys.Str("group_key"));
        Assert.Equal(group.GroupPrivate.ExportJson(), keys.Str("private_group_key"));
        Assert.Equal(group.GroupPublic.ExportJson(), keys.Str("public_group_key"));
        Assert.Equal(Keys.PublicKeyData(group.GroupPublic), keys.Str("exported_public_group_key"));
        Assert.Equal(CSharpGroup.GroupKeyId, keys.Str("group_key_id"));
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task GroupDecryptKey_ForgedGroupKeySig_WasmReportsClient31(Forgery forgery)
    {
        using var group = CSharpGroup.Create();
        string signature = Forge(forgery, group.SignKey, group.GroupKey.ExportRaw());

        var error = await Assert.ThrowsAsync<OfficialClientException>(() => wasm.CallAsync(
            "group_decrypt_key", group.MemberPrivate.ExportJson(), group.ServerOutput(signature), Keys.VerifyKeyData(group.VerifyKey)));

        Assert.Equal("client_31", error.Code);
    }

    /// <summary>A signature text that must not verify for <paramref name="message"/> under <paramref name="signKey"/>'s verify key.</summary>
    private static string Forge(Forgery forgery, SignKey signKey, byte[] message)
    {
        switch (forgery)
        {
            case Forgery.OverOtherData:
                byte[] other = (byte[])message.Clone();
                other[0] ^= 0x01;
                return signKey.SignToText(other);
            case Forgery.ByAnotherSignKey:
                (SignKey mallory, _) = Keys.SignPair(signKey.KeyId);
                using (mallory)
                {
                    return mallory.SignToText(message);
                }

            case Forgery.Ed25519HalfTampered:
            case Forgery.DilithiumHalfTampered:
                byte[] signature = signKey.Sign(message);
                signature[forgery == Forgery.Ed25519HalfTampered ? 5 : 64 + 500] ^= 0x01;
                return SignatureText(signature);
            default:
                throw new ArgumentOutOfRangeException(nameof(forgery));
        }
    }

    /// <summary>The detached text form <c>{"x":b64(sig_x),"k":b64(sig_k)}</c> of a raw hybrid signature.</summary>
    private static string SignatureText(byte[] signature) =>
        $$"""{"x":"{{Convert.ToBase64String(signature, 0, 64)}}","k":"{{Convert.ToBase64String(signature, 64, signature.Length - 64)}}"}""";
}

/// <summary>
/// A group made entirely by C#: group key G, group key pair, a member's key pair, the starter's sign key, and the
/// <c>GroupKeyServerOutput</c> our server would hand that member.
/// </summary>
public sealed class CSharpGroup : IDisposable
{
    public const string GroupKeyId = "gkey_c1";
    public const string StarterUserId = "user_alice";

    private CSharpGroup(SymmetricKey groupKey, PrivateKey groupPrivate, PublicKey groupPublic, PrivateKey memberPrivate,
        PublicKey memberPublic, SignKey signKey, VerifyKey verifyKey)
    {
        GroupKey = groupKey;
        GroupPrivate = groupPrivate;
        GroupPublic = groupPublic;
        MemberPrivate = memberPrivate;
        MemberPublic = memberPublic;
        SignKey = signKey;
        VerifyKey = verifyKey;
    }

    public SymmetricKey GroupKey { get; }

    public PrivateKey GroupPrivate { get; }

    public PublicKey GroupPublic { get; }

    public PrivateKey MemberPrivate { get; }

    public PublicKey MemberPublic { get; }

    public SignKey SignKey { get; }

    public VerifyKey VerifyKey { get; }

    public static CSharpGroup Create()
    {
        (PrivateKey groupPrivate, PublicKey groupPublic) = Keys.EncryptionPair("gkp_c1");
        (PrivateKey memberPrivate, PublicKey memberPublic) = Keys.EncryptionPair("ukp_alice");
        (SignKey signKey, VerifyKey verifyKey) = Keys.SignPair("usk_alice");
        return new CSharpGroup(SymmetricKey.Generate(GroupKeyId), groupPrivate, groupPublic, memberPrivate, memberPublic, signKey, verifyKey);
    }

    /// <summary>The member's view of the group key, signed by the starter with <paramref name="groupKeySig"/>.</summary>
    public string ServerOutput(string groupKeySig) =>
        ServerJson.GroupKeyServerOutput(
            Convert.ToBase64String(MemberPublic.Wrap(GroupKey)), GroupKey.KeyId, Convert.ToBase64String(GroupKey.Wrap(GroupPrivate)),
            GroupPublic, MemberPublic.KeyId, (StarterUserId, SignKey.KeyId, groupKeySig));

    public void Dispose()
    {
        GroupKey.Dispose();
        GroupPrivate.Dispose();
        MemberPrivate.Dispose();
        SignKey.Dispose();
    }
}
