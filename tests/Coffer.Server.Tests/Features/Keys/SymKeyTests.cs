using System.Net;
using System.Text.Json;
using Coffer.Server.Tests.Infrastructure;

namespace Coffer.Server.Tests.Features.Keys;

/// <summary>Symmetric key management (api.md §4.17).</summary>
public sealed class SymKeyTests(TestDatabases databases)
{
    [Theory, Databases]
    public async Task Register_Get_Delete_OnlyTheCreatorDeletes(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        TestUser bob = await app.RegisterAsync("bob");
        long now = app.Clock.GetUtcNow().ToUnixTimeMilliseconds();

        ApiAnswer registered = await app.SendAsync(HttpMethod.Post, "/keys/sym_key", Body("mk-1", "cipher-1"), jwt: alice.Jwt);
        Assert.True(registered.Ok, registered.Text);
        string key = registered.Result.GetProperty("key_id").GetString()!;
        Assert.True(NewId.IsUuid(key));

        ApiAnswer fetched = await app.SendAsync(HttpMethod.Get, $"/keys/sym_key/{key}"); // app token only, no JWT
        Assert.Equal(
            $$$"""{"status":true,"result":{"alg":"AES-GCM-256","encrypted_key_string":"cipher-1","master_key_id":"mk-1","key_id":"{{{key}}}","time":{{{now}}}}}""",
            fetched.Text);

        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/keys/sym_key/{key}", jwt: bob.Jwt)).Ok); // silently nothing
        Assert.True((await app.SendAsync(HttpMethod.Get, $"/keys/sym_key/{key}")).Ok);
        Assert.True((await app.SendAsync(HttpMethod.Delete, $"/keys/sym_key/{key}", jwt: alice.Jwt)).Ok);
        ApiAnswer gone = await app.SendAsync(HttpMethod.Get, $"/keys/sym_key/{key}");
        Assert.Equal((HttpStatusCode.BadRequest, 400), (gone.Status, gone.ErrCode));

        Assert.Equal(31, (await app.SendAsync(HttpMethod.Post, "/keys/sym_key", Body("mk", "c"))).ErrCode);
        Assert.Equal(11, (await app.SendAsync(HttpMethod.Post, "/keys/sym_key", """{"alg":"x"}""", jwt: alice.Jwt)).ErrCode);

        // Another app does not see this app's keys.
        ApiAnswer again = await app.SendAsync(HttpMethod.Post, "/keys/sym_key", Body("mk-1", "cipher-2"), jwt: alice.Jwt);
        var other = await app.CreateAppAsync("other");
        Assert.Equal(400, (await app.SendAsync(HttpMethod.Get, $"/keys/sym_key/{again.Result.GetProperty("key_id").GetString()}", appToken: other.PublicToken)).ErrCode);
    }

    [Theory, Databases]
    public async Task ByMasterKey_MoreThanOnePage_NewestFirst(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        TestUser alice = await app.RegisterAsync("alice");
        var expected = new List<(long Time, string Id)>();
        for (int i = 0; i < 55; i++)
        {
            app.Clock.Advance(TimeSpan.FromMilliseconds(i % 4 == 0 ? 1 : 0));
            ApiAnswer answer = await app.SendAsync(HttpMethod.Post, "/keys/sym_key", Body("mk", "c" + i), jwt: alice.Jwt);
            expected.Add((app.Clock.GetUtcNow().ToUnixTimeMilliseconds(), answer.Result.GetProperty("key_id").GetString()!));
        }

        await app.SendAsync(HttpMethod.Post, "/keys/sym_key", Body("other-mk", "c"), jwt: alice.Jwt);
        expected = [.. expected.OrderByDescending(k => k.Time).ThenBy(k => k.Id, StringComparer.Ordinal)];

        var seen = new List<(long Time, string Id)>();
        string path = "/keys/sym_key/master_key/mk/0/none";
        for (int round = 0; round < 5; round++)
        {
            ApiAnswer page = await app.SendAsync(HttpMethod.Get, path);
            Assert.True(page.Ok, page.Text);
            var items = page.Result.EnumerateArray().Select(k => (k.GetProperty("time").GetInt64(), k.GetProperty("key_id").GetString()!)).ToList();
            seen.AddRange(items);
            if (items.Count < 50)
            {
                break;
            }

            path = $"/keys/sym_key/master_key/mk/{items[^1].Item1}/{items[^1].Item2}";
        }

        Assert.Equal(expected, seen);
        Assert.Equal(13, (await app.SendAsync(HttpMethod.Get, "/keys/sym_key/master_key/mk/abc/none")).ErrCode);
    }

    private static string Body(string masterKey, string cipher) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["alg"] = "AES-GCM-256", ["encrypted_key_string"] = cipher, ["master_key_id"] = masterKey,
    });
}
