using System.Data.Common;
using Coffer.Protocol;
using Coffer.Protocol.Groups;
using Coffer.Server.Data;
using Coffer.Server.Features.Groups;
using Dapper;

namespace Coffer.Server.Features.Rotation;

/// <summary>A use case's answer: a value or the protocol error to send.</summary>
public readonly record struct Outcome<T>(T? Value, ProtocolError? Error)
    where T : class
{
    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(ProtocolError error) => new(null, error);
}

/// <summary>
/// SQL of key rotation (api.md §6): start (new key, the invoker's copy and the durable job in one transaction), the
/// member's pending rotations, finish, and the progress of a job. The fan-out itself is <see cref="RotationFanOut"/>.
/// </summary>
public sealed class RotationStore(Database database, TimeProvider clock)
{
    /// <summary>Group rotation (§6.1): rank and monthly cap checked inside the serializable transaction.</summary>
    public Task<Outcome<KeyRotationStartServerOutput>> StartGroupRotationAsync(
        AppId app, string group, string user, string? memberGroup, KeyRotationData data, CancellationToken ct) =>
        database.InSerializableTransactionAsync<Outcome<KeyRotationStartServerOutput>>(async (connection, transaction) =>
        {
            GroupAccess? access = (await GroupAccessResolver.ResolveAsync(connection, transaction, app, group, user, memberGroup, ct)).Access;
            if (access is null)
            {
                return ProtocolError.GroupAccess;
            }

            AppRotationLimits limits = await connection.QuerySingleAsync<AppRotationLimits>(new CommandDefinition(
                "SELECT max_key_rotation_month AS MaxPerMonth, min_rank_key_rotation AS MinRank FROM app WHERE id = @app",
                new { app = app.Value }, transaction, cancellationToken: ct));
            if (!access.AtLeast(limits.MinRank))
            {
                return ProtocolError.GroupUserRank;
            }

            DateTimeOffset now = clock.GetUtcNow();
            long startedThisMonth = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM rotation_job WHERE group_id = @group AND started_at >= @monthStart",
                new { group, monthStart = RotationRules.MonthStart(now) }, transaction, cancellationToken: ct));
            if (startedThisMonth >= limits.MaxPerMonth)
            {
                return ProtocolError.GroupKeyRotationLimit;
            }

            if (RotationRules.CheckIds(data) is ProtocolError idError)
            {
                return idError;
            }

