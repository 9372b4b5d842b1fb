using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Coffer.Crypto;
using Coffer.Protocol.Groups;
using Coffer.Protocol.Json;
using Coffer.Protocol.Keys;

namespace Coffer.LoadTest;

/// <summary>
/// The group scenarios (issue 3). Setup, untimed: one creator registered and logged in through the API, a group created
/// through the API (POST /group, real key material), then older key generations and members seeded with SQL
/// (<see cref="GroupSeed"/>). Timed: group-fetch and member-page run <c>--concurrency</c> workers until the deadline
/// or the request budget; invite runs <c>--invites</c> complete invites one after the other (each with a new,
/// registered invitee), also bounded by the deadline.
/// </summary>
public static class GroupRun
{
    private const int PageSize = 50;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(LoadSettings settings, TextWriter output, CancellationToken ct)
    {
        using var client = new LoadClient(settings.ApiBase, settings.Concurrency);
        if (settings.WaitForServer > TimeSpan.Zero && !await client.WaitForServerAsync(settings.WaitForServer, ct))
        {
            await output.WriteLineAsync($"coffer-loadtest: no answer from {settings.ApiBase} within {settings.WaitForServer.TotalSeconds} s");
            return 1;
        }

        string run = Guid.NewGuid().ToString("N")[..8];
        LoadUser? creator = null;
        DbConnection? db = null;
        try
        {
            var clock = Stopwatch.StartNew();
            creator = await LoadUser.RegisterAsync(client, settings, $"group-{run}-creator", ct);
            string group = await CreateGroupAsync(client, settings, creator, ct);
            if (settings.Group.Database is string database)
            {
                db = await GroupSeed.OpenAsync(database, ct);
            }

            if (settings.Group.Keys > 1)
            {
                await GroupSeed.AddKeyGenerationsAsync(db!, group, creator.UserId, creator.UserKey.PublicKey, settings.Group.Keys - 1, ct);
            }

            long memberBase = 0;
            if (settings.Scenario == Scenario.MemberPage && settings.Group.Members > 1)
            {
                memberBase = await GroupSeed.AddMembersAsync(db!, group, settings.Group.Members - 1, ct);
            }

            await output.WriteLineAsync(string.Create(Inv,
                $"setup: creator, group with {settings.Group.Keys} key(s) and {(settings.Scenario == Scenario.MemberPage ? settings.Group.Members : 1)} member(s) in {clock.Elapsed.TotalSeconds:F1} s (untimed; SQL-seeded beyond the first key and member)"));
            return settings.Scenario switch
            {
                Scenario.GroupFetch => await FetchAsync(client, settings, creator, group, output, ct),
                Scenario.MemberPage => await MemberPageAsync(client, settings, creator, group, memberBase, output, ct),
                _ => await InviteAsync(client, settings, creator, group, db, run, output, ct),
            };
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or DbException or ArgumentException
            or TaskCanceledException && !ct.IsCancellationRequested)
        {
            await output.WriteLineAsync($"coffer-loadtest: setup failed: {e.GetType().Name}: {e.Message}");
            return 1;
        }
        finally
        {
            if (db is not null)
            {
                await db.DisposeAsync();
            }

            creator?.Dispose();
        }
    }

    // ---- group fetch -------------------------------------------------------------------------------------------------

