using System.Data.Common;
using Coffer.Crypto;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coffer.LoadTest;

/// <summary>
/// Seeds large groups straight into the server's throwaway database (registering 100,000 users or rotating a key 1,000
/// times through the API would take hours here). The group, its creator and its first key are made through the API;
/// this class only adds rows of the same shape:
/// <list type="bullet">
/// <item>older key generations: <c>group_key</c> rows with real key material (one group key, one X25519+Kyber768 key
/// pair, the private key wrapped by the group key) reused for every generation, each with its own id and time, and the
/// creator's <c>member_key</c> row per generation (the group key wrapped to the creator's user public key), so the
/// client really decrypts every generation;</item>
/// <item>members: <c>group_member</c> rows (user members, rank 4, join times one millisecond apart, ids
/// <c>seed-member-N</c>). No <c>member_key</c> rows for them: the member page reads only <c>group_member</c>, and
/// 100,000 wrapped keys (1.6 kB each) would only make the seeding slow.</item>
/// </list>
/// Only loopback PostgreSQL servers and local SQLite files are accepted.
/// </summary>
public static class GroupSeed
{
    /// <summary>The id of the seeded member N (1-based); member N joined at <c>baseTime + N</c>.</summary>
    public static string MemberId(int n) => $"seed-member-{n:D7}";

    public static async Task<DbConnection> OpenAsync(string database, CancellationToken ct)
    {
        DbConnection connection;
        if (database.StartsWith("Data Source=", StringComparison.OrdinalIgnoreCase))
        {
            SQLitePCL.Batteries_V2.Init();
            connection = new SqliteConnection(database);
        }
        else
        {
            var builder = new NpgsqlConnectionStringBuilder(database);
            if (builder.Host is null || !builder.Host.Split(',').All(LoadSettings.IsLoopbackHost))
            {
                throw new ArgumentException("--database must name a PostgreSQL server on loopback (Host=127.0.0.1)");
            }

            connection = new NpgsqlConnection(database);
        }

        await connection.OpenAsync(ct);
        if (connection is SqliteConnection)
        {
            await ExecuteAsync(connection, null, "PRAGMA busy_timeout = 10000", [], ct);
        }

        return connection;
    }

    /// <summary>
    /// Adds <paramref name="count"/> older key generations to <paramref name="group"/>, each readable by
    /// <paramref name="member"/> through its user key <paramref name="memberKey"/>. Times: one second apart, before the
    /// group's first key. One transaction.
    /// </summary>
    public static async Task AddKeyGenerationsAsync(
        DbConnection connection, string group, string member, PublicKey memberKey, int count, CancellationToken ct)
    {
        using SymmetricKey groupKey = SymmetricKey.Generate();
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        string encryptedPrivateKey;
        using (privateKey)
        {
            encryptedPrivateKey = Convert.ToBase64String(groupKey.Wrap(privateKey));
        }

        string encryptedGroupKey = Convert.ToBase64String(memberKey.Wrap(groupKey));
        await using DbTransaction transaction = await connection.BeginTransactionAsync(ct);
        string app = (string)(await ScalarAsync(connection, transaction, "SELECT app_id FROM grp WHERE id = @group", [("group", group)], ct)
            ?? throw new InvalidOperationException("the group to seed does not exist"));
        long first = Convert.ToInt64(
            await ScalarAsync(connection, transaction, "SELECT MIN(created_at) FROM group_key WHERE group_id = @group", [("group", group)], ct),
            System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 1; i <= count; i++)
        {
            string key = Guid.NewGuid().ToString();
            long time = first - i * 1000L;
            await ExecuteAsync(connection, transaction,
                """
                INSERT INTO group_key (id, group_id, app_id, created_at, group_key_alg, keypair_encrypt_alg, public_key, encrypted_private_key,
                    public_key_sig_key_id)
                VALUES (@key, @group, @app, @time, @groupKeyAlg, @keypairAlg, @publicKey, @encryptedPrivateKey, @key)
                """,
                [("key", key), ("group", group), ("app", app), ("time", time), ("groupKeyAlg", SymmetricKey.AlgorithmId),
                    ("keypairAlg", publicKey.Algorithm.Id), ("publicKey", publicKey.ToWireText()), ("encryptedPrivateKey", encryptedPrivateKey)],
                ct);
            await ExecuteAsync(connection, transaction,
                """
                INSERT INTO member_key (key_id, member_id, group_id, encrypted_group_key, encrypted_alg, encrypted_by_key_id, created_at)
                VALUES (@key, @member, @group, @encryptedGroupKey, @alg, @byKey, @time)
                """,
                [("key", key), ("member", member), ("group", group), ("encryptedGroupKey", encryptedGroupKey),
                    ("alg", memberKey.Algorithm.Id), ("byKey", memberKey.KeyId), ("time", time)],
                ct);
        }

        await transaction.CommitAsync(ct);
        if (connection is NpgsqlConnection)
        {
            await ExecuteAsync(connection, null, "ANALYZE group_key, member_key", [], ct); // fresh statistics, as autovacuum would make them
        }
    }

    /// <summary>Adds <paramref name="count"/> user members <see cref="MemberId"/>(1..count), joined at base + N; returns base.</summary>
    public static async Task<long> AddMembersAsync(DbConnection connection, string group, int count, CancellationToken ct)
    {
        await using DbTransaction transaction = await connection.BeginTransactionAsync(ct);
        long baseTime = Convert.ToInt64(
            await ScalarAsync(connection, transaction, "SELECT MAX(joined_at) FROM group_member WHERE group_id = @group", [("group", group)], ct),
            System.Globalization.CultureInfo.InvariantCulture);
        // One statement on both dialects: a recursive counter; the ids are zero-padded so text order equals number order.
        string id = connection is SqliteConnection
            ? "'seed-member-' || substr('0000000' || i, -7, 7)"
            : "'seed-member-' || lpad(CAST(i AS TEXT), 7, '0')";
        await ExecuteAsync(connection, transaction,
            $"""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
            INSERT INTO group_member (group_id, member_id, member_type, rank, joined_at)
            SELECT @group, {id}, 0, 4, @base + i FROM n
            """,
            [("count", count), ("group", group), ("base", baseTime)],
            ct);
        await transaction.CommitAsync(ct);
        if (connection is NpgsqlConnection)
        {
            await ExecuteAsync(connection, null, "ANALYZE group_member", [], ct); // fresh statistics, as autovacuum would make them
        }

        return baseTime;
    }

    /// <summary>How many keys <paramref name="member"/> holds in <paramref name="group"/> (the invite check).</summary>
    public static async Task<long> MemberKeyCountAsync(DbConnection connection, string group, string member, CancellationToken ct) =>
        Convert.ToInt64(
            await ScalarAsync(connection, null, "SELECT COUNT(*) FROM member_key WHERE group_id = @group AND member_id = @member",
                [("group", group), ("member", member)], ct),
            System.Globalization.CultureInfo.InvariantCulture);

    private static async Task ExecuteAsync(
        DbConnection connection, DbTransaction? transaction, string sql, (string Name, object Value)[] parameters, CancellationToken ct)
    {
        await using DbCommand command = Command(connection, transaction, sql, parameters);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(
        DbConnection connection, DbTransaction? transaction, string sql, (string Name, object Value)[] parameters, CancellationToken ct)
    {
        await using DbCommand command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteScalarAsync(ct);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object Value)[] parameters)
    {
        DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach ((string name, object value) in parameters)
        {
            DbParameter parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
