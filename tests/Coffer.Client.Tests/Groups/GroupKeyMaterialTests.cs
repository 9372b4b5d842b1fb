using System.Text.Json;
using Coffer.Client.Groups;
using Coffer.Client.Http;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Crypto;
using Coffer.Crypto.Formats;
using Coffer.Crypto.Sentc;
using Coffer.Protocol.Groups;
using static Coffer.Client.Tests.Infrastructure.JsonShape;

namespace Coffer.Client.Tests.Groups;

/// <summary>
/// The group constructions against the official client's vectors (group.json): keys the wasm created decrypt and
/// verify with our code, our bodies have the wasm's shape, and our keys decrypt with our code the way the wasm's do.
/// </summary>
public sealed class GroupKeyMaterialTests
{
    private static readonly JsonElement Group = Vectors.Read("group.json");

    private static PrivateKey AlicePrivateKey() => PrivateKey.ImportJson(Group.GetProperty("inputs").Str("private_key"));

    private static VerifyKey AliceVerifyKey() => UserVerifyKeyData.Parse(Group.GetProperty("inputs").Str("verify_key_data"));

    private static GroupKeyServerOutput ServerKey(JsonElement element) => ClientJson.Read<GroupKeyServerOutput>(element);

    [Fact]
    public void DecryptKey_KeyOfTheOfficialClient_GivesItsGroupKeyAndKeyPair()
    {
        using PrivateKey alice = AlicePrivateKey();
        using GroupKey key = GroupKeyMaterial.DecryptKey(ServerKey(Group.GetProperty("server_key_output")), alice, AliceVerifyKey());

        JsonElement result = Group.GetProperty("group_decrypt_key_result");
        Assert.Equal(result.Str("group_key"), key.SymmetricKey.ExportJson());
        Assert.Equal(result.Str("private_group_key"), key.PrivateKey.ExportJson());
        Assert.Equal(result.Str("public_group_key"), key.PublicKey.ExportJson());
        Assert.Equal(("gkey_1", 1700000000000L), (key.KeyId, key.Time));
        Assert.True(key.SignatureVerified);
        Assert.Equal((new UserId("user_alice"), "usk_alice"), (key.SignedByUserId, key.SignedByUserSignKeyId));
    }

    [Fact]
    public void DecryptKey_IndependentKeyTheOfficialClientAccepted_Verifies()
    {
        JsonElement accepted = Group.GetProperty("independent_server_key_output_accepted");
        using PrivateKey alice = AlicePrivateKey();
        using GroupKey key = GroupKeyMaterial.DecryptKey(ServerKey(accepted.GetProperty("server_key_output")), alice, AliceVerifyKey());

        Assert.Equal(accepted.Str("group_key_b64"), Convert.ToBase64String(key.SymmetricKey.ExportRaw()));
        Assert.True(key.SignatureVerified);
    }

    [Fact]
    public void DecryptKey_SignatureOfAnotherKey_IsClient31()
    {
        GroupKeyServerOutput output = ServerKey(Group.GetProperty("server_key_output")) with
        {
            GroupKeySig = Group.GetProperty("independent_server_key_output_accepted").GetProperty("server_key_output").Str("group_key_sig"),
        };
        using PrivateKey alice = AlicePrivateKey();

        var error = Assert.Throws<CofferException>(() => CofferException.Crypto(() => GroupKeyMaterial.DecryptKey(output, alice, AliceVerifyKey())));
        Assert.Equal("client_31", error.Code);
        Assert.True(error.IsVerificationFailure);
    }

    [Fact]
    public void DecryptKey_WithoutVerifyKey_DoesNotCheckTheSignature()
    {
        GroupKeyServerOutput output = ServerKey(Group.GetProperty("server_key_output")) with { GroupKeySig = "not a signature" };
        using PrivateKey alice = AlicePrivateKey();
        using GroupKey key = GroupKeyMaterial.DecryptKey(output, alice);

        Assert.False(key.SignatureVerified);
        Assert.Equal(Group.GetProperty("decrypted").Str("group_key_b64"), Convert.ToBase64String(key.SymmetricKey.ExportRaw()));
    }

    [Fact]
    public void DecryptKey_WrongPrivateKey_IsClient30()
    {
        (PrivateKey other, _) = PrivateKey.Generate(EncryptionAlgorithm.Default, "ukp_alice");
        using (other)
        {
            var error = Assert.Throws<CofferException>(() =>
                CofferException.Crypto(() => GroupKeyMaterial.DecryptKey(ServerKey(Group.GetProperty("server_key_output")), other)));
            Assert.Equal("client_30", error.Code);
        }
    }