    private static async Task<int> FetchAsync(LoadClient client, LoadSettings settings, LoadUser creator, string group, TextWriter output, CancellationToken ct)
    {
        int expectedKeys = Math.Min(settings.Group.Keys, PageSize);
        string path = $"group/{group}";
        async Task<(string? Error, int Kind)> Fetch(long n, CancellationToken token)
        {
            using Answer answer = await client.SendAsync(HttpMethod.Get, path, null, settings.PublicToken, creator.Jwt, token);
            return !answer.Ok ? ("GET group: " + answer.ErrorKind, 0)
                : answer.Result.GetProperty("keys").GetArrayLength() != expectedKeys ? ("GET group: wrong key count", 0)
                : (null, 0);
        }

        var budget = new Budget(settings.MaxRequests);
        if (settings.Warmup > TimeSpan.Zero)
        {
            await PhaseAsync(settings, budget, settings.Warmup, 1, Fetch, ct);
        }

        var cpu = CpuSnapshot.Take(settings.ServerPid);
        PhaseResult[] result = await PhaseAsync(settings, budget, settings.Run, 1, Fetch, ct);
        CpuUsage usage = cpu.Since();
        PhaseResult all = result[0];
        double rate = all.Completed / all.Elapsed.TotalSeconds;
        var text = new StringBuilder();
        text.AppendLine(Inv, $"== {settings.Label} / group-fetch, {settings.Group.Keys} key(s): {settings.ApiBase}");
        text.AppendLine(Inv, $"concurrency {settings.Concurrency}, timed {all.Elapsed.TotalSeconds:F1} s{(budget.Exhausted ? $" (stopped by --max-requests {settings.MaxRequests})" : "")}");
        text.AppendLine(Inv, $"completed {all.Completed} fetches: {rate:F1} req/s; p50 {all.Percentile(50):F2} ms, p95 {all.Percentile(95):F2} ms, p99 {all.Percentile(99):F2} ms");
        AppendErrorsAndCpu(text, all, usage);
        text.AppendLine(Inv, $"| {settings.Label} | group-fetch | {settings.Group.Keys} | {settings.Concurrency} | {rate:F0} | {all.Percentile(50):F1} | {all.Percentile(95):F1} | {all.Percentile(99):F1} | {all.Failed} |");
        await output.WriteAsync(text.ToString());
        return all.Completed > 0 && all.Failed == 0 ? 0 : 1;
    }

    // ---- member page ---------------------------------------------------------------------------------------------------

    private static async Task<int> MemberPageAsync(
        LoadClient client, LoadSettings settings, LoadUser creator, string group, long memberBase, TextWriter output, CancellationToken ct)
    {
        // The creator does not list itself: the list holds the seeded members 1..S, member N joined at base + N.
        int seeded = settings.Group.Members - 1;
        int middle = seeded / 2;
        int end = Math.Max(seeded - PageSize, 0);
        (string Name, string Path, int Expected)[] positions =
        [
            ("start", $"group/{group}/member/0/none", Math.Min(PageSize, seeded)),
            ("middle", Cursor(middle), Math.Min(PageSize, seeded - middle)),
            ("end", Cursor(end), Math.Min(PageSize, seeded - end)),
        ];
        string Cursor(int n) => n == 0 ? $"group/{group}/member/0/none" : $"group/{group}/member/{memberBase + n}/{GroupSeed.MemberId(n)}";

        async Task<(string? Error, int Kind)> Page(long n, CancellationToken token)
        {
            int kind = (int)(n % positions.Length);
            using Answer answer = await client.SendAsync(HttpMethod.Get, positions[kind].Path, null, settings.PublicToken, creator.Jwt, token);
            return !answer.Ok ? ("GET member page: " + answer.ErrorKind, kind)
                : answer.Result.GetArrayLength() != positions[kind].Expected ? ("GET member page: wrong row count", kind)
                : (null, kind);
        }

        var budget = new Budget(settings.MaxRequests);
        if (settings.Warmup > TimeSpan.Zero)
        {
            await PhaseAsync(settings, budget, settings.Warmup, positions.Length, Page, ct);
        }

        var cpu = CpuSnapshot.Take(settings.ServerPid);
        PhaseResult[] results = await PhaseAsync(settings, budget, settings.Run, positions.Length, Page, ct);
        CpuUsage usage = cpu.Since();
        PhaseResult all = Combine(results);
        var text = new StringBuilder();
        text.AppendLine(Inv, $"== {settings.Label} / member-page, {settings.Group.Members} members: {settings.ApiBase}");
        text.AppendLine(Inv, $"concurrency {settings.Concurrency}, timed {all.Elapsed.TotalSeconds:F1} s, {all.Completed / all.Elapsed.TotalSeconds:F1} pages/s{(budget.Exhausted ? $" (stopped by --max-requests {settings.MaxRequests})" : "")}");
        AppendErrorsAndCpu(text, all, usage);
        for (int i = 0; i < positions.Length; i++)
        {
            PhaseResult r = results[i];
            text.AppendLine(Inv, $"| {settings.Label} | member-page | {settings.Group.Members} | {positions[i].Name} | {r.Completed} | {r.Percentile(50):F2} | {r.Percentile(95):F2} | {r.Failed} |");
        }

        await output.WriteAsync(text.ToString());
        return all.Completed > 0 && all.Failed == 0 ? 0 : 1;
    }

