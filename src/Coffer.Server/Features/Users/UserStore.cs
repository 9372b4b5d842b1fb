using System.Data.Common;
using System.Security.Cryptography;
using Coffer.Protocol;
using Coffer.Protocol.Groups;
using Coffer.Protocol.Keys;
using Coffer.Protocol.Users;
using Coffer.Server.Data;
using Coffer.Server.Features.Groups;
using Dapper;

namespace Coffer.Server.Features.Users;

public enum JwtSubject
{
    Found,
    UserNotFound,
    DeviceNotFound,
}

public enum DeleteDeviceOutcome
{
    Deleted,
    NotFound,
    LastDevice,
}

public sealed record LoginData(string ClientRandomValue, string DerivedAlg);

public enum PasswordChangeOutcome
{
    Changed,
    AuthKeyFormat,
    WrongAuthKey,
}

/// <summary>Outcome of adding keys for a device to the user group: done (with the session id, if one was opened) or why not.</summary>
public sealed record DeviceKeysOutcome(ProtocolError? Error, string? SessionId = null);

/// <summary>SQL of the users feature: users, devices, user keys, refresh tokens. Every statement is scoped by app.</summary>
public sealed class UserStore(Database db, TimeProvider time)
{
    private const string GroupKeyColumns =
        """
        mk.encrypted_group_key AS EncryptedGroupKey, gk.group_key_alg AS GroupKeyAlg, gk.id AS Id,
        gk.encrypted_private_key AS EncryptedPrivateKey, gk.public_key AS PublicKey, gk.keypair_encrypt_alg AS KeypairEncryptAlg,
        mk.encrypted_by_key_id AS EncryptedByKeyId, gk.created_at AS CreatedAt, gk.signed_by_user_id AS SignedByUserId,
        gk.signed_by_user_sign_key_id AS SignedByUserSignKeyId, gk.group_key_sig AS GroupKeySig,
        gk.encrypted_sign_key AS EncryptedSignKey, gk.verify_key AS VerifyKey, gk.keypair_sign_alg AS KeypairSignAlg,
        gk.public_key_sig AS PublicKeySig
        """;

    /// <summary>
    /// Whether the JWT's user (<c>@jwtUser</c>) is a user of the app <paramref name="app"/> (an SQL expression) and its
    /// device (<c>@jwtDevice</c>) one of the user's devices: one row with the device's user id, "" for an unknown device,
    /// no row for an unknown user. Run by <see cref="Auth.RequestLookup"/> in the request's batch.
    /// </summary>
    internal static string JwtSubjectSql(string app) =>
        $"""
        SELECT COALESCE(d.user_id, '') FROM app_user u
        LEFT JOIN device d ON d.id = @jwtDevice AND d.user_id = u.id
        WHERE u.id = @jwtUser AND u.app_id = {app}
        """;

    internal static async Task<JwtSubject> ReadJwtSubjectAsync(SqlMapper.GridReader grid) =>
        await grid.ReadSingleOrDefaultAsync<string?>() switch
        {
            null => JwtSubject.UserNotFound,
            "" => JwtSubject.DeviceNotFound,
            _ => JwtSubject.Found,
        };

    /// <summary>UF as a statement of the request's batch: the number of users <c>@user</c> of the app <paramref name="app"/> (0 or 1).</summary>
    internal static string UserExistsSql(string app) => $"SELECT COUNT(*) FROM app_user WHERE id = @user AND app_id = {app}";

