using System.Data.Common;
using Coffer.Crypto;
using Coffer.Server.Data;
using Dapper;

namespace Coffer.Server.Features.Rotation;

/// <summary>
/// The fan-out of api.md §6.2 as a durable job, one batch per transaction:
/// <list type="number">
/// <item>claim the oldest unfinished <c>rotation_job</c> row (PostgreSQL: <c>FOR UPDATE SKIP LOCKED</c>, so with several
/// server processes each batch belongs to exactly one of them; the lock ends with the transaction, so a killed process
/// leaves nothing behind);</item>
/// <item>read the next page of members after the job's keyset cursor (joined_at, member_id) that have neither a member-key
/// nor a pending row for the new key K;</item>
/// <item>encrypt the stored ephemeral key to each member's newest public key, in parallel over the cores;</item>
/// <item>append the pending rows (PostgreSQL: binary COPY) and move the cursor in the same transaction.</item>
/// </list>
/// When the cursor pass is exhausted a sweep without cursor looks for members still missing (members who joined during
/// the rotation behind the cursor, clocks of other processes) and fans out to them; only a sweep that finds nobody
/// finishes the job, in the same serializable transaction: the stored ephemeral key is nulled and the job marked
/// finished. A crash anywhere loses at most the uncommitted batch, which the next claim redoes; members are never
/// skipped (the cursor moves only with committed rows) nor doubled (the NOT EXISTS filter under the job lock, and the
/// primary key, which fails a batch rather than let a second row in).
/// </summary>
public sealed class RotationFanOut(Database database, TimeProvider clock, IConfiguration configuration)
{
    public const string BatchSizeKey = "Coffer:Rotation:BatchSize";
    public const int DefaultBatchSize = 1000;

    /// <summary>Rows read, encrypted and written as one step of a batch.</summary>
    private const int ChunkSize = 250;

    private static readonly string Worker = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>Members per transaction (rounded up to whole chunks).</summary>
    public int BatchSize { get; } = configuration.GetValue(BatchSizeKey, DefaultBatchSize) is int size and > 0 ? size : DefaultBatchSize;

    private int Chunk => Math.Min(ChunkSize, BatchSize);