    // ---- invite ----------------------------------------------------------------------------------------------------------

    private sealed record InviteTimes(double FetchMs, double DecryptMs, double PublicKeyMs, double EncryptMs, double UploadMs, double TotalMs);

    private static async Task<int> InviteAsync(
        LoadClient client, LoadSettings settings, LoadUser creator, string group, DbConnection? db, string run, TextWriter output, CancellationToken ct)
    {
        int warmups = settings.Warmup > TimeSpan.Zero ? 1 : 0;
        var clock = Stopwatch.StartNew();
        var invitees = new string[warmups + settings.Group.Invites];
        for (int i = 0; i < invitees.Length; i++)
        {
            invitees[i] = await LoadUser.RegisterOnlyAsync(client, settings, $"group-{run}-invitee-{i}", ct);
        }

        await output.WriteLineAsync(string.Create(Inv, $"setup: {invitees.Length} invitees registered in {clock.Elapsed.TotalSeconds:F1} s (untimed)"));
        var times = new List<InviteTimes>();
        var errors = new Dictionary<string, int>();
        long deadline = Stopwatch.GetTimestamp() + (long)(settings.Run.TotalSeconds * Stopwatch.Frequency);
        var cpu = CpuSnapshot.Take(settings.ServerPid);
        var timed = Stopwatch.StartNew();
        for (int i = 0; i < invitees.Length; i++)
        {
            // The deadline counts from the end of the warm-up; the first timed invite always runs (it is bounded by
            // its own 21 requests and their timeouts), later ones only before the deadline.
            bool warmup = i < warmups;
            if (!warmup && i > warmups && Stopwatch.GetTimestamp() >= deadline)
            {
                break;
            }

            string? error;
            InviteTimes? t = null;
            try
            {
                (error, t) = await InviteOnceAsync(client, settings, creator, group, invitees[i], ct);
                if (error is null && db is not null && await GroupSeed.MemberKeyCountAsync(db, group, invitees[i], ct) != settings.Group.Keys)
                {
                    error = "invitee does not hold every key";
                }
            }
            catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException or FormatException or CryptoException
                or TaskCanceledException && !ct.IsCancellationRequested)
            {
                error = "exception: " + e.GetType().Name;
            }

            if (warmup)
            {
                if (error is not null)
                {
                    errors["warm-up: " + error] = 1;
                }

                cpu = CpuSnapshot.Take(settings.ServerPid);
                timed.Restart();
                deadline = Stopwatch.GetTimestamp() + (long)(settings.Run.TotalSeconds * Stopwatch.Frequency);
                continue;
            }

            if (error is null)
            {
                times.Add(t!);
            }
            else
            {
                errors[error] = errors.GetValueOrDefault(error) + 1;
            }
        }

        CpuUsage usage = cpu.Since();
        var all = new PhaseResult([.. times.Select(x => x.TotalMs).Order()], errors, timed.Elapsed, TimeSpan.Zero);
        var text = new StringBuilder();
        text.AppendLine(Inv, $"== {settings.Label} / invite into a group with {settings.Group.Keys} key(s): {settings.ApiBase}");
        text.AppendLine(Inv, $"{all.Completed} invites one after the other ({(warmups > 0 ? "after one untimed warm-up invite" : "no warm-up")}), each: "
            + $"{Pages(settings.Group.Keys)} key page(s) fetched and {settings.Group.Keys} group keys decrypted, the invitee's public key fetched, "
            + $"{settings.Group.Keys} keys encrypted to it, PUT invite (first {Math.Min(PageSize, settings.Group.Keys)}, key_session) + {Pages(settings.Group.Keys) - 1} session page(s)");
        foreach (InviteTimes x in times)
        {
            text.AppendLine(Inv, $"  total {x.TotalMs:F0} ms = fetch {x.FetchMs:F0} + decrypt {x.DecryptMs:F0} + public key {x.PublicKeyMs:F0} + encrypt {x.EncryptMs:F0} + upload {x.UploadMs:F0} ms");
        }

