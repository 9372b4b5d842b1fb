using System.Data.Common;
using Coffer.Chat.Api;
using Coffer.Chat.Data;
using Coffer.Chat.Platform;
using Dapper;

namespace Coffer.Chat.Groups;

/// <summary>
/// The key hand-over ledger of secret groups (<c>chat_secret_group_key</c>, see migration 0003): per member the id of
/// the public key the group keys are wrapped for and, once an admin's client handed them over, the id of the newest
/// platform key the member holds. Ids only: the wrapped keys live in the platform group. The statements run inside the
/// transactions of <see cref="GroupStore"/> (join, add, create, rotation, removal) and of <see cref="HandOverAsync"/>.
/// </summary>
public sealed class SecretGroupKeys(ChatDatabase database, TimeProvider time, ICofferPlatform platform)
{
    /// <summary>The most users one hand-over report may name.</summary>
    public const int MaxReport = 100;

    /// <summary>A member's row: waiting for the keys (<paramref name="handedKeyId"/> null) or holding them (the creator).</summary>
    public static Task RecordMemberAsync(
        DbConnection connection, DbTransaction transaction, long group, string user, string? publicKeyId, string? handedKeyId, long now, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO chat_secret_group_key (group_id, user_id, public_key, encrypted_symmetric_key, created_at) " +
            "VALUES (@group, @user, @publicKeyId, @handedKeyId, @now) ON CONFLICT (group_id, user_id) DO UPDATE SET " +
            "public_key = excluded.public_key, encrypted_symmetric_key = excluded.encrypted_symmetric_key;",
            new { group, user, publicKeyId, handedKeyId, now }, transaction, cancellationToken: ct));

    /// <summary>A recorded rotation: every member who held the keys now holds the new one (the platform fans it out to them).</summary>
    public static Task RotatedAsync(DbConnection connection, DbTransaction transaction, long group, string newestKeyId, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE chat_secret_group_key SET encrypted_symmetric_key = @newestKeyId WHERE group_id = @group AND encrypted_symmetric_key IS NOT NULL;",
            new { group, newestKeyId }, transaction, cancellationToken: ct));

    /// <summary>The member left or was removed: no row (their copies of the old keys are gone from the platform group too).</summary>
    public static Task RemoveAsync(DbConnection connection, DbTransaction transaction, long group, string user, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM chat_secret_group_key WHERE group_id = @group AND user_id = @user;", new { group, user }, transaction, cancellationToken: ct));

    /// <summary>Per member of a secret group: true when the keys are handed over, false while waiting (members without a row: absent).</summary>
    public async Task<IReadOnlyDictionary<string, bool>> KeysReadyAsync(long group, CancellationToken ct)
    {
        await using DbConnection connection = await database.OpenAsync(ct);
        return (await connection.QueryAsync<(string User, bool Ready)>(new CommandDefinition(
            "SELECT user_id, encrypted_symmetric_key IS NOT NULL FROM chat_secret_group_key WHERE group_id = @group;",
            new { group }, cancellationToken: ct))).ToDictionary(r => r.User, r => r.Ready, StringComparer.Ordinal);
    }

    /// <summary>
    /// POST /api/group/{id}/keys-handed-over (admins and moderators of a secret group): an admin's client reports that it
    /// handed the keys to these members. The report is not trusted: a member counts only when the platform shows them in
    /// the platform group (so they can fetch their copies); the ledger then records their current public key id and the
    /// group's newest key id. Returns the members confirmed now and that key id.
    /// </summary>
    public async Task<(IReadOnlyList<string> HandedOver, string KeyId)> HandOverAsync(long id, string user, IReadOnlyList<string> members, CancellationToken ct)
    {
        GroupView group;
        await using (DbConnection connection = await database.OpenAsync(ct))
        {
            group = GroupStore.Visible(await GroupStore.ViewAsync(connection, null, id, user, ct));
        }

        if (!GroupRoles.CanAddMembers(group.Role))
        {
            throw ChatProblem.Forbidden("Only admins and moderators hand over the keys");
        }

        string platformGroup = group.CofferGroupId ?? throw ChatProblem.BadRequest("Only secret groups have keys");
        var confirmed = new List<(string User, string? PublicKeyId)>();
        foreach (string member in members.Distinct(StringComparer.Ordinal))
        {
            if (await platform.RankAsync(platformGroup, member, ct) is not null)
            {
                confirmed.Add((member, await platform.UserPublicKeyIdAsync(member, ct)));
            }
        }

        string keyId = await platform.NewestKeyIdAsync(platformGroup, ct) ?? throw ChatProblem.NotFound("The Coffer group has no key");
        IReadOnlyList<string> handed = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var done = new List<string>();
            foreach ((string member, string? publicKeyId) in confirmed)
            {
                // Chat members only (someone who left meanwhile stays out); a member from before the ledger gets a row.
                if (await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO chat_secret_group_key (group_id, user_id, public_key, encrypted_symmetric_key, created_at) " +
                    "SELECT @id, @member, @publicKeyId, @keyId, @now WHERE EXISTS " +
                    "(SELECT 1 FROM chat_group_member m WHERE m.group_id = @id AND m.user_id = @member) " +
                    "ON CONFLICT (group_id, user_id) DO UPDATE SET public_key = excluded.public_key, encrypted_symmetric_key = excluded.encrypted_symmetric_key;",
                    new { id, member, publicKeyId, keyId, now = time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction, cancellationToken: ct)) == 1)
                {
                    done.Add(member);
                }
            }

            return (IReadOnlyList<string>)done;
        }, ct);
        return (handed, keyId);
    }
}
