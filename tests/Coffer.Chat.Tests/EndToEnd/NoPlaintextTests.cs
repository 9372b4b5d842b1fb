using System.Data.Common;
using System.Text;
using Coffer.Chat.Client;
using Coffer.Chat.Tests.Infrastructure;
using Coffer.Server.Data;
using Dapper;

namespace Coffer.Chat.Tests.EndToEnd;

/// <summary>
/// After a secret chat and a secret group conversation, neither the database (every table, every text and binary
/// column — the chat's and the platform's, which share it in-process) nor the server's log holds a message text or a
/// key the clients used, in raw, base64, base64url or hex form. A negative control proves the scan finds both.
/// </summary>
public sealed class NoPlaintextTests(TestDatabases databases)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory, Databases]
    public async Task AfterSecretConversations_DatabaseAndLogHoldNoPlaintextMessageOrKey_NegativeControlIsFound(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases, kestrel: true, clock: false);
        using SdkUsers users = SdkUsers.For(app);
        ChatClient alice = await users.ChatAsync("alice");
        ChatClient bob = await users.ChatAsync("bob");
        string chatText = "chat secret " + Guid.NewGuid().ToString("N");
        string groupText = "group secret " + Guid.NewGuid().ToString("N");
        string editedText = "edited secret " + Guid.NewGuid().ToString("N");

        SecretChatInfo chat = await alice.CreateSecretChatAsync(bob.UserId, Ct);
        await bob.ApproveSecretChatAsync(chat.Id, Ct);
        ChatMessage first = await alice.SendMessageAsync(ChatThread.SecretChat(chat.Id), chatText, cancellationToken: Ct);
        Assert.Equal(chatText, (await bob.GetMessagesAsync(ChatThread.SecretChat(chat.Id), cancellationToken: Ct)).Messages[0].Text);
        await alice.EditMessageAsync(ChatThread.SecretChat(chat.Id), first.Id, editedText, Ct);

        ChatGroup group = await alice.CreateSecretGroupAsync("Vault", cancellationToken: Ct);
        await bob.JoinGroupByInviteCodeAsync(group.InviteCode!, Ct);
        await alice.SyncSecretGroupAsync(group.Id, Ct);
        await bob.SendMessageAsync(ChatThread.Group(group.Id), groupText, cancellationToken: Ct);
        Assert.Equal(groupText, (await alice.GetMessagesAsync(ChatThread.Group(group.Id), cancellationToken: Ct)).Messages[0].Text);

        IReadOnlyList<byte[]> keys = [.. alice.CachedKeyBytes(), .. bob.CachedKeyBytes()];
        Assert.True(keys.Count >= 3, "the chat key and the group key of both clients");
        var scan = new LeakScan([chatText, groupText, editedText], keys);

        Assert.Empty(await scan.DatabaseAsync(app.ConnectionString, db));
        Assert.Empty(scan.Log(app.Logs.Lines));

        // Negative control: one plaintext message in a chat table and one base64 key in the log are found.
        await using (DbConnection connection = await new Database(app.ConnectionString).OpenAsync(Ct))
        {
            await connection.ExecuteAsync("UPDATE chat_user SET avatar_url = @leak WHERE id = @id", new { leak = "x" + groupText, id = alice.UserId });
        }

        app.Logs.Add("leaked " + Convert.ToBase64String(keys[0]));
        Assert.Contains(await scan.DatabaseAsync(app.ConnectionString, db), hit => hit.StartsWith("chat_user.avatar_url", StringComparison.Ordinal));
        Assert.Contains(scan.Log(app.Logs.Lines), hit => hit == "log: key base64");
    }

    /// <summary>Looks for message texts and keys (raw bytes; base64, base64url, hex text) in database rows and log lines.</summary>
    private sealed class LeakScan
    {
        private readonly List<(string Name, string Text)> textNeedles = [];
        private readonly List<(string Name, byte[] Bytes)> rawNeedles = [];

        public LeakScan(IEnumerable<string> messages, IEnumerable<byte[]> keys)
        {
            foreach (string message in messages)
            {
                textNeedles.Add(("message", message));
                rawNeedles.Add(("message utf-8", Encoding.UTF8.GetBytes(message)));
                textNeedles.Add(("message base64", Convert.ToBase64String(Encoding.UTF8.GetBytes(message))));
            }

            foreach (byte[] key in keys)
            {
                string base64 = Convert.ToBase64String(key);
                textNeedles.Add(("key base64", base64));
                textNeedles.Add(("key base64 unpadded", base64.TrimEnd('=')));
                textNeedles.Add(("key base64url", base64.TrimEnd('=').Replace('+', '-').Replace('/', '_')));
                textNeedles.Add(("key hex", Convert.ToHexStringLower(key)));
                textNeedles.Add(("key HEX", Convert.ToHexString(key)));
                rawNeedles.Add(("key raw", key));
            }
        }

        public async Task<List<string>> DatabaseAsync(string connectionString, DatabaseKind kind)
        {
            var hits = new List<string>();
            await using DbConnection connection = await new Database(connectionString).OpenAsync(Ct);
            string tablesSql = kind == DatabaseKind.Sqlite
                ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'";
            List<string> tables = (await connection.QueryAsync<string>(tablesSql)).AsList();
            Assert.Contains("chat_group_message", tables);
            Assert.Contains("chat_secret_message", tables);
            Assert.Contains("member_key", tables);
            int cells = 0;
            foreach (string table in tables)
            {
                foreach (IDictionary<string, object?> row in (await connection.QueryAsync($"SELECT * FROM \"{table}\"")).Cast<IDictionary<string, object?>>())
                {
                    foreach ((string column, object? value) in row)
                    {
                        byte[]? bytes = value switch
                        {
                            string cell => Encoding.UTF8.GetBytes(cell),
                            byte[] blob => blob,
                            _ => null,
                        };
                        if (bytes is null)
                        {
                            continue;
                        }

                        cells++;
                        string? text = value as string ?? TryUtf8(bytes);
                        hits.AddRange(Find(text, bytes).Select(n => $"{table}.{column}: {n}"));
                    }
                }
            }

            Assert.True(cells > 50, $"the scan read {cells} text/blob cells");
            return hits;
        }

        public List<string> Log(IReadOnlyList<string> lines)
        {
            Assert.NotEmpty(lines);
            return [.. lines.SelectMany(line => Find(line, Encoding.UTF8.GetBytes(line)).Select(n => $"log: {n}"))];
        }

        private IEnumerable<string> Find(string? text, byte[] bytes) =>
            textNeedles.Where(n => text is not null && text.Contains(n.Text, StringComparison.Ordinal)).Select(n => n.Name)
                .Concat(rawNeedles.Where(n => bytes.AsSpan().IndexOf(n.Bytes) >= 0).Select(n => n.Name));

        private static string? TryUtf8(byte[] bytes)
        {
            try
            {
                return new UTF8Encoding(false, true).GetString(bytes);
            }
            catch (ArgumentException)
            {
                return null;
            }
        }
    }
}
