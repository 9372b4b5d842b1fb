using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Data.Common;
using Coffer.Chat.Api;
using Coffer.Chat.Data;
using Coffer.Chat.Groups;
using Coffer.Chat.SecretChats;
using Dapper;

namespace Coffer.Chat.Messages;

/// <summary>A group as the message paths need it: its type, the key new secret contents must use, and its members.</summary>
public sealed class GroupThread(long id, string type, string? cofferKeyId, FrozenDictionary<string, string> roles)
{
    public long Id { get; } = id;

    public string Type { get; } = type;

    public string? CofferKeyId { get; } = cofferKeyId;

    /// <summary>Member → role.</summary>
    public FrozenDictionary<string, string> Roles { get; } = roles;

    /// <summary>The caller's access, with the same answers as <see cref="GroupStore.Member"/>: 404 for a hidden group, 403 for a public one they have not joined.</summary>
    public ThreadAccess AccessOf(string user) =>
        Roles.TryGetValue(user, out string? role)
            ? new ThreadAccess(true, null, Type == GroupTypes.Secret, GroupRoles.CanModerateMessages(role), CofferKeyId)
            : throw (Type == GroupTypes.Public ? ChatProblem.Forbidden("Not a member of this group") : ChatProblem.NotFound("Group not found"));
}

/// <summary>
/// Who may write to and read a thread, and who receives its live events, kept in memory so that a message send is one
/// INSERT and a history page one SELECT. Loaded from the database on first use (one round trip) and dropped
/// <see cref="Lifetime"/> after loading, and at once by every change of the chat to a group's members, roles, key or
/// existence (<see cref="GroupChanged"/>, called after the change's transaction ended, also when it failed) and to a
/// secret chat's existence (<see cref="SecretChatChanged"/>).
/// <para>
/// Consistency: a load that overlaps a change is never kept (each slot has a generation that every change bumps; a load
/// stores its result only when the generation is still the one it started with), so after a change has committed and
/// called back, this process answers with the new state. A send that read the old state just before is ordered before
/// the change — the outcome of a serial order, as a read-committed send had. Another chat node (standalone chat
/// servers on one database) learns of a change through <see cref="Lifetime"/>; live delivery is per process too (see
/// <see cref="Live.ChatHub"/>). Secret chats are kept only once their keys are finalized: from then on their
/// participants and state never change until deletion.
/// </para>
/// </summary>
public sealed class ThreadDirectory(ChatDatabase database, TimeProvider time)
{
    /// <summary>How long a loaded entry serves without a reload (bounds how long another node's change goes unseen).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    /// <summary>Bound on remembered threads; beyond it the directory starts over (entries reload on next use).</summary>
    public const int MaxThreads = 100_000;

    private readonly ConcurrentDictionary<(bool Secret, long Id), Slot> slots = new();
    private int slotCount;

    /// <summary>The group's members and state, or null for a group that does not exist or was deactivated.</summary>
    public async ValueTask<GroupThread?> GroupAsync(long id, CancellationToken ct) =>
        (GroupThread?)await GetAsync((false, id), LoadGroupAsync, ct);

    /// <summary>The secret chat, or null for one that does not exist.</summary>
    public async ValueTask<SecretChat?> SecretChatAsync(long id, CancellationToken ct) =>
        (SecretChat?)await GetAsync((true, id), LoadSecretChatAsync, ct);

    /// <summary>The caller's access to a thread (404/403 as the thread's rules say).</summary>
    public async ValueTask<ThreadAccess> AccessAsync(MessageThread thread, long id, string user, CancellationToken ct)
    {
        if (thread == MessageThread.SecretChat)
        {
            SecretChat chat = SecretChatStore.Participant(await SecretChatAsync(id, ct), user);
            return new ThreadAccess(chat.KeyFinalized, "No messages before the keys are finalized", Encrypted: true, Moderates: false);
        }

        return (await GroupAsync(id, ct) ?? throw ChatProblem.NotFound("Group not found")).AccessOf(user);
    }