    /// <summary>UF (api.md §4): the user id is a user of this app.</summary>
    public async Task<bool> UserExistsAsync(AppId app, string user, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            UserExistsSql("@app"), new { app = app.Value, user }, cancellationToken: ct)) > 0;
    }

    /// <summary>
    /// True when a device of the app (registered, or pending and not expired) has this identifier. An expired pending
    /// registration of the identifier is deleted here, so that register / prepare_register_device can reuse it.
    /// </summary>
    public async Task<bool> IdentifierInUseAsync(AppId app, string identifierHash, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM device WHERE app_id = @app AND identifier_hash = @hash AND user_id IS NULL AND created_at < @cutoff",
            new { app = app.Value, hash = identifierHash, cutoff = PendingCutoff() }, cancellationToken: ct));
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM device WHERE app_id = @app AND identifier_hash = @hash",
            new { app = app.Value, hash = identifierHash }, cancellationToken: ct)) > 0;
    }

    /// <summary>
    /// Creates user, device and user group in one transaction (§4.1 register; §4.19 register_light when
    /// <paramref name="userGroup"/> is null: a user group without keys). Null when the identifier is taken (also when
    /// another request took it in the meantime: the unique index decides).
    /// </summary>
    public async Task<(UserId User, DeviceId Device)?> RegisterAsync(
        AppId app, UserDeviceRegisterInput input, CreateData? userGroup, string identifierHash, CancellationToken ct)
    {
        var user = new UserId(NewId.Uuid());
        var device = new DeviceId(NewId.Uuid());
        long now = Now();
        try
        {
            await db.InTransactionAsync(async (connection, transaction) =>
            {
                // The device is the creator member of the user group, and its public key (id = device id) encrypts the
                // first user key: the client's creator_public_key_id ("non_registered") is overwritten.
                GroupId group = userGroup is null
                    ? await GroupStore.CreateLightAsync(connection, transaction, app, GroupKind.User, device.Value, now)
                    : (await GroupStore.CreateAsync(connection, transaction, app, GroupKind.User, userGroup, device.Value, device.Value, now)).Group;
                await connection.ExecuteAsync(
                    "INSERT INTO app_user (id, app_id, user_group_id, created_at) VALUES (@user, @app, @group, @now)",
                    new { user = user.Value, app = app.Value, group = group.Value, now }, transaction);
                await InsertDeviceAsync(connection, transaction, app, device, user, identifierHash, input, now);
                return 0;
            }, ct);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return null;
        }

        return (user, device);
    }

    /// <summary>
    /// PUT /user/reset_pw_light (§4.15): new password data, master key and device key pairs for the registered device
    /// with this identifier, only if its user is a light user (a user group without keys; a full user's devices hold
    /// copies of the user keys encrypted for their key pairs, which a reset would orphan). The device keys are
    /// replaced too because the client wraps them with the new master key: the old wrapped keys cannot be opened any
    /// more. One statement, the light-user predicate inside it. False when no light user has the identifier.
    /// </summary>
    public async Task<bool> ResetPasswordLightAsync(AppId app, UserDeviceRegisterInput input, string identifierHash, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE device SET client_random_value = @ClientRandomValue, derived_alg = @DerivedAlg,
                hashed_auth_key = @HashedAuthenticationKey, master_key_alg = @MasterKeyAlg,
                encrypted_master_key = @EncryptedMasterKey, encrypted_master_key_alg = @EncryptedMasterKeyAlg,
                public_key = @PublicKey, encrypted_private_key = @EncryptedPrivateKey, keypair_encrypt_alg = @KeypairEncryptAlg,
                verify_key = @VerifyKey, encrypted_sign_key = @EncryptedSignKey, keypair_sign_alg = @KeypairSignAlg
            WHERE app_id = @app AND identifier_hash = @hash AND user_id IN (
                SELECT u.id FROM app_user u
                WHERE u.app_id = @app AND NOT EXISTS (SELECT 1 FROM group_key gk WHERE gk.group_id = u.user_group_id))
            """,
            DeviceParameters(input, new { app = app.Value, hash = identifierHash }),
            cancellationToken: ct)) == 1;
    }

    /// <summary>
    /// PUT /user/forced/reset_user (§4.15): the user with the device identifier loses all devices (their tokens and
    /// challenges by cascade) and its user group; the new device and a new user group (device as creator) replace
    /// them, in one transaction. Memberships in other groups keep the user id. False when no user has the identifier.
    /// </summary>
    public Task<bool> ResetUserAsync(AppId app, RegisterData data, string identifierHash, CancellationToken ct) =>
        db.InTransactionAsync(async (connection, transaction) =>
        {
            string? user = await connection.QuerySingleOrDefaultAsync<string>(
                "SELECT user_id FROM device WHERE app_id = @app AND identifier_hash = @hash AND user_id IS NOT NULL",
                new { app = app.Value, hash = identifierHash }, transaction);
            if (user is null)
            {
                return false;
            }

            long now = Now();
            var device = new DeviceId(NewId.Uuid());
            await connection.ExecuteAsync(
                """
                DELETE FROM grp WHERE id = (SELECT user_group_id FROM app_user WHERE id = @user AND app_id = @app);
                DELETE FROM device WHERE user_id = @user AND app_id = @app;
                """,
                new { app = app.Value, user }, transaction);
            GroupStore.CreatedGroup group = await GroupStore.CreateAsync(
                connection, transaction, app, GroupKind.User, data.Group, device.Value, device.Value, now);
            await connection.ExecuteAsync(
                "UPDATE app_user SET user_group_id = @group WHERE id = @user AND app_id = @app",
                new { app = app.Value, user, group = group.Group.Value }, transaction);
            await InsertDeviceAsync(connection, transaction, app, device, new UserId(user), identifierHash, data.Device, now);
            return true;
        }, ct);

    /// <summary>Password data of the registered (not pending) device with this identifier.</summary>
    public async Task<LoginData?> FindLoginDataAsync(AppId app, string identifierHash, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        LoginRow? row = await connection.QuerySingleOrDefaultAsync<LoginRow>(new CommandDefinition(
            """
            SELECT client_random_value AS ClientRandomValue, derived_alg AS DerivedAlg FROM device
            WHERE app_id = @app AND identifier_hash = @hash AND user_id IS NOT NULL
            """,
            new { app = app.Value, hash = identifierHash }, cancellationToken: ct));
        return row is null ? null : new LoginData(row.ClientRandomValue, row.DerivedAlg);
    }

    public async Task<IReadOnlyList<DeviceListItem>> ListDevicesAsync(
        AppId app, UserId user, long lastTime, string lastId, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        IEnumerable<DeviceRow> rows = await connection.QueryAsync<DeviceRow>(new CommandDefinition(
            """
            SELECT id AS Id, created_at AS CreatedAt, identifier_hash AS IdentifierHash FROM device
            WHERE app_id = @app AND user_id = @user
              AND (@lastTime = 0 OR created_at > @lastTime OR (created_at = @lastTime AND id > @lastId))
            ORDER BY created_at ASC, id ASC
            LIMIT 50
            """,
            new { app = app.Value, user = user.Value, lastTime, lastId }, cancellationToken: ct));
        return rows.Select(r => new DeviceListItem(r.Id, r.CreatedAt, r.IdentifierHash)).ToList();
    }

    /// <summary>
    /// Deletes a device of the user unless it is the last one (the count is inside the DELETE, so two concurrent
    /// deletes cannot remove both of the last two devices), then its user-group membership and keys (§8 #4).
    /// Refresh tokens and challenges go by cascade.
    /// </summary>
    public Task<DeleteDeviceOutcome> DeleteDeviceAsync(AppId app, UserId user, DeviceId device, CancellationToken ct) =>
        db.InTransactionAsync(async (connection, transaction) =>
        {
            var args = new { app = app.Value, user = user.Value, device = device.Value };
            int deleted = await connection.ExecuteAsync(
                """
                DELETE FROM device WHERE id = @device AND user_id = @user AND app_id = @app
                  AND (SELECT COUNT(*) FROM device WHERE user_id = @user) > 1
                """,
                args, transaction);
            if (deleted == 0)
            {
                long own = await connection.ExecuteScalarAsync<long>(
                    "SELECT COUNT(*) FROM device WHERE id = @device AND user_id = @user AND app_id = @app", args, transaction);
                return own == 0 ? DeleteDeviceOutcome.NotFound : DeleteDeviceOutcome.LastDevice;
            }

            await connection.ExecuteAsync(
                """
                DELETE FROM member_key WHERE member_id = @device
                  AND group_id = (SELECT user_group_id FROM app_user WHERE id = @user AND app_id = @app);
                DELETE FROM group_member WHERE member_id = @device
                  AND group_id = (SELECT user_group_id FROM app_user WHERE id = @user AND app_id = @app);
                DELETE FROM rotation_pending WHERE member_id = @device
                  AND group_id = (SELECT user_group_id FROM app_user WHERE id = @user AND app_id = @app);
                """,
                args, transaction);
            return DeleteDeviceOutcome.Deleted;
        }, ct);

    /// <summary>User-group key <paramref name="key"/> as the calling device sees it.</summary>
    public async Task<GroupKeyServerOutput?> UserKeyAsync(AppId app, UserId user, DeviceId device, string key, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        GroupKeyRow? row = await connection.QuerySingleOrDefaultAsync<GroupKeyRow>(new CommandDefinition(
            $"""
            SELECT {GroupKeyColumns}
            FROM app_user u
            JOIN group_key gk ON gk.group_id = u.user_group_id
            JOIN member_key mk ON mk.key_id = gk.id AND mk.member_id = @device
            WHERE u.id = @user AND u.app_id = @app AND gk.id = @key
            """,
            new { app = app.Value, user = user.Value, device = device.Value, key }, cancellationToken: ct));
        return row?.ToOutput();
    }

    /// <summary>The calling device's user keys, newest first, 50 per page (§1.8).</summary>
    public async Task<IReadOnlyList<GroupKeyServerOutput>> UserKeysAsync(
        AppId app, UserId user, DeviceId device, long lastTime, string lastId, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        IEnumerable<GroupKeyRow> rows = await connection.QueryAsync<GroupKeyRow>(new CommandDefinition(
            $"""
            SELECT {GroupKeyColumns}
            FROM app_user u
            JOIN group_key gk ON gk.group_id = u.user_group_id
            JOIN member_key mk ON mk.key_id = gk.id AND mk.member_id = @device
            WHERE u.id = @user AND u.app_id = @app
              AND (@lastTime = 0 OR gk.created_at < @lastTime OR (gk.created_at = @lastTime AND gk.id > @lastId))
            ORDER BY gk.created_at DESC, gk.id ASC
            LIMIT 50
            """,
            new { app = app.Value, user = user.Value, device = device.Value, lastTime, lastId }, cancellationToken: ct));
        return rows.Select(r => r.ToOutput()).ToList();
    }

    /// <summary>The user's newest public key (<paramref name="key"/> null) or the public key of user key <paramref name="key"/>.</summary>
    public async Task<UserPublicKeyData?> UserPublicKeyAsync(AppId app, string user, string? key, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        PublicKeyRow? row = await connection.QuerySingleOrDefaultAsync<PublicKeyRow>(new CommandDefinition(
            """
            SELECT gk.id AS Id, gk.public_key AS PublicKey, gk.keypair_encrypt_alg AS Alg, gk.public_key_sig AS Sig,
                   gk.verify_key AS VerifyKey, gk.keypair_sign_alg AS SignAlg
            FROM app_user u
            JOIN grp g ON g.id = u.user_group_id
            JOIN group_key gk ON gk.group_id = g.id AND gk.id = COALESCE(@key, g.current_key_id)
            WHERE u.id = @user AND u.app_id = @app
            """,
            new { app = app.Value, user, key }, cancellationToken: ct));
        return row is null ? null : new UserPublicKeyData(row.Id, row.PublicKey, row.Alg, row.Sig, row.Id);
    }

    public async Task<UserVerifyKeyData?> UserVerifyKeyAsync(AppId app, string user, string key, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        PublicKeyRow? row = await connection.QuerySingleOrDefaultAsync<PublicKeyRow>(new CommandDefinition(
            """
            SELECT gk.id AS Id, gk.public_key AS PublicKey, gk.keypair_encrypt_alg AS Alg, gk.public_key_sig AS Sig,
                   gk.verify_key AS VerifyKey, gk.keypair_sign_alg AS SignAlg
            FROM app_user u
            JOIN group_key gk ON gk.group_id = u.user_group_id AND gk.id = @key
            WHERE u.id = @user AND u.app_id = @app
            """,
            new { app = app.Value, user, key }, cancellationToken: ct));
        return row is { VerifyKey: string verifyKey, SignAlg: string signAlg } ? new UserVerifyKeyData(row.Id, verifyKey, signAlg) : null;
    }

    /// <summary>The newest public key of a normal group of this app (user groups are not reachable as groups, §3).</summary>
    public async Task<UserPublicKeyData?> GroupPublicKeyAsync(AppId app, string group, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        PublicKeyRow? row = await connection.QuerySingleOrDefaultAsync<PublicKeyRow>(new CommandDefinition(
            """
            SELECT gk.id AS Id, gk.public_key AS PublicKey, gk.keypair_encrypt_alg AS Alg, gk.public_key_sig AS Sig,
                   gk.verify_key AS VerifyKey, gk.keypair_sign_alg AS SignAlg
            FROM grp g
            JOIN group_key gk ON gk.id = g.current_key_id
            WHERE g.id = @group AND g.app_id = @app AND g.kind = @kind
            """,
            new { app = app.Value, group, kind = (int)GroupKind.Normal }, cancellationToken: ct));
        return row is null ? null : new UserPublicKeyData(row.Id, row.PublicKey, row.Alg, row.Sig, row.Id);
    }

    /// <summary>Changes the calling device's identifier. False when another device of the app uses it.</summary>
    public async Task<bool> UpdateIdentifierAsync(AppId app, DeviceId device, string identifierHash, CancellationToken ct)
    {
        try
        {
            return await db.InTransactionAsync(async (connection, transaction) =>
            {
                long taken = await connection.ExecuteScalarAsync<long>(
                    "SELECT COUNT(*) FROM device WHERE app_id = @app AND identifier_hash = @hash AND id <> @device",
                    new { app = app.Value, hash = identifierHash, device = device.Value }, transaction);
                if (taken > 0)
                {
                    return false;
                }

                await connection.ExecuteAsync(
                    "UPDATE device SET identifier_hash = @hash WHERE id = @device AND app_id = @app",
                    new { app = app.Value, hash = identifierHash, device = device.Value }, transaction);
                return true;
            }, ct);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes the user: its memberships and keys in all groups (as user and as its devices, §8 #14), pending
    /// invites and join requests, the user group with its keys, the devices (with refresh tokens and challenges)
    /// and OTP data. Groups the user created survive.
    /// </summary>
    public Task DeleteUserAsync(AppId app, UserId user, CancellationToken ct) =>
        db.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(
                """
                DELETE FROM member_key WHERE member_id = @user
                   OR member_id IN (SELECT id FROM device WHERE user_id = @user AND app_id = @app);
                DELETE FROM group_member WHERE member_id = @user
                   OR member_id IN (SELECT id FROM device WHERE user_id = @user AND app_id = @app);
                DELETE FROM rotation_pending WHERE member_id = @user
                   OR member_id IN (SELECT id FROM device WHERE user_id = @user AND app_id = @app);
                DELETE FROM membership_request WHERE member_id = @user;
                DELETE FROM grp WHERE id = (SELECT user_group_id FROM app_user WHERE id = @user AND app_id = @app);
                DELETE FROM app_user WHERE id = @user AND app_id = @app;
                """,
                new { app = app.Value, user = user.Value }, transaction);
            return 0;
        }, ct);

    /// <summary>
    /// PUT /user/update_pw: checks the old auth key against the calling device in constant time, then replaces its
    /// password data. The stored hash is part of the UPDATE predicate, so two concurrent changes cannot both pass.
    /// </summary>
    public Task<PasswordChangeOutcome> ChangePasswordAsync(AppId app, DeviceId device, ChangePasswordData data, CancellationToken ct) =>
        db.InTransactionAsync(async (connection, transaction) =>
        {
            string? stored = await connection.QuerySingleOrDefaultAsync<string>(
                "SELECT hashed_auth_key FROM device WHERE id = @device AND app_id = @app",
                new { app = app.Value, device = device.Value }, transaction);
            bool? matches = UserRules.AuthKeyMatches(data.OldAuthKey, stored);
            if (matches is null)
            {
                return PasswordChangeOutcome.AuthKeyFormat;
            }

            if (matches == false)
            {
                return PasswordChangeOutcome.WrongAuthKey;
            }

            int changed = await connection.ExecuteAsync(
                """
                UPDATE device SET client_random_value = @NewClientRandomValue, hashed_auth_key = @NewHashedAuthenticationKey,
                    encrypted_master_key = @NewEncryptedMasterKey, encrypted_master_key_alg = @NewEncryptedMasterKeyAlg,
                    derived_alg = @NewDerivedAlg
                WHERE id = @device AND app_id = @app AND hashed_auth_key = @stored
                """,
                new
                {
                    app = app.Value, device = device.Value, stored, data.NewClientRandomValue, data.NewHashedAuthenticationKey,
                    data.NewEncryptedMasterKey, data.NewEncryptedMasterKeyAlg, data.NewDerivedAlg,
                },
                transaction);
            return changed == 1 ? PasswordChangeOutcome.Changed : PasswordChangeOutcome.WrongAuthKey;
        }, ct);

    /// <summary>PUT /user/reset_pw: new password data and re-wrapped private keys for the calling device; key pairs stay.</summary>
    public async Task ResetPasswordAsync(AppId app, DeviceId device, ResetPasswordData data, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE device SET client_random_value = @ClientRandomValue, hashed_auth_key = @HashedAuthenticationKey,
                master_key_alg = @MasterKeyAlg, encrypted_master_key = @EncryptedMasterKey,
                encrypted_master_key_alg = @EncryptedMasterKeyAlg, derived_alg = @DerivedAlg,
                encrypted_private_key = @EncryptedPrivateKey, encrypted_sign_key = @EncryptedSignKey
            WHERE id = @device AND app_id = @app
            """,
            new
            {
                app = app.Value, device = device.Value, data.ClientRandomValue, data.HashedAuthenticationKey,
                data.MasterKey.MasterKeyAlg, data.MasterKey.EncryptedMasterKey, data.MasterKey.EncryptedMasterKeyAlg,
                data.DerivedAlg, data.EncryptedPrivateKey, data.EncryptedSignKey,
            },
            cancellationToken: ct));
    }

    /// <summary>
    /// POST /user/prepare_register_device: a pending device (no user yet) with its key data and a registration
    /// token (50 random bytes, base64url; only the hash is stored). Null when the identifier is taken.
    /// </summary>
    public async Task<(DeviceId Device, string Token)?> PrepareDeviceAsync(
        AppId app, UserDeviceRegisterInput input, string identifierHash, CancellationToken ct)
    {
        var device = new DeviceId(NewId.Uuid());
        string token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(50));
        try
        {
            await db.InTransactionAsync(async (connection, transaction) =>
            {
                await InsertDeviceAsync(connection, transaction, app, device, user: null, identifierHash, input, Now());
                await connection.ExecuteAsync(
                    "UPDATE device SET registration_token_hash = @hash WHERE id = @device",
                    new { hash = UserRules.SecretHash(token), device = device.Value }, transaction);
                return 0;
            }, ct);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            return null;
        }

        return (device, token);
    }

    /// <summary>
    /// PUT /user/done_register_device: attaches the pending device of <paramref name="token"/> to the caller's user,
    /// makes it a member of the user group (rank, optional key session) and stores its copies of the user keys.
    /// </summary>
    public async Task<DeviceKeysOutcome> DoneDeviceAsync(
        AppId app, UserId user, string token, GroupKeysForNewMemberServerInput keys, int rank, CancellationToken ct)
    {
        string? sessionId = keys.KeySession ? NewId.Uuid() : null;
        long now = Now();
        return await db.InTransactionAsync(async (connection, transaction) =>
        {
            (string? device, string? group) = await FindPendingDeviceAsync(connection, transaction, app, user, token);
            if (device is null || group is null)
            {
                return new DeviceKeysOutcome(ProtocolError.UserNotFound);
            }

            if (!await AreKeysOfGroupAsync(connection, transaction, group, keys.Keys))
            {
                return new DeviceKeysOutcome(ProtocolError.GroupKeyNotFound);
            }

            if (!await AttachDeviceAsync(connection, transaction, user, device, group, rank, sessionId, now))
            {
                return new DeviceKeysOutcome(ProtocolError.UserNotFound);
            }

            await InsertMemberKeysAsync(connection, transaction, group, device, keys.Keys, now);
            return new DeviceKeysOutcome(null, sessionId);
        }, ct);
    }

    /// <summary>
    /// PUT /user/done_register_device_light (§4.19): attaches the pending device of <paramref name="token"/> to the
    /// caller's light user and makes it a member of the keyless user group. A user whose group has keys must give the
    /// new device its copies of them (the full endpoint): 303.
    /// </summary>
    public Task<ProtocolError?> DoneDeviceLightAsync(AppId app, UserId user, string token, int rank, CancellationToken ct) =>
        db.InTransactionAsync(async (connection, transaction) =>
        {
            (string? device, string? group) = await FindPendingDeviceAsync(connection, transaction, app, user, token);
            if (device is null || group is null)
            {
                return ProtocolError.UserNotFound;
            }

            if (await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM group_key WHERE group_id = @group", new { group }, transaction) > 0)
            {
                return ProtocolError.GroupNoKeys;
            }

            return await AttachDeviceAsync(connection, transaction, user, device, group, rank, sessionId: null, Now())
                ? null
                : ProtocolError.UserNotFound;
        }, ct);

    /// <summary>The unexpired pending device of the registration token and the caller's user group (either may be null).</summary>
    private async Task<(string? Device, string? Group)> FindPendingDeviceAsync(
        DbConnection connection, DbTransaction transaction, AppId app, UserId user, string token)
    {
        string? device = await connection.QuerySingleOrDefaultAsync<string>(
            """
            SELECT id FROM device
            WHERE app_id = @app AND registration_token_hash = @hash AND user_id IS NULL AND created_at >= @cutoff
            """,
            new { app = app.Value, hash = UserRules.SecretHash(token), cutoff = PendingCutoff() }, transaction);
        return (device, await UserGroupAsync(connection, transaction, app, user));
    }

    /// <summary>
    /// Attaches the pending device to the user (the <c>user_id IS NULL</c> predicate makes a concurrent second attach
    /// fail) and adds it to the user group. False when the device was attached in the meantime.
    /// </summary>
    private static async Task<bool> AttachDeviceAsync(
        DbConnection connection, DbTransaction transaction, UserId user, string device, string group, int rank, string? sessionId, long now)
    {
        int attached = await connection.ExecuteAsync(
            "UPDATE device SET user_id = @user, registration_token_hash = NULL WHERE id = @device AND user_id IS NULL",
            new { user = user.Value, device }, transaction);
        if (attached != 1)
        {
            return false;
        }

        await connection.ExecuteAsync(
            """
            INSERT INTO group_member (group_id, member_id, member_type, rank, joined_at, key_session_id, key_session_at)
            VALUES (@group, @device, @type, @rank, @now, @sessionId, @sessionAt)
            """,
            new { group, device, type = (int)MemberType.User, rank, now, sessionId, sessionAt = sessionId is null ? (long?)null : now },
            transaction);
        return true;
    }

    /// <summary>PUT /user/user_keys/session/:sid: more user keys for the device whose user-group membership holds the session.</summary>
    public Task<DeviceKeysOutcome> AddSessionKeysAsync(
        AppId app, UserId user, string sessionId, IReadOnlyList<GroupKeysForNewMember> keys, CancellationToken ct) =>
        db.InTransactionAsync(async (connection, transaction) =>
        {
            string? group = await UserGroupAsync(connection, transaction, app, user);
            string? member = group is null ? null : await connection.QuerySingleOrDefaultAsync<string>(
                "SELECT member_id FROM group_member WHERE key_session_id = @sessionId AND group_id = @group",
                new { sessionId, group }, transaction);
            if (member is null)
            {
                return new DeviceKeysOutcome(ProtocolError.GroupKeySession);
            }

            if (!await AreKeysOfGroupAsync(connection, transaction, group!, keys))
            {
                return new DeviceKeysOutcome(ProtocolError.GroupKeyNotFound);
            }

            await InsertMemberKeysAsync(connection, transaction, group!, member, keys, Now());
            return new DeviceKeysOutcome(null);
        }, ct);

    private static Task<string?> UserGroupAsync(DbConnection connection, DbTransaction transaction, AppId app, UserId user) =>
        connection.QuerySingleOrDefaultAsync<string?>(
            "SELECT user_group_id FROM app_user WHERE id = @user AND app_id = @app", new { app = app.Value, user = user.Value }, transaction);

    /// <summary>User groups have few keys (one per rotation), so their ids are loaded and compared in memory.</summary>
    private static async Task<bool> AreKeysOfGroupAsync(
        DbConnection connection, DbTransaction transaction, string group, IReadOnlyList<GroupKeysForNewMember> keys)
    {
        HashSet<string> ids = (await connection.QueryAsync<string>(
            "SELECT id FROM group_key WHERE group_id = @group", new { group }, transaction)).ToHashSet(StringComparer.Ordinal);
        return keys.All(k => ids.Contains(k.KeyId));
    }

    /// <summary>Duplicates of existing (key, member) rows are ignored: the JS SDK sends overlapping pages (§4.6).</summary>
    private static Task InsertMemberKeysAsync(
        DbConnection connection, DbTransaction transaction, string group, string member, IReadOnlyList<GroupKeysForNewMember> keys, long now) =>
        connection.ExecuteAsync(
            """
            INSERT INTO member_key (key_id, member_id, group_id, encrypted_group_key, encrypted_alg, encrypted_by_key_id, created_at)
            VALUES (@KeyId, @member, @group, @EncryptedGroupKey, @EncryptedAlg, @UserPublicKeyId, @now)
            ON CONFLICT (key_id, member_id) DO NOTHING
            """,
            keys.Select(k => new { k.KeyId, member, group, k.EncryptedGroupKey, k.EncryptedAlg, k.UserPublicKeyId, now }),
            transaction);

    /// <summary>A new refresh token for the device (§2.4): 50 random bytes, base64url; only its hash is stored.</summary>
    public async Task<string> CreateRefreshTokenAsync(AppId app, DeviceId device, CancellationToken ct)
    {
        string token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(50));
        long now = Now();
        await using DbConnection connection = await db.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO refresh_token (token_hash, device_id, app_id, created_at, last_used_at)
            VALUES (@hash, @device, @app, @now, @now)
            """,
            new { hash = UserRules.SecretHash(token), device = device.Value, app = app.Value, now }, cancellationToken: ct));
        return token;
    }

    /// <summary>True when the refresh token belongs to this device of this app; records its use.</summary>
    public async Task<bool> UseRefreshTokenAsync(AppId app, DeviceId device, string refreshToken, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_token SET last_used_at = @now WHERE token_hash = @hash AND device_id = @device AND app_id = @app",
            new { hash = UserRules.SecretHash(refreshToken), device = device.Value, app = app.Value, now = Now() },
            cancellationToken: ct)) == 1;
    }

    /// <summary>First page (50, newest first) of the invites addressed to the user (§4.1 init).</summary>
    public async Task<IReadOnlyList<GroupInviteReqList>> InvitesAsync(AppId app, UserId user, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        IEnumerable<InviteRow> rows = await connection.QueryAsync<InviteRow>(new CommandDefinition(
            """
            SELECT r.group_id AS GroupId, r.created_at AS CreatedAt FROM membership_request r
            JOIN grp g ON g.id = r.group_id AND g.app_id = @app
            WHERE r.member_id = @user AND r.kind = 0
            ORDER BY r.created_at DESC, r.group_id ASC
            LIMIT 50
            """,
            new { app = app.Value, user = user.Value }, cancellationToken: ct));
        return rows.Select(r => new GroupInviteReqList(r.GroupId, r.CreatedAt)).ToList();
    }

    private static Task InsertDeviceAsync(
        DbConnection connection, DbTransaction transaction, AppId app, DeviceId device, UserId? user, string identifierHash,
        UserDeviceRegisterInput input, long now) =>
        connection.ExecuteAsync(
            """
            INSERT INTO device (id, app_id, user_id, identifier_hash, registration_token_hash, client_random_value, derived_alg,
                hashed_auth_key, master_key_alg, encrypted_master_key, encrypted_master_key_alg, public_key, encrypted_private_key,
                keypair_encrypt_alg, verify_key, encrypted_sign_key, keypair_sign_alg, created_at)
            VALUES (@device, @app, @user, @identifierHash, NULL, @ClientRandomValue, @DerivedAlg,
                @HashedAuthenticationKey, @MasterKeyAlg, @EncryptedMasterKey, @EncryptedMasterKeyAlg, @PublicKey, @EncryptedPrivateKey,
                @KeypairEncryptAlg, @VerifyKey, @EncryptedSignKey, @KeypairSignAlg, @now)
            """,
            DeviceParameters(input, new { device = device.Value, app = app.Value, user = user?.Value, identifierHash, now }),
            transaction);

    /// <summary>The password data, master key and key pairs of a device, named as the device columns' parameters, plus <paramref name="more"/>.</summary>
    private static DynamicParameters DeviceParameters(UserDeviceRegisterInput input, object more)
    {
        var parameters = new DynamicParameters(new
        {
            input.Derived.ClientRandomValue, input.Derived.DerivedAlg, input.Derived.HashedAuthenticationKey,
            input.MasterKey.MasterKeyAlg, input.MasterKey.EncryptedMasterKey, input.MasterKey.EncryptedMasterKeyAlg,
            input.Derived.PublicKey, input.Derived.EncryptedPrivateKey, input.Derived.KeypairEncryptAlg,
            input.Derived.VerifyKey, input.Derived.EncryptedSignKey, input.Derived.KeypairSignAlg,
        });
        parameters.AddDynamicParams(more);
        return parameters;
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private long PendingCutoff() => (time.GetUtcNow() - UserRules.PendingDeviceLifetime).ToUnixTimeMilliseconds();

    // Dapper row types: classes with setters (see AppStore).
    private sealed class LoginRow
    {
        public string ClientRandomValue { get; set; } = "";

        public string DerivedAlg { get; set; } = "";
    }

    private sealed class DeviceRow
    {
        public string Id { get; set; } = "";

        public long CreatedAt { get; set; }

        public string IdentifierHash { get; set; } = "";
    }

    private sealed class InviteRow
    {
        public string GroupId { get; set; } = "";

        public long CreatedAt { get; set; }
    }

    private sealed class PublicKeyRow
    {
        public string Id { get; set; } = "";

        public string PublicKey { get; set; } = "";

        public string Alg { get; set; } = "";

        public string? Sig { get; set; }

        public string? VerifyKey { get; set; }

        public string? SignAlg { get; set; }
    }
}
