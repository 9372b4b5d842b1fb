using System.Diagnostics;
using System.Text;

namespace Coffer.LoadTest;

/// <summary>
/// One run: register the users (untimed), warm up, then the timed phase. Worker w owns users w, w + C, w + 2C, … (C =
/// concurrency), so no user is logged in twice at once (a second done_login would replace nothing, but one verify
/// deletes all challenges of the device). Each worker stops at the deadline or when the shared request budget is spent.
/// </summary>
public static class LoadRun
{
    public static async Task<int> RunAsync(LoadSettings settings, TextWriter output, CancellationToken ct)
    {
        using var client = new LoadClient(settings.ApiBase, settings.Concurrency);
        if (settings.WaitForServer > TimeSpan.Zero && !await client.WaitForServerAsync(settings.WaitForServer, ct))
        {
            await output.WriteLineAsync($"coffer-loadtest: no answer from {settings.ApiBase} within {settings.WaitForServer.TotalSeconds} s");
            return 1;
        }

        List<LoadUser> users;
        try
        {
            users = await RegisterUsersAsync(client, settings, output, ct);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            await output.WriteLineAsync($"coffer-loadtest: setup failed: {e.Message}");
            return 1;
        }

        try
        {
            var budget = new RequestBudget(settings.MaxRequests);
            if (settings.Warmup > TimeSpan.Zero)
            {
                await RunPhaseAsync(client, settings, users, budget, settings.Warmup, ct);
            }

            var cpu = CpuSnapshot.Take(settings.ServerPid);
            PhaseResult result = await RunPhaseAsync(client, settings, users, budget, settings.Run, ct);
            CpuUsage usage = cpu.Since();
            await output.WriteAsync(LoadReport.Format(settings, result, usage, budget.Exhausted));
            return result.Completed > 0 ? 0 : 1;
        }
        finally
        {
            users.ForEach(u => u.Dispose());
        }
    }

    private static async Task<List<LoadUser>> RegisterUsersAsync(LoadClient client, LoadSettings settings, TextWriter output, CancellationToken ct)
    {
        string run = Guid.NewGuid().ToString("N")[..8];
        var users = new LoadUser[settings.Users];
        var clock = Stopwatch.StartNew();
        // Argon2 (twice per user) and the key generation are CPU work: no more parallel than there are cores.
        await Parallel.ForEachAsync(
            Enumerable.Range(0, settings.Users),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Min(settings.Concurrency, Environment.ProcessorCount), CancellationToken = ct },
            async (i, token) => users[i] = await LoadUser.RegisterAsync(client, settings, $"load-{run}-{i}", token));
        await output.WriteLineAsync($"setup: {settings.Users} users registered and logged in once in {clock.Elapsed.TotalSeconds:F1} s (untimed)");
        return [.. users];
    }

    private static async Task<PhaseResult> RunPhaseAsync(
        LoadClient client, LoadSettings settings, List<LoadUser> users, RequestBudget budget, TimeSpan length, CancellationToken ct)
    {
        int requestsPerOperation = settings.Scenario == Scenario.Login ? 3 : 1;
        var workers = new Worker[settings.Concurrency];
        var clock = Stopwatch.StartNew();
        long deadline = Stopwatch.GetTimestamp() + (long)(length.TotalSeconds * Stopwatch.Frequency);
        Task[] tasks = new Task[workers.Length];
        for (int w = 0; w < workers.Length; w++)
        {
            List<LoadUser> own = [.. users.Where((_, i) => i % workers.Length == w)];
            workers[w] = new Worker();
            Worker worker = workers[w];
            tasks[w] = Task.Run(async () =>
            {
                for (int next = 0; Stopwatch.GetTimestamp() < deadline && budget.TryTake(requestsPerOperation); next++)
                {
                    await worker.RunOperationAsync(client, settings, own[next % own.Count], ct);
                }
            }, ct);
        }

        await Task.WhenAll(tasks);
        clock.Stop();
        return PhaseResult.Merge(workers, clock.Elapsed);
    }

    /// <summary>The request budget shared by all workers and both phases (warm-up and run).</summary>
    private sealed class RequestBudget(long max)
    {
        private long taken;

        public bool Exhausted => Interlocked.Read(ref taken) >= max;

        public bool TryTake(int requests) => Interlocked.Add(ref taken, requests) <= max;
    }
}

