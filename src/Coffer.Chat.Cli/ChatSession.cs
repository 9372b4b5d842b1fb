using System.Globalization;
using Coffer.Chat.Client;
using Coffer.Client;
using Spectre.Console;

namespace Coffer.Chat.Cli;

/// <summary>
/// The interactive session: slash commands, and in an open conversation every other line is a message. Live events
/// arrive on a background loop (reconnecting with a bounded back-off) and are printed above the input line: messages
/// of the open conversation in full, others as a one-line notice. Secret groups whose keys an admin must hand over or
/// rotate are synced by an admin's client automatically when the server asks for it.
/// </summary>
public sealed class ChatSession(ChatClient chat, ChatConsole console, string me)
{
    private const int PageSize = 20;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, string> names = new(StringComparer.Ordinal);
    private readonly HashSet<long> shown = [];
    private readonly Lock gate = new();
    private ChatThread? open;
    private string openTitle = "";
    private long? oldestShown;

    public static string Help { get; } = string.Join('\n',
        "[bold]Commands[/]",
        "  /list                      your secret chats and groups (c… = secret chat, g… = group)",
        "  /open c12 | g7             open a conversation (then type to send; messages arrive live)",
        "  /close                     leave the conversation (back to commands)",
        "  /history                   older messages of the open conversation",
        "  /secret USERNAME           start a secret chat (end-to-end encrypted) with a user",
        "  /accept c12                accept a secret chat someone started with you (and open it)",
        "  /safety [c12]              the safety number of a secret chat: compare it with the other person",
        "  /create public|private|secret NAME   create a group (secret = end-to-end encrypted)",
        "  /join CODE | /join 7       join by invite code (private, secret) or a public group by id",
        "  /members [g7]              who is in the group, with roles",
        "  /invite [g7]               the group's invite code (admins and moderators)",
        "  /search TEXT               public groups",
        "  /leave [g7]                leave a group",
        "  /name NAME                 your display name",
        "  /help, /quit");

    /// <summary>A new chat user is shown by their login name until they pick another one (/name).</summary>
    public static async Task EnsureUsernameAsync(ChatClient chat, string identifier, CancellationToken ct)
    {
        if ((await chat.GetProfileAsync(ct)).Username is null)
        {
            await chat.UpdateProfileAsync(identifier.Length <= 50 ? identifier : identifier[..50], cancellationToken: ct);
        }
    }