    /// <summary>Who receives the thread's live events: both participants, or every member (empty once it is gone).</summary>
    public async ValueTask<IReadOnlyCollection<string>> RecipientsAsync(MessageThread thread, long id, CancellationToken ct)
    {
        if (thread == MessageThread.SecretChat)
        {
            return await SecretChatAsync(id, ct) is { } chat ? [chat.User1, chat.User2] : [];
        }

        return await GroupAsync(id, ct) is { } group ? group.Roles.Keys : [];
    }

    /// <summary>A group's members, roles, key or existence changed (call after the change's transaction, in a finally).</summary>
    public void GroupChanged(long id) => Changed((false, id));

    /// <summary>A secret chat was deleted or its state changed (call after the change's transaction, in a finally).</summary>
    public void SecretChatChanged(long id) => Changed((true, id));

    private void Changed((bool, long) key)
    {
        Slot slot = SlotOf(key);
        lock (slot)
        {
            slot.Generation++;
            slot.Value = null;
        }
    }

    private async ValueTask<object?> GetAsync((bool, long) key, Func<DbConnection, long, CancellationToken, Task<(object? Value, bool Keep)>> load, CancellationToken ct)
    {
        Slot slot = SlotOf(key);
        long now = time.GetTimestamp();
        long generation;
        lock (slot)
        {
            if (slot.Value is not null && time.GetElapsedTime(slot.LoadedAt, now) < Lifetime)
            {
                return slot.Value;
            }

            generation = slot.Generation;
        }

        object? value;
        bool keep;
        await using (DbConnection connection = await database.OpenAsync(ct))
        {
            (value, keep) = await load(connection, key.Item2, ct);
        }

        if (keep && value is not null)
        {
            lock (slot)
            {
                if (slot.Generation == generation)
                {
                    slot.Value = value;
                    slot.LoadedAt = now;
                }
            }
        }

        return value;
    }

    private Slot SlotOf((bool, long) key)
    {
        if (slots.TryGetValue(key, out Slot? slot))
        {
            return slot;
        }

        // Counted here, not with slots.Count (which takes every lock of the dictionary). A load in flight keeps its
        // (now unreachable) slot when the directory starts over: its result is simply not remembered.
        if (Interlocked.Increment(ref slotCount) > MaxThreads)
        {
            slots.Clear();
            Interlocked.Exchange(ref slotCount, 0);
        }

        return slots.GetOrAdd(key, static _ => new Slot());
    }

    private static async Task<(object?, bool)> LoadGroupAsync(DbConnection connection, long id, CancellationToken ct)
    {
        using SqlMapper.GridReader grid = await connection.QueryMultipleAsync(new CommandDefinition(
            "SELECT type AS Type, coffer_key_id AS CofferKeyId FROM chat_group WHERE id = @id AND is_active = TRUE; " +
            "SELECT user_id AS UserId, role AS Role FROM chat_group_member WHERE group_id = @id;",
            new { id }, cancellationToken: ct));
        GroupRow? group = await grid.ReadSingleOrDefaultAsync<GroupRow>();
        IEnumerable<MemberRow> members = await grid.ReadAsync<MemberRow>();
        return group is null
            ? (null, false)
            : (new GroupThread(id, group.Type, group.CofferKeyId, members.ToFrozenDictionary(m => m.UserId, m => m.Role, StringComparer.Ordinal)), true);
    }

    private static async Task<(object?, bool)> LoadSecretChatAsync(DbConnection connection, long id, CancellationToken ct)
    {
        SecretChat? chat = await SecretChatStore.FindAsync(connection, null, id, ct);
        // Before the keys are finalized the chat still changes (approval, keys): answered, not remembered.
        return (chat, chat is { KeyFinalized: true });
    }

    private sealed class Slot
    {
        public long Generation;
        public object? Value;
        public long LoadedAt;
    }

    private sealed class GroupRow
    {
        public string Type { get; init; } = "";

        public string? CofferKeyId { get; init; }
    }

    private sealed class MemberRow
    {
        public string UserId { get; init; } = "";

        public string Role { get; init; } = "";
    }
}
