using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Coffer.Server.Data;
using Coffer.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Features.Login;

/// <summary>
/// The server never sees or keeps a client secret: after real registrations and logins (client side by
/// Coffer.Crypto), no table cell and no log line holds a password, auth key, master key, master-key-encryption key
/// or private/sign/group key, in base64, base64url or hex (either case), or as raw bytes.
/// </summary>
public sealed class SecretScanTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task RegisterAndLogin_NoClientSecretInAnyTableOrLogLine(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases, new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
        });
        using var alice = new ClientRegistration("alice", "correct horse battery staple " + Guid.NewGuid());
        using var bob = new ClientRegistration("bob", "bob's pässword " + Guid.NewGuid());
        foreach (ClientRegistration user in (ClientRegistration[])[alice, bob])
        {
            ApiAnswer registered = await app.SendAsync(HttpMethod.Post, "/register", user.RegisterBody, appToken: app.SecretToken);
            Assert.True(registered.Ok, registered.Text);
            ApiAnswer salt = await app.SendAsync(HttpMethod.Post, "/prepare_login", Bodies.Identifier(user.Identifier));
            Assert.True(salt.Ok, salt.Text);
            ApiAnswer wrong = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin(user.Identifier, Bodies.AuthKey));
            Assert.Equal(112, wrong.ErrCode);
            ApiAnswer done = await app.SendAsync(HttpMethod.Post, "/done_login", Bodies.DoneLogin(user.Identifier, user.AuthKey));
            Assert.True(done.Ok, done.Text);
            string challenge = user.DecryptChallenge(done.Result.GetProperty("Direct"));
            ApiAnswer verified = await app.SendAsync(HttpMethod.Post, "/verify_login", Bodies.VerifyLogin(user.Identifier, challenge, user.AuthKey));
            Assert.True(verified.Ok, verified.Text);
            string jwt = verified.Result.GetProperty("jwt").GetString()!;
            Assert.True((await app.SendAsync(new HttpMethod("PATCH"), "/user/register_otp", jwt: jwt)).Ok);
        }

        List<(string Name, string Form)> forms = [.. ((ClientRegistration[])[alice, bob]).SelectMany(u => u.Secrets()).SelectMany(Forms)];
        List<(string Name, byte[] Raw)> raws = [.. ((ClientRegistration[])[alice, bob]).SelectMany(u => u.Secrets())];

        // Positive control: the scan does read the stored data (the hashed auth key is meant to be there).
        bool controlFound = false;
        int cells = 0;
        await using DbConnection connection = await app.Services.GetRequiredService<Database>().OpenAsync(CancellationToken.None);
        foreach (string table in await TablesAsync(connection, db))
        {
            await using DbCommand select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM {table}";
            await using DbDataReader reader = await select.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                for (int i = 0; i < reader.FieldCount; i++)
                {
                    cells++;
                    string where = $"{table}.{reader.GetName(i)}";
                    switch (reader.IsDBNull(i) ? null : reader.GetValue(i))
                    {
                        case string text:
                            controlFound |= text == alice.HashedAuthKey;
                            AssertNoSecret(where, text, forms);
                            break;
                        case byte[] bytes:
                            AssertNoSecret(where, Convert.ToHexString(bytes) + " " + Convert.ToBase64String(bytes) + " " + Encoding.UTF8.GetString(bytes), forms);
                            Assert.DoesNotContain(raws, r => bytes.AsSpan().IndexOf(r.Raw) >= 0);
                            break;
                    }
                }
            }
        }

        Assert.True(cells > 100, $"only {cells} cells scanned");
        Assert.True(controlFound, "the hashed auth key was not found: the scan misses the device table");
        Assert.Contains(app.Logs.Entries, e => e.Contains("/api/v1/verify_login", StringComparison.Ordinal));
        foreach (string entry in app.Logs.Entries)
        {
            AssertNoSecret("log", entry, forms);
        }
    }

    private static IEnumerable<(string Name, string Form)> Forms((string Name, byte[] Raw) secret)
    {
        if (secret.Name == "password")
        {
            yield return (secret.Name, Encoding.UTF8.GetString(secret.Raw));
        }

        yield return (secret.Name + " base64", Convert.ToBase64String(secret.Raw));
        yield return (secret.Name + " base64url", System.Buffers.Text.Base64Url.EncodeToString(secret.Raw));
        yield return (secret.Name + " hex", Convert.ToHexStringLower(secret.Raw));
        yield return (secret.Name + " HEX", Convert.ToHexString(secret.Raw));
        // SHA-256 of the auth key is what register sends (its first 16 bytes); the full digest must not appear either.
        if (secret.Name == "auth key")
        {
            yield return ("SHA-256(auth key)", Convert.ToBase64String(SHA256.HashData(secret.Raw)));
        }
    }

    private static void AssertNoSecret(string where, string text, IEnumerable<(string Name, string Form)> forms)
    {
        foreach ((string name, string form) in forms)
        {
            Assert.False(text.Contains(form, StringComparison.Ordinal), $"{name} found in {where}");
        }
    }

    private static async Task<IReadOnlyList<string>> TablesAsync(DbConnection connection, DatabaseKind db)
    {
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = db switch
        {
            DatabaseKind.Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            DatabaseKind.Postgres => "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        };
        var tables = new List<string>();
        await using DbDataReader reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            tables.Add(reader.GetString(0));
        }

        Assert.Contains("device", tables);
        Assert.Contains("login_challenge", tables);
        return tables;
    }
}