    public async Task<int> RunAsync(CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ChatProfile profile = await chat.GetProfileAsync(stop.Token);
        names[me] = profile.Username ?? "me";
        console.Line($"Logged in as [bold]{Markup.Escape(names[me])}[/]. Type [bold]/help[/] for commands, [bold]/list[/] for your conversations.");
        Task live = LiveLoopAsync(stop.Token);
        await CatchUpAsync(stop.Token);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                string? line = await console.ReadLineAsync(stop.Token);
                if (line is null)
                {
                    break;
                }

                line = line.Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                try
                {
                    if (!await HandleAsync(line, stop.Token))
                    {
                        break;
                    }
                }
                catch (ChatApiException e)
                {
                    console.Line($"[red]{Markup.Escape(e.Detail)}[/] [grey](HTTP {e.Status})[/]");
                }
                catch (Exception e) when (e is ChatCryptoException or CofferException or HttpRequestException or FormatException)
                {
                    console.Line($"[red]{Markup.Escape(e.Message)}[/]");
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // SIGINT or SIGTERM (System.CommandLine cancels ct): end like /quit, even while a key read or a request waits.
        }
        finally
        {
            await stop.CancelAsync();
            await live.WaitAsync(TimeSpan.FromSeconds(3), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        return 0;
    }

    /// <summary>One input line; false ends the session.</summary>
    private async Task<bool> HandleAsync(string line, CancellationToken ct)
    {
        if (!line.StartsWith('/'))
        {
            if (open is not ChatThread thread)
            {
                console.Line("Open a conversation first ([bold]/list[/], [bold]/open[/] …), or type [bold]/help[/].");
                return true;
            }

            ChatMessage sent = await chat.SendMessageAsync(thread, line, cancellationToken: ct);
            Show(sent);
            return true;
        }

        string[] words = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string argument = words.Length > 1 ? words[1] : "";
        switch (words[0].ToLowerInvariant())
        {
            case "/quit" or "/exit" or "/q":
                return false;
            case "/help" or "/?":
                console.Line(Help);
                break;
            case "/list" or "/ls":
                await ListAsync(ct);
                break;
            case "/open":
                await OpenAsync(ParseThread(argument), ct);
                break;
            case "/close":
                Close();
                break;
            case "/history":
                await HistoryAsync(ct);
                break;
            case "/secret":
                await StartSecretChatAsync(argument, ct);
                break;
            case "/accept":
                await AcceptAsync(ParseThread(argument), ct);
                break;
            case "/safety":
                await SafetyAsync(argument, ct);
                break;
            case "/create":
                await CreateGroupAsync(argument, ct);
                break;
            case "/join":
                await JoinAsync(argument, ct);
                break;
            case "/members":
                await MembersAsync(GroupArgument(argument), ct);
                break;
            case "/invite":
                await InviteAsync(GroupArgument(argument), ct);
                break;
            case "/search":
                await SearchAsync(argument, ct);
                break;
            case "/leave":
                long group = GroupArgument(argument);
                await chat.LeaveGroupAsync(group, ct);
                if (open == ChatThread.Group(group))
                {
                    Close();
                }

                console.Line($"Left g{group}.");
                break;
            case "/name":
                if (argument.Length == 0)
                {
                    throw new FormatException("Usage: /name NAME");
                }

                names[me] = (await chat.UpdateProfileAsync(argument, cancellationToken: ct)).Username ?? argument;
                console.Line($"Your name is now [bold]{Markup.Escape(names[me])}[/].");
                break;
            default:
                console.Line($"Unknown command {Markup.Escape(words[0])}; [bold]/help[/] lists them.");
                break;
        }

        return true;
    }

    private async Task ListAsync(CancellationToken ct)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("id", "conversation", "kind", "state");
        foreach (SecretChatInfo c in await chat.ListSecretChatsAsync(ct))
        {
            string peer = await NameAsync(c.Peer(me), ct);
            string state = c.KeyFinalized ? "ready"
                : !c.User2Accepted && c.User2 == me ? "[yellow]waiting for you: /accept c" + c.Id.ToString(CultureInfo.InvariantCulture) + "[/]"
                : !c.User2Accepted ? "waiting for " + Markup.Escape(peer)
                : "keys pending";
            table.AddRow($"c{c.Id}", $"secret chat with [bold]{Markup.Escape(peer)}[/]", "secret chat", state);
        }

        foreach (ChatGroup g in await chat.GetUserGroupsAsync(ct))
        {
            string kind = g.Type.ToString().ToLowerInvariant() + " group";
            string role = g.Role?.ToString().ToLowerInvariant() ?? "";
            table.AddRow($"g{g.Id}", $"[bold]{Markup.Escape(g.Name)}[/]", kind, $"{role}, {g.MemberCount} member(s)");
        }

        if (table.Rows.Count == 0)
        {
            console.Line("No conversations yet: [bold]/secret USERNAME[/], [bold]/create[/] or [bold]/join[/].");
            return;
        }

        console.Write(table);
    }

    private async Task OpenAsync(ChatThread thread, CancellationToken ct)
    {
        string title;
        if (thread.Kind == ChatThreadKind.SecretChat)
        {
            SecretChatInfo info = await chat.GetSecretChatAsync(thread.Id, ct);
            string peer = await NameAsync(info.Peer(me), ct);
            if (!info.KeyFinalized)
            {
                console.Line(info.User2 == me && !info.User2Accepted
                    ? $"{Markup.Escape(peer)} wants a secret chat with you: [bold]/accept c{thread.Id}[/]."
                    : $"Waiting for {Markup.Escape(peer)} to accept the secret chat (no messages before that).");
                return;
            }

            title = "secret chat with " + peer;
        }
        else
        {
            ChatGroupDetails details = await chat.GetGroupAsync(thread.Id, ct);
            title = details.Group.Name;
        }

        lock (gate)
        {
            open = thread;
            openTitle = title;
            shown.Clear();
            oldestShown = null;
        }

        console.Line($"── [bold]{Markup.Escape(title)}[/] ({thread.ToString()}) ── type to send, [bold]/close[/] to leave, [bold]/history[/] for older messages");
        MessagePage page = await chat.GetMessagesAsync(thread, limit: PageSize, cancellationToken: ct);
        foreach (ChatMessage message in page.Messages.Reverse())
        {
            Show(message);
        }

        lock (gate)
        {
            oldestShown = page.Messages.Count > 0 ? page.Messages[^1].Id : null;
        }

        console.Prompt = $"[{Shorten(title)}] > ";
    }

    private void Close()
    {
        lock (gate)
        {
            open = null;
            shown.Clear();
        }

        console.Prompt = "> ";
    }

    private async Task HistoryAsync(CancellationToken ct)
    {
        if (open is not ChatThread thread || oldestShown is not long before)
        {
            console.Line("No older messages.");
            return;
        }

        MessagePage page = await chat.GetMessagesAsync(thread, before, PageSize, ct);
        console.Line("[grey]── older messages ──[/]");
        foreach (ChatMessage message in page.Messages.Reverse())
        {
            Show(message, force: true);
        }

        oldestShown = page.Messages.Count > 0 ? page.Messages[^1].Id : null;
        if (!page.HasMore)
        {
            console.Line("[grey]── the beginning ──[/]");
        }
    }

    private async Task StartSecretChatAsync(string username, CancellationToken ct)
    {
        if (username.Length == 0)
        {
            throw new FormatException("Usage: /secret USERNAME");
        }

        string peer = await FindUserAsync(username, ct);
        SecretChatInfo created = await chat.CreateSecretChatAsync(peer, ct);
        console.Line($"Secret chat [bold]c{created.Id}[/] with {Markup.Escape(username)} created; it opens when they accept ([bold]/open c{created.Id}[/]).");
    }

    private async Task AcceptAsync(ChatThread thread, CancellationToken ct)
    {
        if (thread.Kind != ChatThreadKind.SecretChat)
        {
            throw new FormatException("Usage: /accept c12");
        }

        await chat.ApproveSecretChatAsync(thread.Id, ct);
        console.Line($"Accepted c{thread.Id}.");
        await OpenAsync(thread, ct);
    }

    private async Task SafetyAsync(string argument, CancellationToken ct)
    {
        ChatThread thread = argument.Length > 0 ? ParseThread(argument) : open ?? throw new FormatException("Usage: /safety c12 (or open a secret chat)");
        if (thread.Kind != ChatThreadKind.SecretChat)
        {
            throw new FormatException("Safety numbers belong to secret chats (c…).");
        }

        SecretChatInfo info = await chat.GetSecretChatAsync(thread.Id, ct);
        string number = await chat.GetSafetyNumberAsync(thread.Id, ct);
        string peer = await NameAsync(info.Peer(me), ct);
        console.Line($"Safety number of [bold]{Markup.Escape(names[me])}[/] and [bold]{Markup.Escape(peer)}[/]: [bold green]{Markup.Escape(number)}[/]");
        console.Line($"{Markup.Escape(peer)}'s screen must show the same number (compare it in person or on a call); if it differs, someone is in between.");
    }

    private async Task CreateGroupAsync(string argument, CancellationToken ct)
    {
        string[] parts = argument.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length < 2 || parts[0] is not ("public" or "private" or "secret"))
        {
            throw new FormatException("Usage: /create public|private|secret NAME");
        }

        ChatGroup group = parts[0] == "secret"
            ? await chat.CreateSecretGroupAsync(parts[1], cancellationToken: ct)
            : await chat.CreateGroupAsync(parts[1], type: parts[0] == "public" ? ChatGroupType.Public : ChatGroupType.Private, cancellationToken: ct);
        string code = group.InviteCode is string c ? $"; invite code [bold]{Markup.Escape(c)}[/]" : "";
        console.Line($"Created {parts[0]} group [bold]g{group.Id}[/] {Markup.Escape(group.Name)}{code}.");
        await OpenAsync(ChatThread.Group(group.Id), ct);
    }

