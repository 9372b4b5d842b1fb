using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Coffer.Protocol.Groups;
using Coffer.Rotation.Bench;
using Coffer.Server;
using Coffer.Server.Data;
using Coffer.Server.Features.Rotation;
using Coffer.Server.Tests.Infrastructure;
using Npgsql;

namespace Coffer.Cli.Tests.Rotation;

/// <summary>
/// The fan-out survives SIGKILL: a rotation for 10,000 members on one PostgreSQL shared by two <c>coffer serve</c>
/// processes; both are killed at 5 random points of the fan-out and restarted. At the end every member has exactly one
/// pending row, decrypts the new key from it and finishes.
/// </summary>
public sealed class RotationCrashTests
{
    private const int Members = 10_000;
    private const int Kills = 5;

    [Fact]
    public async Task FanOut_KilledFiveTimesWithTwoProcesses_EveryMemberGetsExactlyOneKeyAndFinishes()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        var postgres = new PostgresCluster();
        await postgres.InitializeAsync();
        try
        {
            string connectionString = await postgres.CreateDatabaseAsync();
            var environment = new Dictionary<string, string>
            {
                ["Coffer__RootKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                // Small batches give the kills many different places to land.
                [RotationFanOut.BatchSizeKey.Replace(":", "__", StringComparison.Ordinal)] = "200",
            };
            var servers = new ServerProcess?[2];
            try
            {
                servers[0] = await ServerProcess.StartAsync(connectionString, environment);
                servers[1] = await ServerProcess.StartAsync(connectionString, environment);
                using RotationSeed seed = await RotationSeed.CreateAsync(connectionString, Members, keyPairs: 5, ct);

                var database = new Database(connectionString);
                var store = new RotationStore(database, TimeProvider.System);
                (KeyRotationData data, SymmetricKeyHolder newKey) = Start(seed);
                Outcome<KeyRotationStartServerOutput> started = await store.StartGroupRotationAsync(
                    new AppId(seed.AppId), seed.GroupId, seed.InvokerId, null, data, ct);
                Assert.Null(started.Error);
                string key = started.Value!.KeyId;

                // Kill points: 5 random member counts in 5–85 % of the fan-out, each reached after the previous restart.
                int[] points = [.. Enumerable.Range(0, Kills).Select(_ => Random.Shared.Next(Members / 20, Members * 85 / 100)).Order()];
                var killedAt = new List<long>();
                var workers = new HashSet<string>();
                foreach (int point in points)
                {
                    long last = killedAt.Count == 0 ? -1 : killedAt[^1];
                    long processed = await WaitForAsync(connectionString, key, p => p >= point && p > last, workers, TimeSpan.FromSeconds(60), ct);
                    Assert.True(processed < Members, $"the fan-out finished before kill {killedAt.Count + 1} (points {string.Join(", ", points)})");
                    await Task.Delay(Random.Shared.Next(0, 40), ct); // land inside a batch, not just after a commit
                    await Task.WhenAll(servers.Select(s => s!.KillAsync()));
                    killedAt.Add(await ProcessedAsync(connectionString, key, workers, ct));
                    for (int i = 0; i < servers.Length; i++)
                    {
                        await servers[i]!.DisposeAsync();
                        servers[i] = null;
                    }

                    // Orchestration only: the test holds the job row while both processes start again (their claims skip it),
                    // so the first one up does not run away with the fan-out before the second is there. Taking the lock
                    // also shows that PostgreSQL released the killed processes' row locks.
                    await using var pause = new NpgsqlConnection(connectionString);
                    await pause.OpenAsync(ct);
                    await using (NpgsqlTransaction hold = await pause.BeginTransactionAsync(ct))
                    {
                        await using (var lockJob = new NpgsqlCommand("SELECT key_id FROM rotation_job WHERE key_id = @k FOR UPDATE", pause, hold))
                        {
                            lockJob.Parameters.AddWithValue("k", key);
                            await lockJob.ExecuteScalarAsync(ct);
                        }

                        ServerProcess[] restarted = await Task.WhenAll(servers.Select(_ => ServerProcess.StartAsync(connectionString, environment)));
                        restarted.CopyTo(servers, 0);
                        await hold.CommitAsync(ct);
                    }
                }

                await WaitForAsync(connectionString, key, _ => false, workers, TimeSpan.FromSeconds(60), ct, untilFinished: true);
                TestContext.Current.TestOutputHelper?.WriteLine(
                    $"killed at processed = {string.Join(", ", killedAt)}; batches claimed by {string.Join(", ", workers)}; {clock.Elapsed.TotalSeconds:F1} s");

                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(ct);
                Assert.Equal(0L, await ScalarAsync(connection,
                    """
                    SELECT COUNT(*) FROM group_member m
                    WHERE m.group_id = @g AND m.member_id <> @inv
                      AND (SELECT COUNT(*) FROM rotation_pending p WHERE p.key_id = @k AND p.member_id = m.member_id) <> 1
                    """, ct, ("g", seed.GroupId), ("inv", seed.InvokerId), ("k", key)));
                Assert.Equal((long)Members, await ScalarAsync(connection,
                    "SELECT COUNT(*) FROM rotation_pending WHERE key_id = @k AND error IS NULL AND encrypted_ephemeral_key <> ''", ct, ("k", key)));
                Assert.Equal(0L, await ScalarAsync(connection,
                    "SELECT COUNT(*) FROM group_key WHERE id = @k AND encrypted_ephemeral_key IS NOT NULL", ct, ("k", key)));
                Assert.Equal((long)Members, await ScalarAsync(connection,
                    "SELECT processed FROM rotation_job WHERE key_id = @k AND status = 2 AND total = processed", ct, ("k", key)));

                // Every member decrypts the new key from its row and finishes through the real finish use case.
                var rows = new List<(string Member, string By, string Cipher)>();
                await using (var command = new NpgsqlCommand(
                    "SELECT member_id, encrypted_by_key_id, encrypted_ephemeral_key FROM rotation_pending WHERE key_id = @k", connection))
                {
                    command.Parameters.AddWithValue("k", key);
                    await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
                    }
                }

                var wrong = new ConcurrentBag<string>();
                Parallel.ForEach(rows, new ParallelOptions { CancellationToken = ct }, row =>
                {
                    if (!seed.OpenRotation(row.By, row.Cipher, data.EncryptedGroupKeyByEphemeral).AsSpan().SequenceEqual(newKey.Raw))
                    {
                        wrong.Add(row.Member);
                    }
                });
                Assert.Empty(wrong);

                var done = new DoneKeyRotationData("opaque-copy-for-the-member", "member-key", "ECIES-ed25519_KYBER_768");
                await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (row, token) =>
                    Assert.Null(await store.FinishGroupRotationAsync(new AppId(seed.AppId), seed.GroupId, row.Member, null, key, done, token)));
                TestContext.Current.TestOutputHelper?.WriteLine($"every member finished: {clock.Elapsed.TotalSeconds:F1} s");
                Assert.Equal(0L, await ScalarAsync(connection, "SELECT COUNT(*) FROM rotation_pending WHERE key_id = @k", ct, ("k", key)));
                Assert.Equal(Members + 1L, await ScalarAsync(connection, "SELECT COUNT(*) FROM member_key WHERE key_id = @k", ct, ("k", key)));
                Assert.Equal(Kills, killedAt.Count);
            }
            finally
            {
                foreach (ServerProcess? server in servers)
                {
                    if (server is not null)
                    {
                        await server.DisposeAsync();
                    }
                }
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await postgres.DisposeAsync();
        }
    }

    private static (KeyRotationData Data, SymmetricKeyHolder NewKey) Start(RotationSeed seed)
    {
        (KeyRotationData data, Coffer.Crypto.SymmetricKey newKey) = seed.RotationData();
        using (newKey)
        {
            return (data, new SymmetricKeyHolder(newKey.ExportRaw()));
        }
    }

    /// <summary>Polls the job every 5 ms until <paramref name="until"/> holds (or it finished); returns processed.</summary>
    private static async Task<long> WaitForAsync(
        string connectionString, string key, Func<long, bool> until, HashSet<string> workers, TimeSpan limit, CancellationToken ct,
        bool untilFinished = false)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            (long processed, int status, string? worker) = await JobAsync(connection, key, ct);
            if (worker is not null)
            {
                workers.Add(worker);
            }

            if (until(processed) || status == (int)RotationStatus.Finished)
            {
                if (!untilFinished || status == (int)RotationStatus.Finished)
                {
                    return processed;
                }
            }

            await Task.Delay(5, ct);
        }

        throw new TimeoutException($"The rotation job did not get there within {limit}.");
    }

    private static async Task<long> ProcessedAsync(string connectionString, string key, HashSet<string> workers, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        (long processed, _, string? worker) = await JobAsync(connection, key, ct);
        if (worker is not null)
        {
            workers.Add(worker);
        }

        return processed;
    }

    private static async Task<(long Processed, int Status, string? Worker)> JobAsync(NpgsqlConnection connection, string key, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT processed, status, claimed_by FROM rotation_job WHERE key_id = @k", connection);
        command.Parameters.AddWithValue("k", key);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(ct);
        Assert.True(await reader.ReadAsync(ct));
        return (reader.GetInt64(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2));
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The expected new key's raw bytes (the test is the client here, so it may hold them).</summary>
    private sealed record SymmetricKeyHolder(byte[] Raw);
}
