using System.Data.Common;
using System.Text;
using Coffer.Server.Auth;
using Coffer.Server.Data;
using Dapper;

namespace Coffer.Server.Features.Mfa;

/// <summary>
/// SQL of TOTP multi-factor login: the secret on <c>app_user</c> and the recovery codes in <c>otp_recovery_code</c>,
/// both encrypted at rest with the root key (bound to their row by the associated data).
/// </summary>
public sealed class MfaStore(Database db, RootKey rootKey, TimeProvider time)
{
    /// <summary>Sets a new secret and replaces all recovery codes (register and reset; §8 #23: codes are replaced, not appended).</summary>
    public Task<(string Secret, IReadOnlyList<string> Codes)> EnableAsync(AppId app, UserId user, CancellationToken ct) =>
        db.InTransactionAsync<(string, IReadOnlyList<string>)>(async (connection, transaction) =>
        {
            string secret = MfaRules.NewSecret();
            IReadOnlyList<string> codes = MfaRules.NewRecoveryCodes();
            long now = time.GetUtcNow().ToUnixTimeMilliseconds();
            await connection.ExecuteAsync(
                "UPDATE app_user SET otp_secret_enc = @secret, otp_alg = @alg WHERE id = @user AND app_id = @app",
                new { app = app.Value, user = user.Value, secret = rootKey.Seal(Encoding.UTF8.GetBytes(secret), SecretContext(user)), alg = MfaRules.Alg },
                transaction);
            await connection.ExecuteAsync("DELETE FROM otp_recovery_code WHERE user_id = @user", new { user = user.Value }, transaction);
            foreach (string code in codes)
            {
                string id = NewId.Uuid();
                await connection.ExecuteAsync(
                    """
                    INSERT INTO otp_recovery_code (id, user_id, code_enc, code_hash, created_at)
                    VALUES (@id, @user, @enc, @hash, @now)
                    """,
                    new { id, user = user.Value, enc = rootKey.Seal(Encoding.UTF8.GetBytes(code), CodeContext(id)), hash = MfaRules.CodeHash(code), now },
                    transaction);
            }

            return (secret, codes);
        }, ct);

    public Task DisableAsync(AppId app, UserId user, CancellationToken ct) =>
        db.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync("DELETE FROM otp_recovery_code WHERE user_id = @user", new { user = user.Value }, transaction);
            await connection.ExecuteAsync(
                "UPDATE app_user SET otp_secret_enc = NULL, otp_alg = NULL WHERE id = @user AND app_id = @app",
                new { app = app.Value, user = user.Value }, transaction);
            return 0;
        }, ct);

    /// <summary>The remaining recovery codes, decrypted; empty when MFA is off.</summary>
    public async Task<IReadOnlyList<string>> RecoveryCodesAsync(AppId app, UserId user, CancellationToken ct)
    {
        await using DbConnection connection = await db.OpenAsync(ct);
        IEnumerable<CodeRow> rows = await connection.QueryAsync<CodeRow>(new CommandDefinition(
            """
            SELECT c.id AS Id, c.code_enc AS CodeEnc FROM otp_recovery_code c
            JOIN app_user u ON u.id = c.user_id AND u.app_id = @app
            WHERE c.user_id = @user ORDER BY c.created_at, c.id
            """,
            new { app = app.Value, user = user.Value }, cancellationToken: ct));
        return [.. rows.Select(r => Encoding.UTF8.GetString(rootKey.Open(r.CodeEnc, CodeContext(r.Id))))];
    }

    /// <summary>The stored TOTP secret (base32 text), decrypted; null when it does not open (900).</summary>
    public string? OpenSecret(UserId user, string sealedSecret)
    {
        try
        {
            return Encoding.UTF8.GetString(rootKey.Open(sealedSecret, SecretContext(user)));
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    private static string SecretContext(UserId user) => "otp-secret:" + user.Value;

    private static string CodeContext(string id) => "otp-recovery-code:" + id;

    private sealed class CodeRow
    {
        public string Id { get; set; } = "";

        public string CodeEnc { get; set; } = "";
    }
}