    private async Task JoinAsync(string argument, CancellationToken ct)
    {
        if (argument.Length == 0)
        {
            throw new FormatException("Usage: /join INVITE-CODE (or /join ID of a public group)");
        }

        string id = argument.StartsWith('g') ? argument[1..] : argument;
        ChatGroup group = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out long groupId)
            ? await chat.JoinGroupAsync(groupId, ct)
            : await chat.JoinGroupByInviteCodeAsync(argument, ct);
        console.Line($"Joined [bold]g{group.Id}[/] {Markup.Escape(group.Name)}"
            + (group.Type == ChatGroupType.Secret ? " (secret: messages become readable once an admin's client has handed you the keys)." : "."));
        await OpenAsync(ChatThread.Group(group.Id), ct);
    }

    private async Task MembersAsync(long group, CancellationToken ct)
    {
        ChatGroupDetails details = await chat.GetGroupAsync(group, ct);
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(details.Group.Name)).AddColumns("member", "role", "joined");
        foreach (ChatGroupMember m in details.Members)
        {
            string name = m.Username ?? m.UserId;
            names.TryAdd(m.UserId, name);
            table.AddRow(Markup.Escape(name) + (m.UserId == me ? " (you)" : ""),
                m.Role.ToString().ToLowerInvariant() + (m.KeysReady == false ? " [yellow](waiting for keys)[/]" : ""),
                m.JoinedAt.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }

    private async Task InviteAsync(long group, CancellationToken ct)
    {
        ChatGroupDetails details = await chat.GetGroupAsync(group, ct);
        console.Line(details.Group.InviteCode is string code
            ? $"Invite code of [bold]{Markup.Escape(details.Group.Name)}[/]: [bold]{Markup.Escape(code)}[/] (/join {Markup.Escape(code)})"
            : details.Group.Type == ChatGroupType.Public ? $"A public group: anyone joins with /join g{group}." : "Only admins and moderators see the invite code.");
    }

    private async Task SearchAsync(string text, CancellationToken ct)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("id", "group", "members", "");
        foreach (ChatGroup g in await chat.SearchGroupsAsync(text, ct))
        {
            table.AddRow($"g{g.Id}", Markup.Escape(g.Name), g.MemberCount?.ToString(CultureInfo.InvariantCulture) ?? "", g.IsMember ? "member" : $"/join g{g.Id}");
        }

        console.Write(table);
    }

    private async Task LiveLoopAsync(CancellationToken ct)
    {
        TimeSpan backoff = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await foreach (ChatEvent e in chat.LiveAsync(ct))
                {
                    backoff = TimeSpan.FromSeconds(1);
                    await OnEventAsync(e, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or HttpRequestException or ChatApiException
                or ChatCryptoException or CofferException or System.Text.Json.JsonException)
            {
                console.Line($"[yellow]live updates interrupted ({Markup.Escape(e.Message)}); retrying in {backoff.TotalSeconds:F0} s[/]");
            }

            try
            {
                await Task.Delay(backoff, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task OnEventAsync(ChatEvent e, CancellationToken ct)
    {
        switch (e.Kind)
        {
            case ChatEventKind.MessageCreated when e.Message is ChatMessage message:
                if (open == e.Thread)
                {
                    Show(message);
                }
                else if (message.SenderId != me)
                {
                    console.Line($"[grey]new message from {Markup.Escape(await NameAsync(message.SenderId, ct))} in {e.Thread.ToString()} ({Id(e.Thread)}): /open {Id(e.Thread)}[/]");
                }

                break;
            case ChatEventKind.MessageUpdated when e.Message is ChatMessage message && open == e.Thread:
                console.Line($"[grey]edited:[/] {Line(message, await NameAsync(message.SenderId, ct))}");
                break;
            case ChatEventKind.MessageDeleted when open == e.Thread:
                console.Line($"[grey]message {e.MessageId} deleted[/]");
                break;
            case ChatEventKind.GroupKeysNeeded:
                await SyncAsync(e.Thread.Id, ct);
                break;
            case ChatEventKind.SecretChatRequested when e.UserId is string from:
                console.Line($"[yellow]{Markup.Escape(await NameAsync(from, ct))} wants a secret chat with you: /accept {Id(e.Thread)}[/]");
                break;
            case ChatEventKind.SecretChatAccepted when e.UserId is string by:
                console.Line($"[grey]{Markup.Escape(await NameAsync(by, ct))} accepted the secret chat {Id(e.Thread)}[/]");
                break;
            case ChatEventKind.SecretChatKeysFinalized when e.UserId is string by:
                console.Line($"[grey]the secret chat {Id(e.Thread)} with {Markup.Escape(await NameAsync(by, ct))} is ready: /open {Id(e.Thread)}[/]");
                break;
            case ChatEventKind.GroupMemberJoined when e.UserId is string who && who != me:
                console.Line($"[grey]{Markup.Escape(await NameAsync(who, ct))} {(e.Reason == "added" ? "was added to" : "joined")} {Id(e.Thread)}[/]");
                break;
            case ChatEventKind.GroupMemberRemoved when e.UserId == me:
                if (open == e.Thread)
                {
                    Close();
                }

                console.Line(e.Reason == "removed" ? $"[yellow]you were removed from {Id(e.Thread)}[/]" : $"[grey]you left {Id(e.Thread)}[/]");
                break;
            case ChatEventKind.GroupMemberRemoved when e.UserId is string who:
                console.Line($"[grey]{Markup.Escape(await NameAsync(who, ct))} {(e.Reason == "removed" ? "was removed from" : "left")} {Id(e.Thread)}[/]");
                break;
            case ChatEventKind.GroupKeysHandedOver:
                console.Line($"[grey]{Id(e.Thread)}: an admin's client handed you the group keys; its messages are readable now[/]");
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// A secret group's key work for an admin's client: keys for members who joined by invite code, a rotation after a
    /// removal. Failures are shown, not fatal (another admin's client may do it, or the next event).
    /// </summary>
    private async Task SyncAsync(long group, CancellationToken ct)
    {
        try
        {
            SecretGroupSync sync = await chat.SyncSecretGroupAsync(group, ct);
            if (sync.KeysHandedOver.Count > 0 || sync.RotatedKeyId is not null)
            {
                console.Line($"[grey]g{group}: keys handed over to {sync.KeysHandedOver.Count} new member(s){(sync.RotatedKeyId is null ? "" : ", group key rotated")}[/]");
            }
        }
        catch (Exception e) when (e is ChatApiException or ChatCryptoException or CofferException or HttpRequestException)
        {
            console.Line($"[yellow]g{group}: could not hand over the group keys ({Markup.Escape(e.Message)})[/]");
        }
    }

    /// <summary>On start: secret chats waiting for this user, and the key work of secret groups this user administers.</summary>
    private async Task CatchUpAsync(CancellationToken ct)
    {
        try
        {
            foreach (SecretChatInfo c in await chat.ListSecretChatsAsync(ct))
            {
                if (c.User2 == me && !c.User2Accepted)
                {
                    console.Line($"[yellow]{Markup.Escape(await NameAsync(c.User1, ct))} wants a secret chat with you: /accept c{c.Id}[/]");
                }
            }

            foreach (ChatGroup g in await chat.GetUserGroupsAsync(ct))
            {
                if (g.Type == ChatGroupType.Secret && g.Role == ChatRole.Admin)
                {
                    await SyncAsync(g.Id, ct);
                }
            }
        }
        catch (Exception e) when (e is ChatApiException or HttpRequestException)
        {
            console.Line($"[yellow]{Markup.Escape(e.Message)}[/]");
        }
    }

    /// <summary>Prints a message of the open conversation once (it arrives both as the send's answer and live).</summary>
    private void Show(ChatMessage message, bool force = false)
    {
        lock (gate)
        {
            if (open != message.Thread || (!shown.Add(message.Id) && !force))
            {
                return;
            }
        }

        string name = names.TryGetValue(message.SenderId, out string? known) ? known : message.SenderId[..Math.Min(8, message.SenderId.Length)];
        console.Line(Line(message, name));
        if (!names.ContainsKey(message.SenderId))
        {
            _ = NameAsync(message.SenderId, CancellationToken.None);
        }
    }

    private static string Line(ChatMessage message, string name)
    {
        string text = message.Text is string t ? Markup.Escape(t) : $"[red]⚠ cannot decrypt: {Markup.Escape(message.DecryptionError ?? "no key")}[/]";
        string edited = message.EditedAt is null ? "" : " [grey](edited)[/]";
        return $"[grey]{message.CreatedAt.ToLocalTime().ToString("HH:mm", CultureInfo.InvariantCulture)}[/] [bold]{Markup.Escape(name)}[/]: {text}{edited}";
    }

    private async Task<string> NameAsync(string userId, CancellationToken ct)
    {
        lock (gate)
        {
            if (names.TryGetValue(userId, out string? known))
            {
                return known;
            }
        }

        string name;
        try
        {
            name = (await chat.GetProfileAsync(userId, ct)).Username ?? userId[..Math.Min(8, userId.Length)];
        }
        catch (ChatApiException)
        {
            name = userId[..Math.Min(8, userId.Length)];
        }

        lock (gate)
        {
            names[userId] = name;
        }

        return name;
    }

    private async Task<string> FindUserAsync(string username, CancellationToken ct)
    {
        IReadOnlyList<ChatProfile> found = await chat.FindUsersAsync(username, ct);
        switch (found.Count)
        {
            case 1:
                names[found[0].UserId] = found[0].Username ?? username;
                return found[0].UserId;
            case 0 when Guid.TryParse(username, out _):
                return username.ToLowerInvariant();
            case 0:
                throw new FormatException($"No chat user is called {username} (they must have logged in to the chat once).");
            default:
                throw new FormatException($"{found.Count} users are called {username}; use the user id: " + string.Join(", ", found.Select(p => p.UserId)));
        }
    }

    private long GroupArgument(string argument)
    {
        if (argument.Length == 0)
        {
            return open is { Kind: ChatThreadKind.Group } thread ? thread.Id : throw new FormatException("Name the group (g7) or open it first.");
        }

        ChatThread parsed = ParseThread(argument.StartsWith('g') ? argument : "g" + argument);
        return parsed.Id;
    }

    private static ChatThread ParseThread(string argument)
    {
        if (argument.Length >= 2 && argument[0] is 'c' or 'g'
            && long.TryParse(argument.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out long id))
        {
            return argument[0] == 'c' ? ChatThread.SecretChat(id) : ChatThread.Group(id);
        }

        throw new FormatException($"Not a conversation id: '{argument}' (c12 = secret chat, g7 = group; see /list).");
    }

    private static string Id(ChatThread thread) =>
        (thread.Kind == ChatThreadKind.SecretChat ? "c" : "g") + thread.Id.ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string title) => title.Length <= 24 ? title : title[..23] + "…";
}
