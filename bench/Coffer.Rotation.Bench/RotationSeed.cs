using Coffer.Crypto;
using Coffer.Protocol.Groups;
using Npgsql;
using NpgsqlTypes;

namespace Coffer.Rotation.Bench;

/// <summary>
/// A PostgreSQL database (migrated) filled with SQL for a large rotation: one app, a few real user key pairs reused by
/// many users (each user's user group points at one of the shared user keys), and one normal group whose creator is
/// <see cref="InvokerId"/> and whose other members are <see cref="Members"/> users. Join times repeat every three
/// members, so the keyset cursor's tie-break on the member id is exercised. Used by the crash test and the bench tool.
/// </summary>
public sealed class RotationSeed : IDisposable
{
    private RotationSeed(int members, PrivateKey[] userKeys, string[] userKeyIds, SymmetricKey groupKey)
    {
        Members = members;
        UserKeys = userKeys;
        UserKeyIds = userKeyIds;
        GroupKey = groupKey;
    }

    public string AppId { get; } = Guid.NewGuid().ToString();

    public string GroupId { get; } = Guid.NewGuid().ToString();

    public string InvokerId { get; } = Guid.NewGuid().ToString();

    public int Members { get; }

    /// <summary>The shared user private keys; a member's pending row names the key it was encrypted for.</summary>
    public PrivateKey[] UserKeys { get; }

    public string[] UserKeyIds { get; }

    /// <summary>The group's first key (id = <see cref="SymmetricKey.KeyId"/>).</summary>
    public SymmetricKey GroupKey { get; }

    public static async Task<RotationSeed> CreateAsync(string connectionString, int members, int keyPairs, CancellationToken ct)
    {
        var userKeys = new PrivateKey[keyPairs];
        var userKeyIds = new string[keyPairs];
        for (int i = 0; i < keyPairs; i++)
        {
            userKeyIds[i] = Guid.NewGuid().ToString();
            (userKeys[i], _) = PrivateKey.Generate(EncryptionAlgorithm.Default, userKeyIds[i]);
        }

        var seed = new RotationSeed(members, userKeys, userKeyIds, SymmetricKey.Generate(Guid.NewGuid().ToString()));
        await seed.InsertAsync(connectionString, ct);
        return seed;
    }

    /// <summary>KeyRotationData of the invoker (§15.6 client step) and the new key it carries.</summary>
    public (KeyRotationData Data, SymmetricKey NewKey) RotationData()
    {
        var newKey = SymmetricKey.Generate();
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        using (privateKey)
        using (var ephemeral = SymmetricKey.Generate())
        {
            string alg = EncryptionAlgorithm.Default.Id;
            PublicKey invoker = UserKeys[0].GetPublicKey();
            return (new KeyRotationData(
                B64(invoker.Wrap(newKey)), SymmetricKey.AlgorithmId, alg, B64(newKey.Wrap(privateKey)), publicKey.ToWireText(), alg,
                B64(ephemeral.Wrap(newKey)), SymmetricKey.AlgorithmId, B64(GroupKey.Wrap(ephemeral)), GroupKey.KeyId, UserKeyIds[0]),
                newKey);
        }
    }

    /// <summary>A member's side of the finish: its private key, then the old group key, then the ephemeral key.</summary>
    public byte[] OpenRotation(string encryptedByKeyId, string encryptedEphemeralKey, string encryptedGroupKeyByEphemeral)
    {
        PrivateKey key = UserKeys[Array.IndexOf(UserKeyIds, encryptedByKeyId)];
        using SymmetricKey ephemeral = GroupKey.UnwrapSymmetricKey(key.Decrypt(Convert.FromBase64String(encryptedEphemeralKey)), "");
        using SymmetricKey newKey = ephemeral.UnwrapSymmetricKey(Convert.FromBase64String(encryptedGroupKeyByEphemeral), "");
        return newKey.ExportRaw();
    }

    public static string MemberId(int index) => $"00000000-0000-4000-8000-{index:D12}";

    public void Dispose()
    {
        foreach (PrivateKey key in UserKeys)
        {
            key.Dispose();
        }

        GroupKey.Dispose();
    }

