using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Coffer.LoadTest;

/// <summary>
/// The chat scenario (issue 5, Speed): <c>--users</c> chat users, each with one WebSocket on <c>GET /api/live</c>,
/// spread over public groups of <c>--chat-group-size</c> members; a sender posts group messages at <c>--rate</c> per
/// second in aggregate (each from a member of the group, at most <c>--concurrency</c> in flight), while history pages
/// (<c>GET /api/group/{id}/messages?limit=50</c>, half of them with <c>before</c>) are fetched at
/// <c>--history-rate</c> per second. Measured: send-to-delivery latency (the sender's clock when the POST is issued to
/// the moment each member's socket has the frame; one process, one monotonic clock) and history page latency.
/// Bounded: setup by --users, warm-up and run by time, every request (sends and fetches) by --max-requests.
/// </summary>
public static class ChatRun
{
    private const int HistoryPage = 50;
    private const int MaxHistoryInFlight = 16;
    private const int SeqDigits = 9;
    private static readonly TimeSpan DrainWait = TimeSpan.FromSeconds(10);
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly byte[] ContentMarker = "\"content\":\""u8.ToArray();

    public static async Task<int> RunAsync(LoadSettings settings, TextWriter output, CancellationToken ct)
    {
        ChatSettings chat = settings.Chat;
        using var client = new LoadClient(settings.ApiBase, settings.Concurrency + MaxHistoryInFlight);
        if (settings.WaitForServer > TimeSpan.Zero && !await client.WaitForServerAsync(settings.WaitForServer, ct))
        {
            await output.WriteLineAsync($"coffer-loadtest: no answer from {settings.ApiBase} within {settings.WaitForServer.TotalSeconds} s");
            return 1;
        }

        var chatBase = new Uri(settings.ApiBase, "/api/");
        var state = new ChatState(chat, settings.MaxRequests);
        List<LoadUser> users = [];
        using var socketHandler = LoadClient.LoopbackWebSocketHandler();
        using var invoker = new HttpMessageInvoker(socketHandler);
        var sockets = new List<ClientWebSocket>();
        using var stopReceiving = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var receivers = new List<Task>();
        try
        {
            var clock = Stopwatch.StartNew();
            string run = Guid.NewGuid().ToString("N")[..8];
            var registered = new LoadUser[settings.Users];
            await Parallel.ForEachAsync(
                Enumerable.Range(0, settings.Users),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = ct },
                async (i, token) => registered[i] = await LoadUser.RegisterAsync(client, settings, $"chat-{run}-{i}", token));
            users = [.. registered];
            await output.WriteLineAsync(string.Create(Inv, $"setup: {users.Count} users registered and logged in in {clock.Elapsed.TotalSeconds:F1} s (untimed)"));

            // JWTs live 5 minutes and registering 1,000 users can take longer on a busy machine: fresh ones first.
            await RefreshJwtsAsync(client, settings, users, output, ct);
            clock.Restart();
            state.Groups = await CreateGroupsAsync(client, chatBase, users, chat.GroupSize, ct);
            await output.WriteLineAsync(string.Create(Inv,
                $"setup: {state.Groups.Length} public groups of up to {chat.GroupSize} members created and joined in {clock.Elapsed.TotalSeconds:F1} s (untimed)"));

            clock.Restart();
            var wsUrl = new UriBuilder(chatBase) { Scheme = chatBase.Scheme == "https" ? "wss" : "ws", Path = "/api/live" }.Uri;
            for (int g = 0; g < state.Groups.Length; g++)
            {
                foreach (LoadUser member in state.Groups[g].Members)
                {
                    var socket = new ClientWebSocket();
                    socket.Options.SetRequestHeader("Authorization", "Bearer " + member.Jwt);
                    sockets.Add(socket);
                    await socket.ConnectAsync(wsUrl, invoker, ct);
                    receivers.Add(Task.Run(() => ReceiveAsync(socket, state, stopReceiving.Token), CancellationToken.None));
                }
            }

            await output.WriteLineAsync(string.Create(Inv, $"setup: {sockets.Count} WebSockets open on {wsUrl} in {clock.Elapsed.TotalSeconds:F1} s (untimed)"));

            // Fresh JWTs again for the sends and fetches (the sockets stay authenticated from their upgrade).
            await RefreshJwtsAsync(client, settings, users, output, ct);

            if (settings.Warmup > TimeSpan.Zero)
            {
                await RunPhaseAsync(client, chatBase, state, settings, settings.Warmup, record: false, ct);
            }

            var cpu = CpuSnapshot.Take(settings.ServerPid);
            PhaseStats stats = await RunPhaseAsync(client, chatBase, state, settings, settings.Run, record: true, ct);
            CpuUsage usage = cpu.Since();
            (string rss, string peak) = ServerMemory(settings.ServerPid);

            // Deliveries still under way when the last send returned: wait (bounded) until every one has arrived.
            var drain = Stopwatch.StartNew();
            while (Interlocked.Read(ref state.Received) < Interlocked.Read(ref state.Expected) && drain.Elapsed < DrainWait)
            {
                await Task.Delay(50, ct);
            }

            state.Recording = false;
            int open = sockets.Count(s => s.State == WebSocketState.Open);
            await output.WriteAsync(Format(settings, state, stats, usage, rss, peak, open));
            return stats.Sent > 0 && Interlocked.Read(ref state.Received) > 0 ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or WebSocketException
            or TaskCanceledException && !ct.IsCancellationRequested)
        {
            await output.WriteLineAsync($"coffer-loadtest: chat run failed: {e.Message}");
            return 1;
        }
        finally
        {
            await stopReceiving.CancelAsync();
            foreach (ClientWebSocket socket in sockets)
            {
                socket.Abort();
                socket.Dispose();
            }

            await Task.WhenAll(receivers).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            users.ForEach(u => u?.Dispose());
        }
    }

    private static async Task RefreshJwtsAsync(LoadClient client, LoadSettings settings, List<LoadUser> users, TextWriter output, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (user, token) => await user.RefreshJwtAsync(client, settings, token));
        await output.WriteLineAsync(string.Create(Inv, $"setup: {users.Count} JWTs refreshed in {clock.Elapsed.TotalSeconds:F1} s (untimed)"));
    }

    /// <summary>Group g: users g·size … g·size + size − 1; the first creates it (public), the others join by id.</summary>
    private static async Task<ChatGroup[]> CreateGroupsAsync(LoadClient client, Uri chatBase, List<LoadUser> users, int size, CancellationToken ct)
    {
        int count = (users.Count + size - 1) / size;
        var groups = new ChatGroup[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (g, token) =>
        {
            LoadUser[] members = [.. users.Skip(g * size).Take(size)];
            byte[] created = await ExpectAsync(client, HttpMethod.Post, new Uri(chatBase, "group/create"),
                JsonSerializer.Serialize(new { name = $"load group {g}", type = "public" }), members[0].Jwt, token);
            using JsonDocument doc = JsonDocument.Parse(created);
            long id = doc.RootElement.GetProperty("group").GetProperty("id").GetInt64();
            foreach (LoadUser member in members.Skip(1))
            {
                await ExpectAsync(client, HttpMethod.Post, new Uri(chatBase, "group/join"), $"{{\"group_id\":{id}}}", member.Jwt, token);
            }

            groups[g] = new ChatGroup(id, members);
        });
        return groups;
    }

    private static async Task<byte[]> ExpectAsync(LoadClient client, HttpMethod method, Uri url, string body, string jwt, CancellationToken ct)
    {
        (HttpStatusCode status, byte[] answer) = await client.SendPlainAsync(method, url, body, jwt, ct);
        return (int)status is >= 200 and < 300 ? answer : throw new InvalidOperationException($"setup request {url.AbsolutePath} failed: HTTP {(int)status}");
    }

    /// <summary>
    /// One phase: sends paced at --rate (the sends due by now are started every millisecond, at most --concurrency in
    /// flight) and history fetches paced at --history-rate, until the phase ends or the request budget is spent.
    /// </summary>
    private static async Task<PhaseStats> RunPhaseAsync(
        LoadClient client, Uri chatBase, ChatState state, LoadSettings settings, TimeSpan length, bool record, CancellationToken ct)
    {
        var stats = new PhaseStats();
        using var inFlight = new SemaphoreSlim(settings.Concurrency);
        var tasks = new List<Task>();
        long firstSeq = state.NextSeq;
        if (record)
        {
            state.RecordFrom = firstSeq;
            state.Recording = true;
        }

        long start = Stopwatch.GetTimestamp();
        long end = start + (long)(length.TotalSeconds * Stopwatch.Frequency);
        // History fetches on their own loop, so a send loop waiting for a free slot never holds them up.
        Task history = Task.Run(() => HistoryLoopAsync(client, chatBase, state, settings, start, end, record, stats, ct), ct);
        long sentInPhase = 0;
        while (Stopwatch.GetTimestamp() < end && !state.Budget.Exhausted)
        {
            long dueSends = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * settings.Chat.Rate);
            while (sentInPhase < dueSends && Stopwatch.GetTimestamp() < end && state.NextSeq < state.SendTicks.Length)
            {
                if (!inFlight.Wait(0))
                {
                    stats.Late++;
                    TimeSpan left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), end);
                    if (left <= TimeSpan.Zero || !await inFlight.WaitAsync(left, ct))
                    {
                        break;
                    }
                }

                if (!state.Budget.TryTake())
                {
                    inFlight.Release();
                    break;
                }

                long seq = state.NextSeq++;
                sentInPhase++;
                tasks.Add(SendAsync(client, chatBase, state, seq, record, stats, inFlight, ct));
            }

            if (tasks.Count > 4096)
            {
                tasks.RemoveAll(t => t.IsCompleted);
            }

            await Task.Delay(1, ct);
        }

        stats.Elapsed = Stopwatch.GetElapsedTime(start);
        await history;
        await Task.WhenAll(tasks);
        if (record)
        {
            state.RecordTo = state.NextSeq;
        }

        return stats;
    }

    /// <summary>History fetches paced at --history-rate until <paramref name="end"/>, at most 16 in flight.</summary>
    private static async Task HistoryLoopAsync(
        LoadClient client, Uri chatBase, ChatState state, LoadSettings settings, long start, long end, bool record, PhaseStats stats, CancellationToken ct)
    {
        using var inFlight = new SemaphoreSlim(MaxHistoryInFlight);
        var fetches = new List<Task>();
        long started = 0;
        while (Stopwatch.GetTimestamp() < end)
        {
            long due = (long)(Stopwatch.GetElapsedTime(start).TotalSeconds * settings.Chat.HistoryRate);
            while (started < due && inFlight.Wait(0))
            {
                if (!state.Budget.TryTake())
                {
                    inFlight.Release();
                    break;
                }

                started++;
                fetches.Add(FetchHistoryAsync(client, chatBase, state, record, stats, inFlight, ct));
            }

            await Task.Delay(5, ct);
        }

        await Task.WhenAll(fetches);
    }

    private static async Task SendAsync(
        LoadClient client, Uri chatBase, ChatState state, long seq, bool record, PhaseStats stats, SemaphoreSlim inFlight, CancellationToken ct)
    {
        try
        {
            ChatGroup group = state.Groups[(int)(seq % state.Groups.Length)];
            LoadUser sender = group.Members[(int)(seq / state.Groups.Length % group.Members.Length)];
            // ~100 bytes: the sequence number (how a recipient finds the send time) and filler.
            string body = $"{{\"content\":\"{seq.ToString("D" + SeqDigits, Inv)} {state.Filler}\"}}";
            Volatile.Write(ref state.SendTicks[seq], Stopwatch.GetTimestamp());
            (HttpStatusCode status, byte[] answer) = await client.SendPlainAsync(HttpMethod.Post, group.MessagesUrl(chatBase), body, sender.Jwt, ct);
            if ((int)status is >= 200 and < 300)
            {
                if (record)
                {
                    Interlocked.Increment(ref stats.Sent);
                    Interlocked.Add(ref state.Expected, group.Members.Length);
                }

                using JsonDocument doc = JsonDocument.Parse(answer);
                group.LastMessageId = doc.RootElement.GetProperty("message").GetProperty("id").GetInt64();
            }
            else
            {
                stats.Error($"send: HTTP {(int)status}");
            }
        }
        catch (HttpRequestException e)
        {
            stats.Error("send: connection " + e.HttpRequestError);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            stats.Error("send: timeout");
        }
        finally
        {
            inFlight.Release();
        }
    }

    private static async Task FetchHistoryAsync(
        LoadClient client, Uri chatBase, ChatState state, bool record, PhaseStats stats, SemaphoreSlim inFlight, CancellationToken ct)
    {
        try
        {
            ChatGroup group = state.Groups[Random.Shared.Next(state.Groups.Length)];
            LoadUser reader = group.Members[Random.Shared.Next(group.Members.Length)];
            long last = group.LastMessageId;
            // Half the fetches: the newest page; the other half: a page ending at a random earlier message.
            string before = last > 0 && Random.Shared.Next(2) == 0 ? "&before=" + Random.Shared.NextInt64(1, last + 1).ToString(Inv) : "";
            var url = new Uri(chatBase, $"group/{group.Id}/messages?limit={HistoryPage}{before}");
            long start = Stopwatch.GetTimestamp();
            (HttpStatusCode status, byte[] _) = await client.SendPlainAsync(HttpMethod.Get, url, null, reader.Jwt, ct);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (status != HttpStatusCode.OK)
            {
                stats.Error($"history: HTTP {(int)status}");
            }
            else if (record)
            {
                lock (stats.HistoryMs)
                {
                    stats.HistoryMs.Add(ms);
                }
            }
        }
        catch (HttpRequestException e)
        {
            stats.Error("history: connection " + e.HttpRequestError);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            stats.Error("history: timeout");
        }
        finally
        {
            inFlight.Release();
        }
    }

    /// <summary>One socket's loop: every message.created frame's sequence number → latency since its send.</summary>
    private static async Task ReceiveAsync(ClientWebSocket socket, ChatState state, CancellationToken ct)
    {
        byte[] buffer = new byte[16384];
        var latencies = new List<float>();
        lock (state.Latencies)
        {
            state.Latencies.Add(latencies);
        }

        try
        {
            while (!ct.IsCancellationRequested)
            {
                int filled = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(filled), ct);
                    filled += result.Count;
                }
                while (!result.EndOfMessage && filled < buffer.Length);

                long now = Stopwatch.GetTimestamp();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (!result.EndOfMessage)
                {
                    continue; // not one of ours (too long); the rest of it is read as the next "frame" and ignored
                }

                ReadOnlySpan<byte> frame = buffer.AsSpan(0, filled);
                int at = frame.IndexOf(ContentMarker);
                if (at < 0 || frame.Length < at + ContentMarker.Length + SeqDigits
                    || !long.TryParse(Encoding.ASCII.GetString(frame.Slice(at + ContentMarker.Length, SeqDigits)), NumberStyles.None, Inv, out long seq)
                    || seq >= state.SendTicks.Length)
                {
                    continue;
                }

                if (state.Recording && seq >= state.RecordFrom && seq < state.RecordTo)
                {
                    latencies.Add((float)Stopwatch.GetElapsedTime(Volatile.Read(ref state.SendTicks[seq]), now).TotalMilliseconds);
                    Interlocked.Increment(ref state.Received);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static (string Rss, string Peak) ServerMemory(int? pid)
    {
        string path = $"/proc/{pid}/status";
        if (pid is null || !File.Exists(path))
        {
            return ("n/a", "n/a");
        }

        string[] lines = File.ReadAllLines(path);
        string Field(string name) => lines.FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal)) is string l
            ? $"{long.Parse(l[name.Length..].Trim().Split(' ')[0], Inv) / 1024} MB"
            : "n/a";
        return (Field("VmRSS:"), Field("VmHWM:"));
    }

    private static string Format(LoadSettings settings, ChatState state, PhaseStats stats, CpuUsage cpu, string rss, string peak, int open)
    {
        var text = new StringBuilder();
        double seconds = stats.Elapsed.TotalSeconds;
        float[] delivery = [.. state.Latencies.SelectMany(l => l)];
        Array.Sort(delivery);
        double[] history = [.. stats.HistoryMs];
        Array.Sort(history);
        long expected = Interlocked.Read(ref state.Expected);
        long received = Interlocked.Read(ref state.Received);
        double rate = stats.Sent / seconds;
        int members = state.Groups.Sum(g => g.Members.Length);
        text.AppendLine(Inv, $"== {settings.Label} / chat: {new Uri(settings.ApiBase, "/api/")}");
        text.AppendLine(Inv, $"connections {members} ({open} still open at the end), groups {state.Groups.Length} of ≤ {settings.Chat.GroupSize}, "
            + $"target {settings.Chat.Rate} messages/s, ≤ {settings.Concurrency} sends in flight, history {settings.Chat.HistoryRate}/s, timed {seconds:F1} s"
            + $"{(state.Budget.Exhausted ? " (stopped by --max-requests)" : "")}");
        text.AppendLine(Inv, $"sent {stats.Sent} messages: {rate:F1} messages/s ({stats.Late} started late: all {settings.Concurrency} in flight); "
            + $"deliveries {received} of {expected} expected ({rate * expected / Math.Max(1, stats.Sent):F0}/s), lost {expected - received}");
        text.AppendLine(Inv, $"send-to-delivery: p50 {P(delivery, 50):F2} ms, p95 {P(delivery, 95):F2} ms, p99 {P(delivery, 99):F2} ms, max {(delivery.Length > 0 ? delivery[^1] : double.NaN):F2} ms");
        text.AppendLine(Inv, $"history page ({HistoryPage} messages): {history.Length} fetches, p50 {P(history, 50):F2} ms, p95 {P(history, 95):F2} ms, p99 {P(history, 99):F2} ms, max {(history.Length > 0 ? history[^1] : double.NaN):F2} ms");
        string kinds = string.Join("; ", stats.Errors.OrderByDescending(e => e.Value).Select(e => string.Create(Inv, $"{e.Key} ×{e.Value}")));
        text.AppendLine(Inv, $"errors: {stats.Errors.Values.Sum()}{(stats.Errors.Count == 0 ? "" : " — " + kinds)}");
        text.AppendLine(Inv, $"client CPU: {cpu.Client.TotalSeconds:F2} s ({cpu.Client.TotalSeconds / seconds:F2} cores)");
        string serverCores = "n/a";
        if (cpu.Server is TimeSpan server)
        {
            serverCores = (server.TotalSeconds / seconds).ToString("F2", Inv);
            text.AppendLine(Inv, $"server CPU: {server.TotalSeconds:F2} s ({serverCores} cores, incl. nothing of PostgreSQL) = "
                + $"{server.TotalMilliseconds * 1000 / Math.Max(1, stats.Sent):F0} µs per message sent (with its fan-out and the history fetches); RSS {rss}, peak {peak}");
        }

        text.AppendLine(Inv, $"machine: {cpu.MachineBusyCores:F2} of {Environment.ProcessorCount} cores busy during the run, load average {cpu.LoadAverage}");
        text.AppendLine(Inv, $"| {settings.Label} | chat | {members} | {state.Groups.Length}×{settings.Chat.GroupSize} | {rate:F0} | "
            + $"{P(delivery, 50):F1} | {P(delivery, 95):F1} | {P(delivery, 99):F1} | {(delivery.Length > 0 ? delivery[^1] : double.NaN):F1} | "
            + $"{P(history, 50):F1} | {P(history, 99):F1} | {expected - received} | {stats.Errors.Values.Sum()} | {serverCores} | {rss} |");
        return text.ToString();
    }

    private static double P<T>(T[] sorted, double p)
        where T : IConvertible =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)].ToDouble(Inv);

    private sealed class ChatGroup(long id, LoadUser[] members)
    {
        public long Id { get; } = id;

        public LoadUser[] Members { get; } = members;

        public long LastMessageId { get; set; }

        public Uri MessagesUrl(Uri chatBase) => new(chatBase, $"group/{Id}/messages");
    }

    private sealed class ChatState(ChatSettings chat, long maxRequests)
    {
        public ChatGroup[] Groups { get; set; } = [];

        /// <summary>Send time of message seq (Stopwatch ticks); its length bounds the messages of the whole run.</summary>
        public long[] SendTicks { get; } = new long[Math.Min(maxRequests, ChatSettings.MaxMessages)];

        public string Filler { get; } = new('x', 90);

        public ChatBudget Budget { get; } = new(maxRequests);

        public List<List<float>> Latencies { get; } = [];

        public long NextSeq;
        public long RecordFrom = long.MaxValue;
        public long RecordTo = long.MaxValue;
        public volatile bool Recording;
        public long Expected;
        public long Received;

        public ChatSettings Settings { get; } = chat;
    }

    private sealed class PhaseStats
    {
        public long Sent;
        public long Late;

        public TimeSpan Elapsed { get; set; }

        public List<double> HistoryMs { get; } = [];

        public Dictionary<string, int> Errors { get; } = [];

        public void Error(string kind)
        {
            lock (Errors)
            {
                Errors[kind] = Errors.GetValueOrDefault(kind) + 1;
            }
        }
    }

    private sealed class ChatBudget(long max)
    {
        private long taken;

        public bool Exhausted => Interlocked.Read(ref taken) >= max;

        public bool TryTake() => Interlocked.Increment(ref taken) <= max;
    }
}
