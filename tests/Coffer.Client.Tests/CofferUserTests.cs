using System.Text.Json;
using Coffer.Client.Storage;
using Coffer.Client.Tests.Infrastructure;
using Coffer.Crypto;
using Coffer.Crypto.Password;
using Coffer.Crypto.Sentc;
using static Coffer.Client.Tests.Infrastructure.JsonShape;

namespace Coffer.Client.Tests;

/// <summary>The user object's crypto (no server): alice from login.json.</summary>
public sealed class CofferUserTests
{
    private static readonly JsonElement SafetyVectors = Vectors.Read("safety-number-and-pk-verify.json");

    /// <summary>No request is sent by these tests; the address is never contacted.</summary>
    private static CofferClient OfflineClient() => new(new Uri("http://127.0.0.1:9"), "app-token");

    private static async Task<CofferUser> AliceAsync(CofferClient client) =>
        await client.OpenUserAsync(OwnBackendLoginTests.LoginFromVectors(), TestContext.Current.CancellationToken);

    [Fact]
    public async Task CreateSafetyNumber_Alone_IsTheOfficialNumber()
    {
        using CofferClient client = OfflineClient();
        using CofferUser alice = await AliceAsync(client);
        JsonElement expected = SafetyVectors.GetProperty("safety_numbers").EnumerateArray()
            .Single(n => n.GetProperty("user_2").ValueKind == JsonValueKind.Null);
        // login.json and the safety-number vectors come from the same generator run: the same alice keys.
        Assert.Equal(expected.Str("user_1"), alice.UserId.Value);
        Assert.Equal(expected.Str("number"), alice.CreateSafetyNumber());
    }

    [Fact]
    public async Task CreateSafetyNumber_WithBob_IsTheOfficialNumberInBothOrders()
    {
        using CofferClient client = OfflineClient();
        using CofferUser alice = await AliceAsync(client);
        VerifyKey bob = UserVerifyKeyData.Parse(SafetyVectors.GetProperty("verify_keys").Str("user_bob"));
        foreach (JsonElement pair in SafetyVectors.GetProperty("safety_numbers").EnumerateArray().Where(n => n.GetProperty("user_2").ValueKind != JsonValueKind.Null))
        {
            Assert.Equal(pair.Str("number"), SafetyNumber.Compute(alice.NewestUserKey.VerifyKey, "user_alice", bob, "user_bob"));
        }

        // The SDK's own method uses the user's id; alice's id in login.json is "user_alice" too.
        Assert.Equal("user_alice", alice.UserId.Value);
        Assert.Equal(SafetyNumber.Compute(alice.NewestUserKey.VerifyKey, "user_alice", bob, "user_bob"), alice.CreateSafetyNumber(bob, new UserId("user_bob")));
    }

    [Fact]
    public async Task PrepareRegisterDevice_OneUserKey_EncryptsItForTheNewDevice()
    {
        using CofferClient client = OfflineClient();
        using CofferUser alice = await AliceAsync(client);
        (PrivateKey newDevicePrivate, PublicKey newDevicePublic) = PrivateKey.Generate(EncryptionAlgorithm.Default, "device_new");
        using (newDevicePrivate)
        {
            var start = new DeviceRegistrationStart(new DeviceId("device_new"), "the-token", "alice-phone", newDevicePublic);
            (string body, IReadOnlyList<string> pages) = alice.PrepareRegisterDevice(start);
            Assert.Empty(pages);

            JsonElement data = Parse(body);
            Assert.Equal(["user_keys", "token"], data.EnumerateObject().Select(p => p.Name));
            JsonElement userKeys = data.GetProperty("user_keys");
            Assert.Equal(["keys", "rank", "key_session"], userKeys.EnumerateObject().Select(p => p.Name));
            Assert.Equal(JsonValueKind.Null, userKeys.GetProperty("rank").ValueKind);
            Assert.False(userKeys.GetProperty("key_session").GetBoolean());
            Assert.Equal("the-token", data.Str("token"));

            JsonElement key = Assert.Single(userKeys.GetProperty("keys").EnumerateArray());
            Assert.Equal(["encrypted_group_key", "alg", "encrypted_alg", "key_id", "user_public_key_id"], key.EnumerateObject().Select(p => p.Name));
            Assert.Equal(("AES-GCM-256", "ECIES-ed25519_KYBER_768", "ukey_alice", "device_new"),
                (key.Str("alg"), key.Str("encrypted_alg"), key.Str("key_id"), key.Str("user_public_key_id")));
            using SymmetricKey groupKey = newDevicePrivate.UnwrapSymmetricKey(Convert.FromBase64String(key.Str("encrypted_group_key")), "ukey_alice");
            Assert.Equal(alice.NewestUserKey.GroupKey.ExportJson(), groupKey.ExportJson());
        }
    }

