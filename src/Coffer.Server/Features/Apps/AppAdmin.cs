using System.Data.Common;
using Coffer.Server.Auth;
using Coffer.Server.Data;

namespace Coffer.Server.Features.Apps;

/// <summary>A new app or new tokens: the plain tokens are shown once and never stored.</summary>
public sealed record AppCredentials(AppId App, string Name, string PublicToken, string SecretToken, JwtKeyId JwtKeyId, string JwtVerifyKey);

public sealed record JwtKeyCreated(AppId App, JwtKeyId JwtKeyId, string JwtVerifyKey);

/// <summary>The admin use cases behind the <c>coffer app …</c> commands (app provisioning is not part of the client API, §2.1).</summary>
public sealed class AppAdmin(Database db, RootKey rootKey, TimeProvider time)
{
    public const string DevAppName = "dev";

    public Task<AppCredentials> CreateAsync(string name, CancellationToken ct) =>
        db.InTransactionAsync((connection, transaction) => CreateInAsync(connection, transaction, name), ct);

    /// <summary>Creates the local development app if the database has no app yet; null when there already is one.</summary>
    public Task<AppCredentials?> CreateDevAppAsync(CancellationToken ct) =>
        db.InTransactionAsync<AppCredentials?>(async (connection, transaction) =>
            (await AppStore.ListAsync(connection, transaction)).Count > 0
                ? null
                : await CreateInAsync(connection, transaction, DevAppName), ct);

    /// <summary>
    /// The first enabled app named <paramref name="name"/>, or a new one (one transaction, so two starting processes
    /// agree): the app id and, only when it was created now, its credentials.
    /// </summary>
    public Task<(AppId App, AppCredentials? Created)> FindOrCreateAsync(string name, CancellationToken ct) =>
        db.InTransactionAsync<(AppId, AppCredentials?)>(async (connection, transaction) =>
        {
            if ((await AppStore.ListAsync(connection, transaction)).FirstOrDefault(a => a.Name == name && a.DisabledAt is null) is { } found)
            {
                return (new AppId(found.Id), null);
            }

            AppCredentials created = await CreateInAsync(connection, transaction, name);
            return (created.App, created);
        }, ct);

    /// <summary>New public and secret tokens; the old ones stop working at once. Null when the app does not exist.</summary>
    public Task<(string PublicToken, string SecretToken)?> RenewTokensAsync(AppId app, CancellationToken ct) =>
        db.InTransactionAsync<(string, string)?>(async (connection, transaction) =>
        {
            string publicToken = AppTokens.NewPublicToken();
            string secretToken = AppTokens.NewSecretToken();
            bool found = await AppStore.ReplaceTokensAsync(
                connection, transaction, app, AppTokens.HashOfBase64(publicToken)!, AppTokens.HashOfBase64(secretToken)!);
            return found ? (publicToken, secretToken) : null;
        }, ct);

    /// <summary>A new JWT key; being the newest, it signs from now on. Older keys keep verifying.</summary>
    public Task<JwtKeyCreated?> AddJwtKeyAsync(AppId app, CancellationToken ct) =>
        db.InTransactionAsync<JwtKeyCreated?>(async (connection, transaction) =>
        {
            if (!await AppStore.ExistsAsync(connection, transaction, app))
            {
                return null;
            }

            NewJwtKey key = JwtService.CreateKey(rootKey);
            await AppStore.InsertJwtKeyAsync(connection, transaction, app, key, Now());
            return new JwtKeyCreated(app, key.Id, key.VerifyKey);
        }, ct);

    public Task<bool> SetOptionAsync(AppId app, AppOption option, TokenLevel level, CancellationToken ct) =>
        db.InTransactionAsync(async (connection, transaction) =>
        {
            if (!await AppStore.ExistsAsync(connection, transaction, app))
            {
                return false;
            }

            await AppStore.SetOptionAsync(connection, transaction, app, option, level);
            return true;
        }, ct);

    public Task<bool> DisableAsync(AppId app, CancellationToken ct) =>
        db.InTransactionAsync((connection, transaction) => AppStore.DisableAsync(connection, transaction, app, Now()), ct);

    public Task<IReadOnlyList<AppRow>> ListAsync(CancellationToken ct) =>
        db.InTransactionAsync(AppStore.ListAsync, ct);

    private async Task<AppCredentials> CreateInAsync(DbConnection connection, DbTransaction transaction, string name)
    {
        var app = new AppId(NewId.Uuid());
        string publicToken = AppTokens.NewPublicToken();
        string secretToken = AppTokens.NewSecretToken();
        long now = Now();
        await AppStore.InsertAppAsync(
            connection, transaction, app, name, AppTokens.HashOfBase64(publicToken)!, AppTokens.HashOfBase64(secretToken)!, now);
        NewJwtKey key = JwtService.CreateKey(rootKey);
        await AppStore.InsertJwtKeyAsync(connection, transaction, app, key, now);
        return new AppCredentials(app, name, publicToken, secretToken, key.Id, key.VerifyKey);
    }

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