        text.AppendLine(Inv, $"end to end: p50 {all.Percentile(50):F0} ms, max {(all.Completed > 0 ? all.SortedLatenciesMs[^1] : double.NaN):F0} ms");
        AppendErrorsAndCpu(text, all, usage);
        double Mean(Func<InviteTimes, double> f) => times.Count == 0 ? double.NaN : times.Average(f);
        text.AppendLine(Inv, $"| {settings.Label} | invite | {settings.Group.Keys} | {all.Completed} | {all.Percentile(50):F0} | {(all.Completed > 0 ? all.SortedLatenciesMs[^1] : double.NaN):F0} | "
            + $"{Mean(x => x.FetchMs):F0} | {Mean(x => x.DecryptMs):F0} | {Mean(x => x.EncryptMs):F0} | {Mean(x => x.UploadMs):F0} | {all.Failed} |");
        await output.WriteAsync(text.ToString());
        return all.Completed > 0 && all.Failed == 0 ? 0 : 1;
    }

    /// <summary>One complete invite as a client does it; the request bodies never appear in an error text (they hold keys).</summary>
    private static async Task<(string? Error, InviteTimes? Times)> InviteOnceAsync(
        LoadClient client, LoadSettings settings, LoadUser creator, string group, string invitee, CancellationToken ct)
    {
        long start = Stopwatch.GetTimestamp();
        long decryptTicks = 0;
        var keys = new List<(GroupKeyServerOutput Wire, SymmetricKey Key)>();
        try
        {
            // 1. Every key of the group, keyset pages of 50 (newest first), each group key decrypted with the user key.
            string cursor = "0/none";
            while (true)
            {
                using Answer page = await client.SendAsync(HttpMethod.Get, $"group/{group}/keys/{cursor}", null, settings.PublicToken, creator.Jwt, ct);
                if (!page.Ok)
                {
                    return ("GET keys: " + page.ErrorKind, null);
                }

                IReadOnlyList<GroupKeyServerOutput> wire = page.Result.Deserialize(ProtocolJsonContext.Default.IReadOnlyListGroupKeyServerOutput)!;
                long decryptStart = Stopwatch.GetTimestamp();
                foreach (GroupKeyServerOutput key in wire)
                {
                    if (key.UserPublicKeyId != creator.UserKey.PrivateKey.KeyId)
                    {
                        return ("GET keys: a key for another user key", null);
                    }

                    keys.Add((key, creator.UserKey.PrivateKey.UnwrapSymmetricKey(Convert.FromBase64String(key.EncryptedGroupKey), key.GroupKeyId)));
                }

                decryptTicks += Stopwatch.GetTimestamp() - decryptStart;
                if (wire.Count < PageSize)
                {
                    break;
                }

                cursor = string.Create(Inv, $"{wire[^1].Time}/{wire[^1].GroupKeyId}");
            }

            long fetched = Stopwatch.GetTimestamp();

            // 2. The invitee's public key.
            PublicKey inviteeKey;
            using (Answer answer = await client.SendAsync(HttpMethod.Get, $"user/{invitee}/public_key", null, settings.PublicToken, null, ct))
            {
                if (!answer.Ok)
                {
                    return ("GET public_key: " + answer.ErrorKind, null);
                }

                UserPublicKeyData data = answer.Result.Deserialize(ProtocolJsonContext.Default.UserPublicKeyData)!;
                inviteeKey = PublicKey.FromWireText(EncryptionAlgorithm.FromId(data.PublicKeyAlg), data.PublicKey, data.PublicKeyId);
            }

            long publicKeyDone = Stopwatch.GetTimestamp();

            // 3. Every group key encrypted to the invitee.
            List<GroupKeysForNewMember> forInvitee = [.. keys.Select(k => new GroupKeysForNewMember(
                Convert.ToBase64String(inviteeKey.Wrap(k.Key)), k.Wire.GroupKeyAlg, inviteeKey.Algorithm.Id, k.Wire.GroupKeyId, inviteeKey.KeyId))];
            long encrypted = Stopwatch.GetTimestamp();

            // 4. The invite with the first page and a key session, then the other pages into the session.
            string first = JsonSerializer.Serialize(
                new GroupKeysForNewMemberServerInput([.. forInvitee.Take(PageSize)], KeySession: forInvitee.Count > PageSize),
                ProtocolJsonContext.Default.GroupKeysForNewMemberServerInput);
            string? session;
            using (Answer invited = await client.SendAsync(HttpMethod.Put, $"group/{group}/invite/{invitee}", first, settings.PublicToken, creator.Jwt, ct))
            {
                if (!invited.Ok)
                {
                    return ("PUT invite: " + invited.ErrorKind, null);
                }

                session = invited.Result.TryGetProperty("session_id", out JsonElement s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            }

            for (int offset = PageSize; offset < forInvitee.Count; offset += PageSize)
            {
                if (session is null)
                {
                    return ("PUT invite: no session id", null);
                }

                string body = JsonSerializer.Serialize<IReadOnlyList<GroupKeysForNewMember>>(
                    [.. forInvitee.Skip(offset).Take(PageSize)], ProtocolJsonContext.Default.IReadOnlyListGroupKeysForNewMember);
                using Answer added = await client.SendAsync(HttpMethod.Put, $"group/{group}/invite/session/{session}", body, settings.PublicToken, creator.Jwt, ct);
                if (!added.Ok)
                {
                    return ("PUT invite session: " + added.ErrorKind, null);
                }
            }

            long done = Stopwatch.GetTimestamp();
            double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
            return (null, new InviteTimes(
                Ms(fetched - start - decryptTicks), Ms(decryptTicks), Ms(publicKeyDone - fetched), Ms(encrypted - publicKeyDone), Ms(done - encrypted), Ms(done - start)));
        }
        finally
        {
            keys.ForEach(k => k.Key.Dispose());
        }
    }

    private static int Pages(int keys) => (keys + PageSize - 1) / PageSize;

    // ---- shared --------------------------------------------------------------------------------------------------------

    /// <summary>POST /group with real key material: the group key wrapped to the creator's user public key.</summary>
    private static async Task<string> CreateGroupAsync(LoadClient client, LoadSettings settings, LoadUser creator, CancellationToken ct)
    {
        PublicKey owner = creator.UserKey.PublicKey;
        using SymmetricKey groupKey = SymmetricKey.Generate();
        using SymmetricKey hmacKey = SymmetricKey.Generate();
        byte[] sortableKey = RandomNumberGenerator.GetBytes(16);
        (PrivateKey privateKey, PublicKey publicKey) = PrivateKey.Generate(EncryptionAlgorithm.Default);
        CreateData data;
        using (privateKey)
        {
            data = new CreateData(
                EncryptedGroupKey: Convert.ToBase64String(owner.Wrap(groupKey)),
                GroupKeyAlg: SymmetricKey.AlgorithmId,
                EncryptedGroupKeyAlg: owner.Algorithm.Id,
                EncryptedPrivateGroupKey: Convert.ToBase64String(groupKey.Wrap(privateKey)),
                PublicGroupKey: publicKey.ToWireText(),
                KeypairEncryptAlg: publicKey.Algorithm.Id,
                CreatorPublicKeyId: owner.KeyId,
                EncryptedHmacKey: Convert.ToBase64String(groupKey.Wrap(hmacKey)),
                EncryptedHmacAlg: "HMAC-SHA256",
                EncryptedSortableKey: Convert.ToBase64String(groupKey.Encrypt(sortableKey)),
                EncryptedSortableAlg: "OPE-16");
        }

        CryptographicOperations.ZeroMemory(sortableKey);
        string created = await LoadUser.ExpectOkAsync(
            client, HttpMethod.Post, "group", JsonSerializer.Serialize(data, ProtocolJsonContext.Default.CreateData), settings.PublicToken, creator.Jwt, ct);
        using JsonDocument doc = JsonDocument.Parse(created);
        return doc.RootElement.GetProperty("result").GetProperty("group_id").GetString()!;
    }

    private static void AppendErrorsAndCpu(StringBuilder text, PhaseResult all, CpuUsage cpu)
    {
        double seconds = all.Elapsed.TotalSeconds;
        string kinds = string.Join("; ", all.Errors.OrderByDescending(e => e.Value).Select(e => string.Create(Inv, $"{e.Key} ×{e.Value}")));
        text.AppendLine(Inv, $"errors: {all.Failed}{(all.Failed == 0 ? "" : " — " + kinds)}");
        text.AppendLine(Inv, $"client CPU: {cpu.Client.TotalSeconds:F2} s ({cpu.Client.TotalSeconds / seconds:F2} cores)");
        if (cpu.Server is TimeSpan server)
        {
            string perOperation = all.Completed > 0 ? string.Create(Inv, $" = {server.TotalMilliseconds * 1000 / all.Completed:F0} µs per operation") : "";
            text.AppendLine(Inv, $"server CPU: {server.TotalSeconds:F2} s ({server.TotalSeconds / seconds:F2} cores){perOperation}");
        }

        text.AppendLine(Inv, $"machine: {cpu.MachineBusyCores:F2} of {Environment.ProcessorCount} cores busy, load average {cpu.LoadAverage}");
    }

    private static PhaseResult Combine(PhaseResult[] results)
    {
        var errors = new Dictionary<string, int>();
        foreach ((string kind, int count) in results.SelectMany(r => r.Errors))
        {
            errors[kind] = errors.GetValueOrDefault(kind) + count;
        }

        return new PhaseResult([.. results.SelectMany(r => r.SortedLatenciesMs).Order()], errors, results[0].Elapsed, TimeSpan.Zero);
    }

    /// <summary>
    /// <c>--concurrency</c> workers call <paramref name="operation"/> (numbered 0, 1, 2, … per worker, offset by
    /// the worker number) until the deadline or the budget; latencies of successes and errors are kept per kind.
    /// </summary>
    private static async Task<PhaseResult[]> PhaseAsync(
        LoadSettings settings, Budget budget, TimeSpan length, int kinds, Func<long, CancellationToken, Task<(string? Error, int Kind)>> operation,
        CancellationToken ct)
    {
        var latencies = new List<double>[settings.Concurrency, kinds];
        var errors = new Dictionary<string, int>[settings.Concurrency, kinds];
        var clock = Stopwatch.StartNew();
        long deadline = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        var tasks = new Task[settings.Concurrency];
        for (int w = 0; w < tasks.Length; w++)
        {
            int worker = w;
            for (int k = 0; k < kinds; k++)
            {
                latencies[worker, k] = [];
                errors[worker, k] = [];
            }

            tasks[w] = Task.Run(async () =>
            {
                for (long n = worker; Stopwatch.GetTimestamp() < deadline && budget.TryTake(); n += 1)
                {
                    long start = Stopwatch.GetTimestamp();
                    string? error;
                    int kind = (int)(n % kinds);
                    try
                    {
                        (error, kind) = await operation(n, ct);
                    }
                    catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                    {
                        error = $"timeout ({LoadClient.RequestTimeout.TotalSeconds:F0} s)";
                    }
                    catch (HttpRequestException e)
                    {
                        error = "connection: " + e.HttpRequestError;
                    }
                    catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
                    {
                        error = "bad answer: " + e.GetType().Name;
                    }

                    if (error is null)
                    {
                        latencies[worker, kind].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }
                    else
                    {
                        errors[worker, kind][error] = errors[worker, kind].GetValueOrDefault(error) + 1;
                    }
                }
            }, ct);
        }

        await Task.WhenAll(tasks);
        TimeSpan elapsed = clock.Elapsed;
        var results = new PhaseResult[kinds];
        for (int k = 0; k < kinds; k++)
        {
            var merged = new Dictionary<string, int>();
            for (int w = 0; w < tasks.Length; w++)
            {
                foreach ((string e, int c) in errors[w, k])
                {
                    merged[e] = merged.GetValueOrDefault(e) + c;
                }
            }

            double[] sorted = [.. Enumerable.Range(0, tasks.Length).SelectMany(w => latencies[w, k])];
            Array.Sort(sorted);
            results[k] = new PhaseResult(sorted, merged, elapsed, TimeSpan.Zero);
        }

        return results;
    }

    /// <summary>The shared request budget of warm-up and run (one request per operation).</summary>
    private sealed class Budget(long max)
    {
        private long taken;

        public bool Exhausted => Interlocked.Read(ref taken) >= max;

        public bool TryTake() => Interlocked.Increment(ref taken) <= max;
    }
}