    [Fact]
    public async Task DeviceRegistrationStart_Json_RoundTrips()
    {
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default, "d2");
        privateKey.Dispose();
        var start = new DeviceRegistrationStart(new DeviceId("d2"), "tok", "phone", publicKey);
        DeviceRegistrationStart back = DeviceRegistrationStart.FromJson(start.ToJson());
        Assert.Equal((start.DeviceId, start.Token, start.DeviceIdentifier, start.PublicKey), (back.DeviceId, back.Token, back.DeviceIdentifier, back.PublicKey));
        Assert.Equal(["device_id", "token", "device_identifier", "public_key_string", "keypair_encrypt_alg"],
            Parse(start.ToJson()).EnumerateObject().Select(p => p.Name));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task PrepareResetPassword_NewMasterKey_RewrapsTheDeviceKeys()
    {
        using CofferClient client = OfflineClient();
        using CofferUser alice = await AliceAsync(client);
        JsonElement data = Parse(alice.PrepareResetPassword("brand new"));
        Assert.Equal(["client_random_value", "hashed_authentication_key", "master_key", "derived_alg", "encrypted_private_key", "encrypted_sign_key"],
            data.EnumerateObject().Select(p => p.Name));
        using PasswordKeys keys = PasswordKeys.Derive("brand new", PasswordKeys.Salt(Convert.FromBase64String(data.Str("client_random_value"))));
        Assert.Equal(keys.HashedAuthKey, Convert.FromBase64String(data.Str("hashed_authentication_key")));
        using SymmetricKey master = keys.MasterKeyEncryptionKey.UnwrapSymmetricKey(
            Convert.FromBase64String(data.GetProperty("master_key").Str("encrypted_master_key")), "");
        using PrivateKey device = master.UnwrapPrivateKey(Convert.FromBase64String(data.Str("encrypted_private_key")), EncryptionAlgorithm.Default, "x");
        Assert.Equal(alice.DeviceKeys.PublicKey, device.GetPublicKey());
        using SignKey sign = master.UnwrapSignKey(Convert.FromBase64String(data.Str("encrypted_sign_key")), SignatureAlgorithm.Default, "x");
        Assert.True(alice.DeviceKeys.VerifyKey.Verify("m"u8, sign.Sign("m"u8)));
    }

    [Fact]
    public async Task SaveAndLoad_InMemory_RestoresIdsTokensAndKeys()
    {
        using CofferClient client = OfflineClient();
        using CofferUser alice = await AliceAsync(client);
        var store = new InMemoryKeyStore();
        await alice.SaveAsync(store, cancellationToken: TestContext.Current.CancellationToken);
        using CofferUser loaded = (await client.LoadUserAsync(store, cancellationToken: TestContext.Current.CancellationToken))!;
        AssertSameUser(alice, loaded);
        Assert.Null(await client.LoadUserAsync(store, "nobody", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task SaveAndLoad_EncryptedFile_RestoresTheUser()
    {
        using CofferClient client = OfflineClient();
        using CofferUser alice = await AliceAsync(client);
        string folder = Directory.CreateTempSubdirectory("coffer-keystore-").FullName;
        try
        {
            using (EncryptedFileKeyStore store = await EncryptedFileKeyStore.OpenWithPassphraseAsync(folder, "store pass", TestContext.Current.CancellationToken))
            {
                await alice.SaveAsync(store, cancellationToken: TestContext.Current.CancellationToken);
            }

            using EncryptedFileKeyStore reopened = await EncryptedFileKeyStore.OpenWithPassphraseAsync(folder, "store pass", TestContext.Current.CancellationToken);
            using CofferUser loaded = (await client.LoadUserAsync(reopened, cancellationToken: TestContext.Current.CancellationToken))!;
            AssertSameUser(alice, loaded);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task GetUserKeyAsync_KnownKey_NeedsNoServer()
    {
        using CofferClient client = OfflineClient();
        using CofferUser alice = await AliceAsync(client);
        UserKey key = await alice.GetUserKeyAsync("ukey_alice", TestContext.Current.CancellationToken);
        Assert.Same(alice.NewestUserKey, key);
    }

    [Fact]
    public void DoneRegisterDevice_AnswerWithOrWithoutSession_ReturnsTheSessionId()
    {
        Assert.Null(CofferUser.DoneRegisterDevice("""{"status":true,"result":{"message":"Done"}}"""));
        Assert.Equal("s1", CofferUser.DoneRegisterDevice("""{"status":true,"result":{"session_id":"s1","message":"Done"}}"""));
        var error = Assert.Throws<CofferException>(() => CofferUser.DoneRegisterDevice("""{"status":false,"err_code":100,"err_msg":"User not found."}"""));
        Assert.Equal("server_100", error.Code);
    }

    private static void AssertSameUser(CofferUser expected, CofferUser actual)
    {
        Assert.Equal((expected.UserId, expected.DeviceId, expected.UserGroupId, expected.Identifier, expected.Jwt, expected.RefreshToken),
            (actual.UserId, actual.DeviceId, actual.UserGroupId, actual.Identifier, actual.Jwt, actual.RefreshToken));
        Assert.Equal(expected.DeviceKeys.PrivateKey.ExportJson(), actual.DeviceKeys.PrivateKey.ExportJson());
        Assert.Equal(expected.DeviceKeys.SignKey.ExportJson(), actual.DeviceKeys.SignKey.ExportJson());
        Assert.Equal(expected.UserKeys.Count, actual.UserKeys.Count);
        for (int i = 0; i < expected.UserKeys.Count; i++)
        {
            Assert.Equal(expected.UserKeys[i].GroupKey.ExportJson(), actual.UserKeys[i].GroupKey.ExportJson());
            Assert.Equal(expected.UserKeys[i].PrivateKey.ExportJson(), actual.UserKeys[i].PrivateKey.ExportJson());
            Assert.Equal(expected.UserKeys[i].SignKey.ExportJson(), actual.UserKeys[i].SignKey.ExportJson());
            Assert.Equal(expected.UserKeys[i].ExportPublicKeyData(), actual.UserKeys[i].ExportPublicKeyData());
            Assert.Equal(expected.UserKeys[i].Time, actual.UserKeys[i].Time);
        }

        Assert.Equal(expected.HmacKeys, actual.HmacKeys);
    }
}