/// <summary>One worker's operations: latencies of the successful ones, errors by kind, time spent decrypting challenges.</summary>
public sealed class Worker
{
    public List<double> LatenciesMs { get; } = [];

    public Dictionary<string, int> Errors { get; } = [];

    public long DecryptTicks { get; private set; }

    public async Task RunOperationAsync(LoadClient client, LoadSettings settings, LoadUser user, CancellationToken ct)
    {
        long start = Stopwatch.GetTimestamp();
        string? error;
        try
        {
            error = settings.Scenario == Scenario.Login ? await LoginAsync(client, settings, user, ct) : await RefreshAsync(client, settings, user, ct);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            error = $"timeout ({LoadClient.RequestTimeout.TotalSeconds:F0} s)";
        }
        catch (HttpRequestException e)
        {
            error = "connection: " + e.HttpRequestError;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or FormatException or Coffer.Crypto.CryptoException)
        {
            // A malformed answer (or a challenge that does not decrypt): counted, the run goes on.
            error = "bad answer: " + e.GetType().Name;
        }

        if (error is null)
        {
            LatenciesMs.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        else
        {
            Errors[error] = Errors.GetValueOrDefault(error) + 1;
        }
    }

    /// <summary>prepare_login, done_login, the challenge decrypted with the device key (timed separately), verify_login.</summary>
    private async Task<string?> LoginAsync(LoadClient client, LoadSettings settings, LoadUser user, CancellationToken ct)
    {
        using (Answer prepared = await client.SendAsync(HttpMethod.Post, "prepare_login", user.PrepareLoginBody, settings.PublicToken, null, ct))
        {
            if (!prepared.Ok)
            {
                return "prepare_login: " + prepared.ErrorKind;
            }
        }

        string challenge;
        using (Answer done = await client.SendAsync(HttpMethod.Post, "done_login", user.DoneLoginBody, settings.PublicToken, null, ct))
        {
            if (!done.Ok)
            {
                return "done_login: " + done.ErrorKind;
            }

            long decryptStart = Stopwatch.GetTimestamp();
            byte[] encrypted = Convert.FromBase64String(done.Result.GetProperty("Direct").GetProperty("challenge").GetString()!);
            challenge = Encoding.UTF8.GetString(user.DeviceKey.Decrypt(encrypted));
            DecryptTicks += Stopwatch.GetTimestamp() - decryptStart;
        }

        using Answer verified = await client.SendAsync(HttpMethod.Post, "verify_login", user.VerifyLoginBody(challenge), settings.PublicToken, null, ct);
        return verified.Ok && verified.Result.TryGetProperty("jwt", out _) ? null : "verify_login: " + verified.ErrorKind;
    }

    private static async Task<string?> RefreshAsync(LoadClient client, LoadSettings settings, LoadUser user, CancellationToken ct)
    {
        using Answer refreshed = await client.SendAsync(HttpMethod.Put, "refresh", user.RefreshBody, settings.PublicToken, user.Jwt, ct);
        return refreshed.Ok && refreshed.Result.TryGetProperty("jwt", out _) ? null : "refresh: " + refreshed.ErrorKind;
    }
}

/// <summary>All workers of a phase together.</summary>
public sealed record PhaseResult(double[] SortedLatenciesMs, Dictionary<string, int> Errors, TimeSpan Elapsed, TimeSpan DecryptTime)
{
    public int Completed => SortedLatenciesMs.Length;

    public int Failed => Errors.Values.Sum();

    public static PhaseResult Merge(IReadOnlyList<Worker> workers, TimeSpan elapsed)
    {
        double[] latencies = [.. workers.SelectMany(w => w.LatenciesMs)];
        Array.Sort(latencies);
        var errors = new Dictionary<string, int>();
        foreach ((string kind, int count) in workers.SelectMany(w => w.Errors))
        {
            errors[kind] = errors.GetValueOrDefault(kind) + count;
        }

        long decryptTicks = workers.Sum(w => w.DecryptTicks);
        return new PhaseResult(latencies, errors, elapsed, TimeSpan.FromSeconds((double)decryptTicks / Stopwatch.Frequency));
    }

    /// <summary>Nearest-rank percentile of the successful operations' latencies.</summary>
    public double Percentile(double p) =>
        Completed == 0 ? double.NaN : SortedLatenciesMs[Math.Clamp((int)Math.Ceiling(p / 100 * Completed) - 1, 0, Completed - 1)];
}