            string key = await InsertRotationAsync(connection, transaction, app, group, access.Member, userGroupOwner: null, data, now, ct);
            return new KeyRotationStartServerOutput(group, key);
        }, ct);

    /// <summary>User key rotation (§4.3): the caller's user group, the calling device as member, no rank or cap.</summary>
    public Task<Outcome<KeyRotationStartServerOutput>> StartUserRotationAsync(
        AppId app, UserId user, DeviceId device, KeyRotationData data, CancellationToken ct) =>
        database.InSerializableTransactionAsync<Outcome<KeyRotationStartServerOutput>>(async (connection, transaction) =>
        {
            string? group = await UserGroupOfDeviceAsync(connection, transaction, app, user, device, ct);
            if (group is null)
            {
                return ProtocolError.UserNotFound;
            }

            string key = await InsertRotationAsync(
                connection, transaction, app, group, device.Value, userGroupOwner: user.Value, data, clock.GetUtcNow(), ct);
            return new KeyRotationStartServerOutput(group, key);
        }, ct);

    /// <summary>The pending rotations of member <paramref name="member"/> in <paramref name="group"/>, oldest key first (§6.3).</summary>
    public async Task<IReadOnlyList<KeyRotationInput>> PendingAsync(string group, string member, CancellationToken ct)
    {
        await using DbConnection connection = await database.OpenAsync(ct);
        IEnumerable<PendingRow> rows = await connection.QueryAsync<PendingRow>(new CommandDefinition(
            """
            SELECT p.error AS Error, p.encrypted_ephemeral_key AS EncryptedEphemeralKey,
                   gk.encrypted_group_key_by_eph_key AS EncryptedGroupKeyByEphemeral, gk.ephemeral_alg AS EphemeralAlg,
                   p.encrypted_by_key_id AS EncryptedByKeyId, gk.previous_group_key_id AS PreviousGroupKeyId,
                   gk.created_at AS Time, gk.id AS KeyId
            FROM rotation_pending p
            JOIN group_key gk ON gk.id = p.key_id
            WHERE p.group_id = @group AND p.member_id = @member
            ORDER BY gk.created_at, gk.id
            """,
            new { group, member }, cancellationToken: ct));
        return [.. rows.Select(r => new KeyRotationInput(
            r.Error, r.EncryptedEphemeralKey, r.EncryptedGroupKeyByEphemeral ?? "", r.EphemeralAlg ?? "", r.EncryptedByKeyId,
            r.PreviousGroupKeyId ?? "", r.Time, r.KeyId))];
    }

    /// <summary>The calling device's pending user-key rotations (§4.3).</summary>
    public async Task<IReadOnlyList<KeyRotationInput>?> UserPendingAsync(AppId app, UserId user, DeviceId device, CancellationToken ct)
    {
        string? group;
        await using (DbConnection connection = await database.OpenAsync(ct))
        {
            group = await UserGroupOfDeviceAsync(connection, null, app, user, device, ct);
        }

        return group is null ? null : await PendingAsync(group, device.Value, ct);
    }

    /// <summary>
    /// Finish of one member (§6.3): the key must belong to the group (304, §8 #19); the member's copy is inserted if
    /// absent and the pending row deleted, so a repeated call changes nothing. Access is resolved again inside.
    /// </summary>
    public Task<ProtocolError?> FinishGroupRotationAsync(
        AppId app, string group, string user, string? memberGroup, string key, DoneKeyRotationData data, CancellationToken ct) =>
        database.InSerializableTransactionAsync(async (connection, transaction) =>
        {
            GroupAccess? access = (await GroupAccessResolver.ResolveAsync(connection, transaction, app, group, user, memberGroup, ct)).Access;
            return access is null
                ? ProtocolError.GroupAccess
                : await FinishAsync(connection, transaction, group, access.Member, key, data, ct);
        }, ct);

    public Task<ProtocolError?> FinishUserRotationAsync(AppId app, UserId user, DeviceId device, string key, DoneKeyRotationData data, CancellationToken ct) =>
        database.InSerializableTransactionAsync(async (connection, transaction) =>
        {
            string? group = await UserGroupOfDeviceAsync(connection, transaction, app, user, device, ct);
            return group is null
                ? ProtocolError.UserNotFound
                : await FinishAsync(connection, transaction, group, device.Value, key, data, ct);
        }, ct);

    /// <summary>The fan-out state of rotation <paramref name="key"/> of <paramref name="group"/>; null when there is none.</summary>
    public async Task<KeyRotationProgress?> ProgressAsync(string group, string key, CancellationToken ct)
    {
        await using DbConnection connection = await database.OpenAsync(ct);
        ProgressRow? row = await connection.QuerySingleOrDefaultAsync<ProgressRow>(new CommandDefinition(
            """
            SELECT key_id AS KeyId, group_id AS GroupId, status AS Status, processed AS Processed, total AS Total,
                   started_at AS StartedAt, finished_at AS FinishedAt
            FROM rotation_job WHERE key_id = @key AND group_id = @group
            """,
            new { group, key }, cancellationToken: ct));
        return row?.ToProgress();
    }

    public async Task<KeyRotationProgress?> UserProgressAsync(AppId app, UserId user, DeviceId device, string key, CancellationToken ct)
    {
        string? group;
        await using (DbConnection connection = await database.OpenAsync(ct))
        {
            group = await UserGroupOfDeviceAsync(connection, null, app, user, device, ct);
        }

        return group is null ? null : await ProgressAsync(group, key, ct);
    }

    /// <summary>
    /// §6.1 step 4: the new key K (newest key of the group from now on), the invoker's member-key row, and the job. The
    /// job's total is the number of other members now; newcomers raise it while the fan-out runs.
    /// </summary>
    private static async Task<string> InsertRotationAsync(
        DbConnection connection, DbTransaction transaction, AppId app, string group, string invoker, string? userGroupOwner,
        KeyRotationData data, DateTimeOffset at, CancellationToken ct)
    {
        string key = NewId.Uuid();
        long now = at.ToUnixTimeMilliseconds();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO group_key (id, group_id, app_id, created_at, group_key_alg, keypair_encrypt_alg, public_key,
                encrypted_private_key, keypair_sign_alg, verify_key, encrypted_sign_key, public_key_sig, public_key_sig_key_id,
                signed_by_user_id, signed_by_user_sign_key_id, group_key_sig, previous_group_key_id, ephemeral_alg,
                encrypted_group_key_by_eph_key, encrypted_ephemeral_key)
            VALUES (@key, @group, @app, @now, @GroupKeyAlg, @KeypairEncryptAlg, @PublicGroupKey,
                @EncryptedPrivateGroupKey, @KeypairSignAlg, @VerifyKey, @EncryptedSignKey, @PublicKeySig, @key,
                @SignedByUserId, @SignedByUserSignKeyId, @GroupKeySig, @PreviousGroupKeyId, @EphemeralAlg,
                @EncryptedGroupKeyByEphemeral, @EncryptedEphemeralKey)
            """,
            new
            {
                key, group, app = app.Value, now,
                data.GroupKeyAlg, data.KeypairEncryptAlg, data.PublicGroupKey, data.EncryptedPrivateGroupKey,
                data.KeypairSignAlg, data.VerifyKey, data.EncryptedSignKey, data.PublicKeySig,
                data.SignedByUserId, data.SignedByUserSignKeyId, data.GroupKeySig, data.PreviousGroupKeyId, data.EphemeralAlg,
                data.EncryptedGroupKeyByEphemeral, data.EncryptedEphemeralKey,
            },
            transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO member_key (key_id, member_id, group_id, encrypted_group_key, encrypted_alg, encrypted_by_key_id, created_at)
            VALUES (@key, @invoker, @group, @EncryptedGroupKeyByUser, @EncryptedGroupKeyAlg, @InvokerPublicKeyId, @now)
            """,
            new { key, invoker, group, data.EncryptedGroupKeyByUser, data.EncryptedGroupKeyAlg, data.InvokerPublicKeyId, now },
            transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE grp SET current_key_id = @key WHERE id = @group", new { key, group }, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO rotation_job (key_id, group_id, app_id, user_group_owner_id, status, cursor_joined_at, cursor_member_id,
                processed, total, claimed_by, claimed_until, started_at, finished_at)
            VALUES (@key, @group, @app, @userGroupOwner, @status, NULL, NULL, 0,
                (SELECT COUNT(*) FROM group_member WHERE group_id = @group AND member_id <> @invoker), NULL, NULL, @now, NULL)
            """,
            new { key, group, app = app.Value, userGroupOwner, status = (int)RotationStatus.Pending, invoker, now },
            transaction, cancellationToken: ct));
        return key;
    }

    private async Task<ProtocolError?> FinishAsync(
        DbConnection connection, DbTransaction transaction, string group, string member, string key, DoneKeyRotationData data, CancellationToken ct)
    {
        bool keyOfGroup = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM group_key WHERE id = @key AND group_id = @group", new { key, group }, transaction, cancellationToken: ct)) > 0;
        if (!keyOfGroup)
        {
            return ProtocolError.GroupKeyNotFound;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO member_key (key_id, member_id, group_id, encrypted_group_key, encrypted_alg, encrypted_by_key_id, created_at)
            VALUES (@key, @member, @group, @EncryptedNewGroupKey, @EncryptedAlg, @PublicKeyId, @now)
            ON CONFLICT (key_id, member_id) DO NOTHING
            """,
            new { key, member, group, data.EncryptedNewGroupKey, data.EncryptedAlg, data.PublicKeyId, now = clock.GetUtcNow().ToUnixTimeMilliseconds() },
            transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM rotation_pending WHERE key_id = @key AND member_id = @member", new { key, member }, transaction, cancellationToken: ct));
        return null;
    }

    /// <summary>The user group of <paramref name="user"/> when <paramref name="device"/> is one of its members.</summary>
    private static Task<string?> UserGroupOfDeviceAsync(
        DbConnection connection, DbTransaction? transaction, AppId app, UserId user, DeviceId device, CancellationToken ct) =>
        connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            """
            SELECT u.user_group_id FROM app_user u
            JOIN group_member m ON m.group_id = u.user_group_id AND m.member_id = @device
            WHERE u.id = @user AND u.app_id = @app
            """,
            new { app = app.Value, user = user.Value, device = device.Value }, transaction, cancellationToken: ct));

    // Dapper row types: classes with setters convert SQLite's Int64 (see AppStore).
    private sealed class AppRotationLimits
    {
        public int MaxPerMonth { get; set; }

        public int MinRank { get; set; }
    }

    private sealed class PendingRow
    {
        public string? Error { get; set; }

        public string EncryptedEphemeralKey { get; set; } = "";

        public string? EncryptedGroupKeyByEphemeral { get; set; }

        public string? EphemeralAlg { get; set; }

        public string EncryptedByKeyId { get; set; } = "";

        public string? PreviousGroupKeyId { get; set; }

        public long Time { get; set; }

        public string KeyId { get; set; } = "";
    }

    private sealed class ProgressRow
    {
        public string KeyId { get; set; } = "";

        public string GroupId { get; set; } = "";

        public int Status { get; set; }

        public long Processed { get; set; }

        public long? Total { get; set; }

        public long StartedAt { get; set; }

        public long? FinishedAt { get; set; }

        public KeyRotationProgress ToProgress() => new(
            KeyId, GroupId, Math.Max(Total ?? 0, Processed), Processed, StartedAt, FinishedAt,
            (RotationStatus)Status switch
            {
                RotationStatus.Pending => KeyRotationProgress.Pending,
                RotationStatus.Running => KeyRotationProgress.Running,
                _ => KeyRotationProgress.FinishedStatus,
            });
    }
}

/// <summary><c>rotation_job.status</c>.</summary>
public enum RotationStatus
{
    Pending = 0,
    Running = 1,
    Finished = 2,
}
