using System.Data.Common;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Coffer.Crypto;
using Coffer.Protocol.Groups;
using Coffer.Server.Data;
using Coffer.Server.Features.Groups;
using Coffer.Server.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Features.Rotation;

/// <summary>A user registered and logged in with keys made by Coffer.Crypto, so the test can decrypt what it receives.</summary>
public sealed class KeyedUser(ClientRegistration registration, string userId, string deviceId, string jwt, string userKeyId) : IDisposable
{
    public ClientRegistration Registration { get; } = registration;

    public string UserId { get; } = userId;

    public string DeviceId { get; } = deviceId;

    public string Jwt { get; } = jwt;

    /// <summary>Id of the user's first (newest) user key, the public key members' copies are encrypted for.</summary>
    public string UserKeyId { get; } = userKeyId;

    public PrivateKey PrivateKey => Registration.UserPrivateKey;

    public PublicKey PublicKey => Registration.UserPrivateKey.GetPublicKey();

    public void Dispose() => Registration.Dispose();
}

/// <summary>A normal group made with real keys: its first key, its key pair.</summary>
public sealed record KeyedGroup(string Id, string KeyId, SymmetricKey Key, PrivateKey PrivateKey);

/// <summary>The client side of rotation (crypto-std §15.6) done with Coffer.Crypto, and the fixtures the tests share.</summary>
public static class RotationClient
{
    public static async Task<KeyedUser> RegisterAsync(TestApp app, string identifier)
    {
        var registration = new ClientRegistration(identifier, "pw " + Guid.NewGuid());
        ApiAnswer registered = await app.SendAsync(HttpMethod.Post, "/register", registration.RegisterBody, appToken: app.SecretToken);
        Assert.True(registered.Ok, registered.Text);
        (string jwt, string deviceId) = await LoginAsync(app, registration);
        string userId = registered.Result.GetProperty("user_id").GetString()!;
        ApiAnswer key = await app.SendAsync(HttpMethod.Get, $"/user/{userId}/public_key");
        return new KeyedUser(registration, userId, deviceId, jwt, key.Result.GetProperty("public_key_id").GetString()!);
    }

