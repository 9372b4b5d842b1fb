using System.Data.Common;
using Coffer.Protocol.Groups;
using Coffer.Protocol.Users;
using Coffer.Server.Data;
using Dapper;

namespace Coffer.Server.Features.Login;

/// <summary>A registered device found by its identifier, with what the login needs (password check, keys, MFA).</summary>
public sealed class LoginDevice
{
    public string DeviceId { get; set; } = "";

    public string UserId { get; set; } = "";

    public string UserGroupId { get; set; } = "";

    public string HashedAuthKey { get; set; } = "";

    public string EncryptedMasterKey { get; set; } = "";

    public string EncryptedPrivateKey { get; set; } = "";

    public string PublicKey { get; set; } = "";

    public string KeypairEncryptAlg { get; set; } = "";

    public string EncryptedSignKey { get; set; } = "";

    public string VerifyKey { get; set; } = "";

    public string KeypairSignAlg { get; set; } = "";

    public string? OtpSecretEnc { get; set; }

    public DeviceKeys ToDeviceKeys() => new(
        EncryptedMasterKey, EncryptedPrivateKey, PublicKey, KeypairEncryptAlg, EncryptedSignKey, VerifyKey, KeypairSignAlg,
        KeypairEncryptId: DeviceId, KeypairSignId: DeviceId, UserId, DeviceId, UserGroupId);

    public VerifyLoginForcedEntity ToForcedEntity() => new(
        DeviceId, UserId, UserGroupId, EncryptedMasterKey, EncryptedPrivateKey, PublicKey, KeypairEncryptAlg, EncryptedSignKey,
        VerifyKey, KeypairSignAlg);
}

/// <summary>SQL of the login (api.md §4.1, §2.4): challenges, recovery-code use, HMAC keys, the attempt counter, forced actions.</summary>
public sealed class LoginStore(Database db, TimeProvider time)
{
    /// <summary>The registered (not pending) device with this identifier, with its user's group and TOTP secret.</summary>
    public async Task<LoginDevice?> FindDeviceAsync(AppId app, string identifierHash, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<LoginDevice>(new CommandDefinition(
            """
            SELECT d.id AS DeviceId, u.id AS UserId, COALESCE(u.user_group_id, '') AS UserGroupId, d.hashed_auth_key AS HashedAuthKey,
                   d.encrypted_master_key AS EncryptedMasterKey, d.encrypted_private_key AS EncryptedPrivateKey,
                   d.public_key AS PublicKey, d.keypair_encrypt_alg AS KeypairEncryptAlg, d.encrypted_sign_key AS EncryptedSignKey,
                   d.verify_key AS VerifyKey, d.keypair_sign_alg AS KeypairSignAlg, u.otp_secret_enc AS OtpSecretEnc
            FROM device d
            JOIN app_user u ON u.id = d.user_id AND u.app_id = @app
            WHERE d.app_id = @app AND d.identifier_hash = @hash
            """,
            new { app = app.Value, hash = identifierHash }, cancellationToken: ct));
    }

    /// <summary>The user id of the registered device with this identifier (forced actions).</summary>
    public async Task<string?> FindUserAsync(AppId app, string identifierHash, CancellationToken ct) =>
        (await FindDeviceAsync(app, identifierHash, ct))?.UserId;

    public async Task<bool> UserExistsAsync(AppId app, string user, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM app_user WHERE id = @user AND app_id = @app", new { app = app.Value, user }, cancellationToken: ct)) > 0;
    }