    [Fact]
    public void DecryptSearchableAndSortableKeys_OfTheOfficialClientsGroup_GiveItsKeys()
    {
        CreateData body = ClientJson.Read<CreateData>(Parse(Group.Str("create_body")));
        using PrivateKey alice = AlicePrivateKey();
        using GroupKey key = GroupKeyMaterial.DecryptKey(ServerKey(Group.GetProperty("server_key_output")), alice);

        using SearchableKey hmac = GroupKeyMaterial.DecryptSearchableKey(
            new GroupHmacData("ghmac_1", body.EncryptedHmacKey, body.EncryptedHmacAlg, "gkey_1", 0), key.SymmetricKey);
        using SortableKey sortable = GroupKeyMaterial.DecryptSortableKey(
            new GroupSortableData("gsort_1", body.EncryptedSortableKey, body.EncryptedSortableAlg, "gkey_1", 0), key.SymmetricKey);
        Assert.Equal(Group.Str("hmac_key_export"), hmac.ExportJson());
        Assert.Equal(Group.Str("sortable_key_export"), sortable.ExportJson());
    }

    [Fact]
    public void NewGroup_Signed_HasTheOfficialClientsShapeAndDecryptsVerified()
    {
        (PrivateKey creator, PublicKey creatorPublic) = PrivateKey.Generate(EncryptionAlgorithm.Default, "ukp_carol");
        (SignKey signKey, VerifyKey verifyKey) = SignKey.Generate(SignatureAlgorithm.Default, "usk_carol");
        using (creator)
        using (signKey)
        {
            CreateData data = GroupKeyMaterial.NewGroup(creatorPublic, signKey, "user_carol");
            AssertSameShape(Parse(Group.Str("create_body")), Parse(ClientJson.Write(data)));
            Assert.Equal(("ukp_carol", "user_carol", "usk_carol"), (data.CreatorPublicKeyId, data.SignedByUserId, data.SignedByUserSignKeyId));

            using GroupKey key = GroupKeyMaterial.DecryptKey(AsServerKey(data, "k1"), creator, verifyKey);
            Assert.True(key.SignatureVerified);
            Assert.Equal(key.PrivateKey.GetPublicKey(), key.PublicKey);
        }
    }

    [Fact]
    public void NewGroup_Unsigned_HasOnlyTheUnsignedFields()
    {
        (PrivateKey creator, PublicKey creatorPublic) = PrivateKey.Generate(EncryptionAlgorithm.Default, "ukp_carol");
        using (creator)
        {
            CreateData data = GroupKeyMaterial.NewGroup(creatorPublic);
            string[] expected = [.. Group.GetProperty("create_body_unsigned_fields").EnumerateArray().Select(f => f.GetString()!)];
            Assert.Equal(expected, Parse(ClientJson.Write(data)).EnumerateObject().Select(p => p.Name));

            using GroupKey key = GroupKeyMaterial.DecryptKey(AsServerKey(data, "k1"), creator);
            Assert.False(key.SignatureVerified);
            Assert.Null(key.SignedByUserId);
        }
    }

    [Fact]
    public void KeysForNewMember_HasTheOfficialClientsInviteShape()
    {
        using PrivateKey alice = AlicePrivateKey();
        using GroupKey key = GroupKeyMaterial.DecryptKey(ServerKey(Group.GetProperty("server_key_output")), alice);
        PublicKey bob = UserPublicKeyData.Parse(Group.Str("bob_public_key_data")).PublicKey;

        List<GroupKeysForNewMember> keys = GroupKeyMaterial.KeysForNewMember([key], bob);
        JsonElement body = Parse(ClientJson.Write(new NewMemberKeys(keys, Rank: null, KeySession: false)));

        JsonElement expected = Group.GetProperty("invite_body_for_bob");
        AssertSameShape(expected, body);
        JsonElement first = body.GetProperty("keys")[0];
        Assert.Equal(("gkey_1", "ukp_bob"), (first.Str("key_id"), first.Str("user_public_key_id")));
        Assert.Equal(JsonValueKind.Null, body.GetProperty("rank").ValueKind);
    }

    [Fact]
    public void KeysForNewMember_DecryptWithTheMembersPrivateKey()
    {
        using PrivateKey alice = AlicePrivateKey();
        using GroupKey key = GroupKeyMaterial.DecryptKey(ServerKey(Group.GetProperty("server_key_output")), alice);
        (PrivateKey dave, PublicKey davePublic) = PrivateKey.Generate(EncryptionAlgorithm.Default, "ukp_dave");
        using (dave)
        {
            GroupKeysForNewMember forDave = Assert.Single(GroupKeyMaterial.KeysForNewMember([key], davePublic));
            using SymmetricKey decrypted = dave.UnwrapSymmetricKey(StrictBase64.Decode(forDave.EncryptedGroupKey), forDave.KeyId);
            Assert.Equal(key.SymmetricKey.ExportJson(), decrypted.ExportJson());
        }
    }