    private async Task InsertAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(ct);
        string alg = EncryptionAlgorithm.Default.Id;
        await ExecuteAsync(connection,
            "INSERT INTO app (id, name, public_token_hash, secret_token_hash, created_at) VALUES (@app, 'rotation-seed', @p, @s, 0)",
            ct, ("app", AppId), ("p", Guid.NewGuid().ToString()), ("s", Guid.NewGuid().ToString()));

        // One user group per shared key pair, its key being that pair.
        var userGroups = new string[UserKeys.Length];
        for (int i = 0; i < UserKeys.Length; i++)
        {
            userGroups[i] = Guid.NewGuid().ToString();
            await ExecuteAsync(connection,
                """
                INSERT INTO grp (id, app_id, kind, parent_id, invite_open, is_connected, current_key_id, created_at)
                VALUES (@g, @app, 1, NULL, TRUE, FALSE, @k, 0);
                INSERT INTO group_key (id, group_id, app_id, created_at, group_key_alg, keypair_encrypt_alg, public_key, encrypted_private_key)
                VALUES (@k, @g, @app, 0, 'AES-GCM-256', @alg, @pk, 'opaque');
                """,
                ct, ("g", userGroups[i]), ("app", AppId), ("k", UserKeyIds[i]), ("alg", alg), ("pk", UserKeys[i].GetPublicKey().ToWireText()));
        }

        (PrivateKey groupPrivate, PublicKey groupPublic) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        using (groupPrivate)
        {
            await ExecuteAsync(connection,
                """
                INSERT INTO grp (id, app_id, kind, parent_id, invite_open, is_connected, current_key_id, created_at)
                VALUES (@g, @app, 0, NULL, TRUE, FALSE, @k, 0);
                INSERT INTO group_key (id, group_id, app_id, created_at, group_key_alg, keypair_encrypt_alg, public_key, encrypted_private_key)
                VALUES (@k, @g, @app, 0, 'AES-GCM-256', @alg, @pk, @sk);
                INSERT INTO app_user (id, app_id, user_group_id, created_at) VALUES (@inv, @app, @ug, 0);
                INSERT INTO group_member (group_id, member_id, member_type, rank, joined_at) VALUES (@g, @inv, 0, 0, 0);
                INSERT INTO member_key (key_id, member_id, group_id, encrypted_group_key, encrypted_alg, encrypted_by_key_id, created_at)
                VALUES (@k, @inv, @g, @enc, @alg, @uk, 0);
                """,
                ct, ("g", GroupId), ("app", AppId), ("k", GroupKey.KeyId), ("alg", alg), ("pk", groupPublic.ToWireText()),
                ("sk", B64(GroupKey.Wrap(groupPrivate))), ("inv", InvokerId), ("ug", userGroups[0]),
                ("enc", B64(UserKeys[0].GetPublicKey().Wrap(GroupKey))), ("uk", UserKeyIds[0]));
        }

        await using (NpgsqlBinaryImporter users = await connection.BeginBinaryImportAsync(
            "COPY app_user (id, app_id, user_group_id, created_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (int i = 0; i < Members; i++)
            {
                await users.StartRowAsync(ct);
                await users.WriteAsync(MemberId(i), NpgsqlDbType.Text, ct);
                await users.WriteAsync(AppId, NpgsqlDbType.Text, ct);
                await users.WriteAsync(userGroups[i % userGroups.Length], NpgsqlDbType.Text, ct);
                await users.WriteAsync(0L, NpgsqlDbType.Bigint, ct);
            }

            await users.CompleteAsync(ct);
        }

        await using (NpgsqlBinaryImporter rows = await connection.BeginBinaryImportAsync(
            "COPY group_member (group_id, member_id, member_type, rank, joined_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            for (int i = 0; i < Members; i++)
            {
                await rows.StartRowAsync(ct);
                await rows.WriteAsync(GroupId, NpgsqlDbType.Text, ct);
                // Descending ids within a join time: the cursor's order differs from insertion order.
                await rows.WriteAsync(MemberId(Members - 1 - i), NpgsqlDbType.Text, ct);
                await rows.WriteAsync(0, NpgsqlDbType.Integer, ct);
                await rows.WriteAsync(4, NpgsqlDbType.Integer, ct);
                await rows.WriteAsync(1000L + (i / 3), NpgsqlDbType.Bigint, ct);
            }

            await rows.CompleteAsync(ct);
        }

        await transaction.CommitAsync(ct);
        await ExecuteAsync(connection, "ANALYZE", ct);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(ct);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes);
}