    /// <summary>Stores a new challenge (its hash) for the device; expired challenges of the device go at the same time.</summary>
    public Task AddChallengeAsync(string device, string challengeHash, CancellationToken ct)
    {
        long now = Now();
        return db.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(
                "DELETE FROM login_challenge WHERE device_id = @device AND created_at < @cutoff",
                new { device, cutoff = now - (long)LoginRules.ChallengeLifetime.TotalMilliseconds }, transaction);
            await connection.ExecuteAsync(
                "INSERT INTO login_challenge (device_id, challenge_hash, created_at) VALUES (@device, @hash, @now)",
                new { device, hash = challengeHash, now }, transaction);
            return 0;
        }, ct);
    }

    /// <summary>
    /// Uses the challenge: true when (device, challenge) exists and is younger than 10 minutes; then all challenges of
    /// the device are deleted. The delete decides, so two concurrent verifies cannot both use one challenge.
    /// </summary>
    public Task<bool> UseChallengeAsync(string device, string challengeHash, CancellationToken ct)
    {
        long now = Now();
        return db.InTransactionAsync(async (connection, transaction) =>
        {
            int used = await connection.ExecuteAsync(
                "DELETE FROM login_challenge WHERE device_id = @device AND challenge_hash = @hash AND created_at >= @cutoff",
                new { device, hash = challengeHash, cutoff = now - (long)LoginRules.ChallengeLifetime.TotalMilliseconds }, transaction);
            if (used == 1)
            {
                await connection.ExecuteAsync("DELETE FROM login_challenge WHERE device_id = @device", new { device }, transaction);
            }

            return used == 1;
        }, ct);
    }

    /// <summary>Deletes the recovery code if the user has it: true once per code (single use, decided by the DELETE).</summary>
    public async Task<bool> UseRecoveryCodeAsync(string user, string codeHash, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM otp_recovery_code WHERE user_id = @user AND code_hash = @hash",
            new { user, hash = codeHash }, cancellationToken: ct)) == 1;
    }

    /// <summary>First page (50, newest first) of the HMAC keys of the user group.</summary>
    public async Task<IReadOnlyList<GroupHmacData>> HmacKeysAsync(string userGroup, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        IEnumerable<HmacRow> rows = await connection.QueryAsync<HmacRow>(new CommandDefinition(
            """
            SELECT id AS Id, encrypted_key AS EncryptedKey, alg AS Alg, encryption_key_id AS EncryptionKeyId, created_at AS CreatedAt
            FROM group_search_key WHERE group_id = @group AND kind = 'hmac'
            ORDER BY created_at DESC, id ASC
            LIMIT 50
            """,
            new { group = userGroup }, cancellationToken: ct));
        return [.. rows.Select(r => new GroupHmacData(r.Id, r.EncryptedKey, r.Alg, r.EncryptionKeyId, r.CreatedAt))];
    }

    /// <summary>DELETE /user/forced/sessions: all refresh tokens of all devices of the user.</summary>
    public async Task DeleteSessionsAsync(AppId app, string user, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM refresh_token WHERE app_id = @app AND device_id IN (SELECT id FROM device WHERE user_id = @user AND app_id = @app)",
            new { app = app.Value, user }, cancellationToken: ct));
    }

    /// <summary>
    /// Counts one login attempt in the fixed window of each bucket and answers the new counts. The upsert is one
    /// statement per bucket, so concurrent attempts (also on other nodes) are all counted. Old windows are pruned.
    /// </summary>
    public Task<IReadOnlyList<long>> CountAttemptAsync(IReadOnlyList<string> buckets, long windowStart, CancellationToken ct) =>
        db.InTransactionAsync<IReadOnlyList<long>>(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(
                "DELETE FROM login_attempt WHERE window_start < @windowStart", new { windowStart }, transaction);
            var counts = new List<long>(buckets.Count);
            foreach (string bucket in buckets)
            {
                counts.Add(await connection.ExecuteScalarAsync<long>(
                    """
                    INSERT INTO login_attempt (bucket, window_start, attempts) VALUES (@bucket, @windowStart, 1)
                    ON CONFLICT (bucket, window_start) DO UPDATE SET attempts = login_attempt.attempts + 1
                    RETURNING attempts
                    """,
                    new { bucket, windowStart }, transaction));
            }

            return counts;
        }, ct);

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private sealed class HmacRow
    {
        public string Id { get; set; } = "";

        public string EncryptedKey { get; set; } = "";

        public string Alg { get; set; } = "";

        public string EncryptionKeyId { get; set; } = "";

        public long CreatedAt { get; set; }
    }
}