    [Fact]
    public void KeyRequired_IsSdk8WithTheMissingKeyId()
    {
        CofferException error = CofferException.KeyRequired("gkey_9");
        Assert.Equal(("sdk_8", SdkError.GroupKeyRequired, "gkey_9"), (error.Code, error.SdkError, error.MissingKeyId));
        Assert.False(error.IsVerificationFailure);
    }

    /// <summary>The GroupKeyServerOutput the server builds from CreateData for the creator (api.md §4.5).</summary>
    private static GroupKeyServerOutput AsServerKey(CreateData data, string keyId) => new(
        data.EncryptedGroupKey, data.GroupKeyAlg, keyId, data.EncryptedPrivateGroupKey, data.PublicGroupKey, data.KeypairEncryptAlg,
        keyId, data.CreatorPublicKeyId, 1, data.SignedByUserId, data.SignedByUserSignKeyId, data.GroupKeySig);

    [Fact]
    public void NewRotation_ServerStepThenOpenRotation_MemberGetsTheNewKeyAndItsSignatureHolds()
    {
        using SymmetricKey previous = SymmetricKey.Generate("gkey_old");
        (PrivateKey invokerPrivate, PublicKey invoker) = PrivateKey.Generate(EncryptionAlgorithm.Default, "ukey_starter");
        (PrivateKey memberPrivate, PublicKey member) = PrivateKey.Generate(EncryptionAlgorithm.Default, "ukey_member");
        (SignKey signKey, VerifyKey verifyKey) = SignKey.Generate(SignatureAlgorithm.Default, "usk_starter");
        using (invokerPrivate)
        using (memberPrivate)
        using (signKey)
        {
            KeyRotationData data = GroupKeyMaterial.NewRotation(previous, invoker, signKey, "user_starter");
            Assert.Equal(("gkey_old", "ukey_starter", "user_starter", "usk_starter"),
                (data.PreviousGroupKeyId, data.InvokerPublicKeyId, data.SignedByUserId, data.SignedByUserSignKeyId));
            Assert.Null(data.VerifyKey); // user-group fields only for user-key rotations
            using SymmetricKey starterCopy = invokerPrivate.UnwrapSymmetricKey(StrictBase64.Decode(data.EncryptedGroupKeyByUser), "gkey_new");

            // The server's only step: the ephemeral key's blob, encrypted for the member's public key.
            var input = new KeyRotationInput(
                null, StrictBase64.Encode(member.Encrypt(StrictBase64.Decode(data.EncryptedEphemeralKey))), data.EncryptedGroupKeyByEphemeral,
                data.EphemeralAlg, member.KeyId, data.PreviousGroupKeyId, 1, "gkey_new");
            using SymmetricKey opened = GroupKeyMaterial.OpenRotation(input, memberPrivate, previous);
            Assert.Equal(("gkey_new", starterCopy.ExportJson()), (opened.KeyId, opened.ExportJson()));
            Assert.True(verifyKey.VerifyText(opened.ExportRaw(), data.GroupKeySig!));

            DoneKeyRotationData done = GroupKeyMaterial.DoneRotation(opened, member);
            Assert.Equal(("ukey_member", member.Algorithm.Id), (done.PublicKeyId, done.EncryptedAlg));
            using SymmetricKey memberCopy = memberPrivate.UnwrapSymmetricKey(StrictBase64.Decode(done.EncryptedNewGroupKey), "gkey_new");
            Assert.Equal(opened.ExportJson(), memberCopy.ExportJson());

            using SymmetricKey wrongPrevious = SymmetricKey.Generate();
            var wrong = Assert.Throws<CryptoException>(() => GroupKeyMaterial.OpenRotation(input, memberPrivate, wrongPrevious));
            Assert.Equal(CryptoError.KeyDecryptionFailed, wrong.Error);
        }
    }

    [Fact]
    public void NewRotation_UserGroup_CarriesANewSignKeyThatSignsTheNewPublicKey()
    {
        using SymmetricKey previous = SymmetricKey.Generate("ukey_old");
        (PrivateKey devicePrivate, PublicKey device) = PrivateKey.Generate(EncryptionAlgorithm.Default, "device_1");
        using (devicePrivate)
        {
            KeyRotationData data = GroupKeyMaterial.NewRotation(previous, device, userGroup: true);
            Assert.Null(data.SignedByUserId);
            VerifyKey verifyKey = VerifyKey.FromWireText(SignatureAlgorithm.FromId(data.KeypairSignAlg!), data.VerifyKey!, "ukey_new");
            PublicKey publicKey = PublicKey.FromWireText(EncryptionAlgorithm.FromId(data.KeypairEncryptAlg), data.PublicGroupKey, "ukey_new");
            Assert.True(verifyKey.VerifyText(publicKey.Export(), data.PublicKeySig!));
        }
    }
}