    public static async Task<(string Jwt, string DeviceId)> LoginAsync(TestApp app, ClientRegistration registration)
    {
        ApiAnswer done = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin(registration.Identifier, registration.AuthKey));
        Assert.True(done.Ok, done.Text);
        JsonElement direct = done.Result.GetProperty("Direct");
        string challenge = registration.DecryptChallenge(direct);
        ApiAnswer verified = await app.SendAsync(
            HttpMethod.Post, "/verify_login", Bodies.VerifyLogin(registration.Identifier, challenge, registration.AuthKey));
        Assert.True(verified.Ok, verified.Text);
        return (verified.Result.GetProperty("jwt").GetString()!, direct.GetProperty("device_keys").GetProperty("device_id").GetString()!);
    }

    /// <summary>
    /// A normal group created by <paramref name="creator"/> (the real creation SQL) with <paramref name="members"/> added as
    /// rank-4 members holding a copy of the first key, as an accepted invite leaves them.
    /// </summary>
    public static async Task<KeyedGroup> CreateGroupAsync(TestApp app, KeyedUser creator, params KeyedUser[] members)
    {
        var key = SymmetricKey.Generate();
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        string alg = EncryptionAlgorithm.Default.Id;
        var data = new CreateData(
            B64(creator.PublicKey.Wrap(key)), SymmetricKey.AlgorithmId, alg, B64(key.Wrap(privateKey)), publicKey.ToWireText(), alg,
            creator.UserKeyId, B64(key.Encrypt(new byte[32])), "HMAC-SHA256", B64(key.Encrypt(new byte[32])), "OPE-16");
        Database database = app.Services.GetRequiredService<Database>();
        GroupStore.CreatedGroup created = await database.InTransactionAsync(
            (c, t) => GroupStore.CreateAsync(c, t, app.App.App, GroupKind.Normal, data, creator.UserId, creator.UserKeyId, Now(app)),
            CancellationToken.None);
        var group = new KeyedGroup(created.Group.Value, created.Key.Value, key.WithKeyId(created.Key.Value), privateKey);
        foreach (KeyedUser member in members)
        {
            await AddMemberAsync(app, group, member.UserId, 0, B64(member.PublicKey.Wrap(key)), member.UserKeyId);
        }

        return group;
    }

    /// <summary>A member row (type 0 user, 2 member group) and its copy of the group's first key.</summary>
    public static async Task AddMemberAsync(TestApp app, KeyedGroup group, string memberId, int type, string encryptedKey, string encryptedById, long? joinedAt = null)
    {
        await using DbConnection c = await app.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        long now = joinedAt ?? Now(app);
        await c.ExecuteAsync(
            "INSERT INTO group_member (group_id, member_id, member_type, rank, joined_at) VALUES (@g, @m, @type, 4, @now)",
            new { g = group.Id, m = memberId, type, now });
        await c.ExecuteAsync(
            """
            INSERT INTO member_key (key_id, member_id, group_id, encrypted_group_key, encrypted_alg, encrypted_by_key_id, created_at)
            VALUES (@k, @m, @g, @enc, @alg, @by, @now)
            """,
            new { k = group.KeyId, m = memberId, g = group.Id, enc = encryptedKey, alg = EncryptionAlgorithm.Default.Id, by = encryptedById, now });
    }

    /// <summary>
    /// KeyRotationData as the client makes it (§15.6): new key G′ wrapped for the invoker, a new key pair, an ephemeral key
    /// wrapping G′, itself wrapped by the previous key. <paramref name="userKeys"/> adds the new user sign key fields.
    /// </summary>
    public static (JsonObject Body, SymmetricKey NewKey, PrivateKey NewPrivateKey) RotationBody(
        SymmetricKey previous, string previousId, PublicKey invoker, string invokerKeyId, bool userKeys = false)
    {
        var newKey = SymmetricKey.Generate();
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        using var ephemeral = SymmetricKey.Generate();
        string alg = EncryptionAlgorithm.Default.Id;
        var body = new JsonObject
        {
            ["encrypted_group_key_by_user"] = B64(invoker.Wrap(newKey)),
            ["group_key_alg"] = SymmetricKey.AlgorithmId,
            ["encrypted_group_key_alg"] = alg,
            ["encrypted_private_group_key"] = B64(newKey.Wrap(privateKey)),
            ["public_group_key"] = publicKey.ToWireText(),
            ["keypair_encrypt_alg"] = alg,
            ["encrypted_group_key_by_ephemeral"] = B64(ephemeral.Wrap(newKey)),
            ["ephemeral_alg"] = SymmetricKey.AlgorithmId,
            ["encrypted_ephemeral_key"] = B64(previous.Wrap(ephemeral)),
            ["previous_group_key_id"] = previousId,
            ["invoker_public_key_id"] = invokerKeyId,
        };
        if (userKeys)
        {
            (SignKey signKey, VerifyKey verifyKey) = SignKey.Generate(SignatureAlgorithm.Default);
            using (signKey)
            {
                body["encrypted_sign_key"] = B64(newKey.Wrap(signKey));
                body["verify_key"] = verifyKey.ToWireText();
                body["keypair_sign_alg"] = SignatureAlgorithm.Default.Id;
                body["public_key_sig"] = signKey.SignToText(publicKey.Export());
            }
        }

        return (body, newKey, privateKey);
    }

    /// <summary>Finish step 1–3 of §15.6: the member's private key, then the previous key, then the ephemeral key.</summary>
    public static SymmetricKey OpenRotation(JsonElement pending, PrivateKey memberKey, SymmetricKey previous)
    {
        byte[] wrappedEphemeral = memberKey.Decrypt(Convert.FromBase64String(
            pending.GetProperty("encrypted_ephemeral_key_by_group_key_and_public_key").GetString()!));
        using SymmetricKey ephemeral = previous.UnwrapSymmetricKey(wrappedEphemeral, "");
        return ephemeral.UnwrapSymmetricKey(
            Convert.FromBase64String(pending.GetProperty("encrypted_group_key_by_ephemeral").GetString()!),
            pending.GetProperty("new_group_key_id").GetString()!);
    }

    public static string DoneBody(SymmetricKey newKey, PublicKey own, string ownKeyId) =>
        new JsonObject
        {
            ["encrypted_new_group_key"] = B64(own.Wrap(newKey)),
            ["public_key_id"] = ownKeyId,
            ["encrypted_alg"] = own.Algorithm.Id,
        }.ToJsonString();

    /// <summary>GET on Coffer's own paths (outside /api/v1).</summary>
    public static async Task<ApiAnswer> GetExtensionAsync(TestApp app, string path, string jwt)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/coffer/v1" + path);
        request.Headers.TryAddWithoutValidation("x-sentc-app-token", app.PublicToken);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + jwt);
        request.Content = new StringContent("", Encoding.UTF8, "application/json");
        return await TestApp.ReadAsync(await app.Client.SendAsync(request, TestContext.Current.CancellationToken));
    }

    /// <summary>Polls the progress endpoint until the job is finished (at most 30 s).</summary>
    public static async Task<JsonElement> AwaitFinishedAsync(TestApp app, string progressPath, string jwt)
    {
        for (int i = 0; i < 600; i++)
        {
            ApiAnswer progress = await GetExtensionAsync(app, progressPath, jwt);
            Assert.True(progress.Ok, progress.Text);
            if (progress.Result.GetProperty("status").GetString() == KeyRotationProgress.FinishedStatus)
            {
                return progress.Result;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException("The rotation did not finish within 30 s.");
    }

    public static long Now(TestApp app) => app.Clock.GetUtcNow().ToUnixTimeMilliseconds();

    public static string B64(byte[] bytes) => Convert.ToBase64String(bytes);
}