    /// <summary>Runs one batch of the oldest unclaimed job; false when there was nothing to do.</summary>
    public Task<bool> RunBatchAsync(CancellationToken ct) =>
        database.InSerializableTransactionAsync(async (connection, transaction) =>
        {
            JobRow? job = await connection.QuerySingleOrDefaultAsync<JobRow>(new CommandDefinition(
                $"""
                SELECT j.key_id AS KeyId, j.group_id AS GroupId, j.user_group_owner_id AS UserGroupOwnerId,
                       j.cursor_joined_at AS CursorJoinedAt, j.cursor_member_id AS CursorMemberId,
                       gk.encrypted_ephemeral_key AS EncryptedEphemeralKey
                FROM rotation_job j JOIN group_key gk ON gk.id = j.key_id
                WHERE j.status < {(int)RotationStatus.Finished}
                ORDER BY j.started_at, j.key_id
                LIMIT 1 {database.Dialect.LockSkipLocked("j")}
                """,
                transaction: transaction, cancellationToken: ct));
            if (job is null)
            {
                return false;
            }

            long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            (long JoinedAt, string MemberId) cursor = (job.CursorJoinedAt ?? long.MinValue, job.CursorMemberId ?? "");
            List<Recipient> chunk = await RecipientsAsync(connection, transaction, job, cursor, ct);
            bool sweep = chunk.Count == 0;
            if (sweep)
            {
                chunk = await RecipientsAsync(connection, transaction, job, (long.MinValue, ""), ct);
            }

            if (chunk.Count == 0)
            {
                await FinishAsync(connection, transaction, job.KeyId, now, ct);
                return true;
            }

            // A pipeline of chunks: while the cores encrypt chunk i, the connection finishes writing chunk i-1 and reads
            // chunk i+1 (keyset after chunk i, so an unwritten chunk is never read twice, in the sweep too).
            byte[]? ephemeral = Ephemeral(job.EncryptedEphemeralKey);
            int inserted = 0;
            int taken = 0;
            Task<int> writing = Task.FromResult(0);
            Recipient last = chunk[^1];
            while (chunk.Count > 0)
            {
                taken += chunk.Count;
                last = chunk[^1];
                bool more = chunk.Count == Chunk && taken < BatchSize;
                Task<(int Written, List<Recipient> Next)> databaseStep = NextAsync(writing, more ? (last.JoinedAt, last.MemberId) : null);
                PendingRow[] rows = Encrypt(chunk, ephemeral, ct);
                (int written, chunk) = await databaseStep;
                inserted += written;
                writing = InsertPendingAsync(connection, transaction, job, rows, now, ct);
            }

            inserted += await writing;
            // The sweep reads members anywhere, so it leaves the cursor where the ordered pass ended.
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE rotation_job
                SET status = @running, processed = processed + @inserted,
                    total = CASE WHEN total IS NULL OR total < processed + @inserted THEN processed + @inserted ELSE total END,
                    cursor_joined_at = @cursorJoinedAt, cursor_member_id = @cursorMemberId,
                    claimed_by = @worker, claimed_until = @now
                WHERE key_id = @key
                """,
                new
                {
                    running = (int)RotationStatus.Running, inserted, key = job.KeyId, worker = Worker, now,
                    cursorJoinedAt = sweep ? job.CursorJoinedAt : last.JoinedAt,
                    cursorMemberId = sweep ? job.CursorMemberId : last.MemberId,
                },
                transaction, cancellationToken: ct));
            return true;

            async Task<(int, List<Recipient>)> NextAsync(Task<int> previousWrite, (long, string)? after)
            {
                int written = await previousWrite;
                return (written, after is { } position ? await RecipientsAsync(connection, transaction, job, position, ct) : []);
            }
        }, ct);

    /// <summary>
    /// The next page of members of the job's group that lack both a member-key and a pending row for K, with the public
    /// key to use (§6.2 table): users → their newest user-group key, member groups and the parent → their newest group
    /// key, devices of a user group → the device key (id = device id).
    /// The key joins are plain equalities (a primary-key probe each, the planner may also hash them); an earlier join on
    /// a CASE expression could not be probed. Forcing index probes for the whole page (SET LOCAL enable_* = off, with
    /// scalar subqueries instead of NOT EXISTS) was tried: in the (busy-machine) bench PostgreSQL's CPU per member rose from
    /// ~100–117 µs to 235–341 µs, so the
    /// planner, which re-plans each page with the current table sizes, keeps its choice.
    /// </summary>
    private async Task<List<Recipient>> RecipientsAsync(
        DbConnection connection, DbTransaction transaction, JobRow job, (long JoinedAt, string MemberId) after, CancellationToken ct)
    {
        // Only plain equality joins (each one a primary-key probe): a user's key through its user group, a member
        // group's own key; at most one of the two exists for a member.
        string keys = job.UserGroupOwnerId is null
            ? """
              COALESCE(ku.id, kg.id) AS PublicKeyId, COALESCE(ku.public_key, kg.public_key) AS PublicKey,
              COALESCE(ku.keypair_encrypt_alg, kg.keypair_encrypt_alg) AS Alg
              FROM group_member m
              LEFT JOIN app_user u ON m.member_type = 0 AND u.id = m.member_id
              LEFT JOIN grp gu ON gu.id = u.user_group_id
              LEFT JOIN group_key ku ON ku.id = gu.current_key_id
              LEFT JOIN grp gg ON m.member_type <> 0 AND gg.id = m.member_id
              LEFT JOIN group_key kg ON kg.id = gg.current_key_id
              """
            : """
              k.id AS PublicKeyId, k.public_key AS PublicKey, k.keypair_encrypt_alg AS Alg
              FROM group_member m
              LEFT JOIN device k ON k.id = m.member_id AND k.user_id IS NOT NULL
              """;
        IEnumerable<Recipient> rows = await connection.QueryAsync<Recipient>(new CommandDefinition(
            $"""
            SELECT m.member_id AS MemberId, m.joined_at AS JoinedAt,
            {keys}
            WHERE m.group_id = @group AND (m.joined_at, m.member_id) > (@afterJoinedAt, @afterMemberId)
              AND NOT EXISTS (SELECT 1 FROM member_key x WHERE x.key_id = @key AND x.member_id = m.member_id)
              AND NOT EXISTS (SELECT 1 FROM rotation_pending x WHERE x.key_id = @key AND x.member_id = m.member_id)
            ORDER BY m.joined_at, m.member_id
            LIMIT @limit
            """,
            new
            {
                group = job.GroupId, key = job.KeyId, limit = Chunk, afterJoinedAt = after.JoinedAt, afterMemberId = after.MemberId,
            },
            transaction, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>The stored ephemeral key (base64 of the AES blob), or null when it is not valid base64.</summary>
    private static byte[]? Ephemeral(string? encryptedEphemeralKey)
    {
        if (encryptedEphemeralKey is null)
        {
            return null;
        }

        byte[] buffer = new byte[encryptedEphemeralKey.Length];
        return Convert.TryFromBase64String(encryptedEphemeralKey, buffer, out int length) ? buffer[..length] : null;
    }

    /// <summary>
    /// §6.2: base64(hybrid-encrypt(member public key, base64-decoded ephemeral key)) for one chunk, spread
    /// over the cores. A member whose key cannot be used gets a row with empty ciphertext and the reason; the fan-out goes on.
    /// </summary>
    private static PendingRow[] Encrypt(List<Recipient> chunk, byte[]? ephemeral, CancellationToken ct)
    {
        var rows = new PendingRow[chunk.Count];
        Parallel.For(0, chunk.Count, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            Recipient member = chunk[i];
            rows[i] = (ephemeral, member) switch
            {
                (null, _) => new PendingRow(member.MemberId, "", member.PublicKeyId ?? "", "The rotation's ephemeral key is not valid base64."),
                (_, { PublicKey: null } or { Alg: null } or { PublicKeyId: null }) => new PendingRow(member.MemberId, "", "", "The member has no public key."),
                _ => EncryptFor(member, ephemeral),
            };
        });
        return rows;
    }

    private static PendingRow EncryptFor(Recipient member, byte[] ephemeral)
    {
        try
        {
            PublicKey key = PublicKey.FromWireText(EncryptionAlgorithm.FromId(member.Alg!), member.PublicKey!, member.PublicKeyId!);
            return new PendingRow(member.MemberId, Convert.ToBase64String(key.Encrypt(ephemeral)), member.PublicKeyId!, null);
        }
        catch (CryptoException e)
        {
            return new PendingRow(member.MemberId, "", member.PublicKeyId!, "The member's public key cannot be used: " + e.Message);
        }
    }

    private static readonly string[] PendingColumns =
        ["key_id", "member_id", "group_id", "encrypted_ephemeral_key", "encrypted_by_key_id", "error", "created_at"];

    /// <summary>
    /// Appends one chunk's pending rows (PostgreSQL: binary COPY). Plain inserts are enough: the chunk was read with
    /// NOT EXISTS under the job's row lock, so no other batch can have written these members; if one ever had, the
    /// primary key fails the batch, which rolls back and is redone without them.
    /// </summary>
    private Task<int> InsertPendingAsync(
        DbConnection connection, DbTransaction transaction, JobRow job, PendingRow[] rows, long now, CancellationToken ct)
    {
        var values = new object?[rows.Length][];
        for (int i = 0; i < rows.Length; i++)
        {
            PendingRow row = rows[i];
            values[i] = [job.KeyId, row.MemberId, job.GroupId, row.Ciphertext, row.PublicKeyId, row.Error, now];
        }

        return database.Dialect.InsertRowsAsync(connection, transaction, "rotation_pending", PendingColumns, values, ct);
    }

    /// <summary>Nobody is missing: forget the ephemeral key (ex-members who kept the old key cannot recover K) and close the job.</summary>
    private static async Task FinishAsync(DbConnection connection, DbTransaction transaction, string key, long now, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE group_key SET encrypted_ephemeral_key = NULL WHERE id = @key", new { key }, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE rotation_job SET status = @finished, finished_at = @now, total = processed, claimed_by = NULL, claimed_until = NULL
            WHERE key_id = @key
            """,
            new { finished = (int)RotationStatus.Finished, now, key }, transaction, cancellationToken: ct));
    }

    private sealed record PendingRow(string MemberId, string Ciphertext, string PublicKeyId, string? Error);

    // Dapper row types: classes with setters convert SQLite's Int64 (see AppStore).
    private sealed class JobRow
    {
        public string KeyId { get; set; } = "";

        public string GroupId { get; set; } = "";

        public string? UserGroupOwnerId { get; set; }

        public long? CursorJoinedAt { get; set; }

        public string? CursorMemberId { get; set; }

        public string? EncryptedEphemeralKey { get; set; }
    }

    private sealed class Recipient
    {
        public string MemberId { get; set; } = "";

        public long JoinedAt { get; set; }

        public string? PublicKeyId { get; set; }

        public string? PublicKey { get; set; }

        public string? Alg { get; set; }
    }
}

/// <summary>Wakes the worker when this process starts a rotation (other processes' jobs are found by polling).</summary>
public sealed class RotationSignal
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Notify()
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one wake-up is enough.
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);
}

/// <summary>Runs fan-out batches while there are any, then waits for a signal or the poll interval.</summary>
public sealed partial class RotationWorker(
    RotationFanOut fanOut, RotationSignal signal, IConfiguration configuration, ILogger<RotationWorker> logger) : BackgroundService
{
    /// <summary>false keeps this process from fanning out (another process does; tests drive batches themselves).</summary>
    public const string EnabledKey = "Coffer:Rotation:Worker";

    /// <summary>How often (ms, default 1000) an idle worker looks for jobs started by other processes or left by a crashed one.</summary>
    public const string PollKey = "Coffer:Rotation:PollMilliseconds";

    private readonly TimeSpan pollInterval = TimeSpan.FromMilliseconds(Math.Clamp(configuration.GetValue(PollKey, 1000), 10, 60_000));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue(EnabledKey, true))
        {
            return;
        }

        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            bool worked;
            try
            {
                worked = await fanOut.RunBatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The batch was rolled back; it is redone on the next round.
                LogBatchFailed(logger, e);
                worked = false;
            }

            if (!worked)
            {
                try
                {
                    await signal.WaitAsync(pollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A key rotation batch failed; it is retried")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception);
}
