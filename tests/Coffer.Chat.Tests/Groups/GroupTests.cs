using System.Net;
using Coffer.Chat.Tests.Infrastructure;

namespace Coffer.Chat.Tests.Groups;

public sealed class GroupTests(TestDatabases databases)
{
    private static long Id(ChatAnswer answer) => answer["group"].GetProperty("id").GetInt64();

    [Theory, Databases]
    public async Task Create_Shapes_CreatorIsAdmin_InviteCodeOnlyForPrivateAndSecret(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync("alice");
        ChatAnswer pub = (await app.PostAsync("/api/group/create", alice, new { name = "Cats", description = "about cats", type = "public", avatar_url = "https://x/c.png" })).Ok();
        JsonAssert(pub["group"], "id", "name", "description", "type", "avatar_url", "created_by", "created_at", "member_count", "invite_code", "coffer_group_id");
        Assert.Equal("Cats", pub["group"].GetProperty("name").GetString());
        Assert.Equal(alice.Id, pub["group"].GetProperty("created_by").GetString());
        Assert.Equal(1, pub["group"].GetProperty("member_count").GetInt64());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, pub["group"].GetProperty("invite_code").ValueKind);
        Assert.True(DateTimeOffset.TryParse(pub["group"].GetProperty("created_at").GetString(), out _));

        ChatAnswer priv = (await app.PostAsync("/api/group/create", alice, new { name = "Secret club", type = "private" })).Ok();
        ChatAnswer secret = await app.SecretGroupAsync(alice, "E2EE");
        Assert.Equal("secret", secret["group"].GetProperty("type").GetString());
        string code1 = priv["group"].GetProperty("invite_code").GetString()!;
        string code2 = secret["group"].GetProperty("invite_code").GetString()!;
        Assert.NotEqual(code1, code2);
        Assert.True(Convert.FromBase64String(code1.Replace('-', '+').Replace('_', '/') + "==").Length >= 16, "invite codes carry at least 128 bits");

        ChatAnswer mine = (await app.GetAsync("/api/group/user-groups", alice)).Ok();
        var groups = mine["groups"].EnumerateArray().ToList();
        Assert.Equal(3, groups.Count);
        JsonAssert(groups[0], "id", "name", "description", "type", "avatar_url", "created_by", "created_at", "member_count", "role", "is_secret", "coffer_group_id", "key_rotation_pending");
        Assert.All(groups, g => Assert.Equal("admin", g.GetProperty("role").GetString()));
        Assert.Equal([false, false, true], groups.OrderBy(g => g.GetProperty("id").GetInt64()).Select(g => g.GetProperty("is_secret").GetBoolean()));

        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync("/api/group/create", alice, new { name = "x", type = "secret" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync("/api/group/create", alice, new { type = "public" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync("/api/group/create", alice, new { name = new string('n', 256) })).Status);
    }

    [Theory, Databases]
    public async Task SearchAndJoin_PublicById_PrivateAndSecretOnlyByInviteCode(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        long pub = Id((await app.PostAsync("/api/group/create", alice, new { name = "Rust lovers", type = "public" })).Ok());
        ChatAnswer privAnswer = (await app.PostAsync("/api/group/create", alice, new { name = "Rust insiders", type = "private" })).Ok();
        long priv = Id(privAnswer);
        ChatAnswer secretAnswer = await app.SecretGroupAsync(alice, "Rust secrets");

        ChatAnswer found = (await app.GetAsync("/api/group/search?q=rUsT", bob)).Ok();
        var hits = found["groups"].EnumerateArray().ToList();
        Assert.Equal([pub], hits.Select(g => g.GetProperty("id").GetInt64()));
        JsonAssert(hits[0], "id", "name", "description", "type", "avatar_url", "member_count", "is_member");
        Assert.False(hits[0].GetProperty("is_member").GetBoolean());
        Assert.Empty((await app.GetAsync("/api/group/search?q=insiders", alice)).Ok()["groups"].EnumerateArray());
        Assert.Empty((await app.GetAsync("/api/group/search?q=%25", bob)).Ok()["groups"].EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await app.GetAsync("/api/group/search", bob)).Status);

        ChatAnswer joined = (await app.PostAsync("/api/group/join", bob, new { group_id = pub })).Ok();
        Assert.Equal("Successfully joined group", joined["message"].GetString());
        Assert.Equal("member", joined["group"].GetProperty("role").GetString());
        Assert.Equal(2, joined["group"].GetProperty("member_count").GetInt64());
        Assert.True((await app.GetAsync("/api/group/search?q=rust", bob)).Ok()["groups"][0].GetProperty("is_member").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, (await app.PostAsync("/api/group/join", bob, new { group_id = pub })).Status);

        // Private and secret groups: not by id (they do not exist for outsiders), only by the code.
        Assert.Equal(HttpStatusCode.NotFound, (await app.PostAsync("/api/group/join", bob, new { group_id = priv })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync($"/api/group/{priv}", bob)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.PostAsync("/api/group/join", bob, new { invite_code = "guess" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync("/api/group/join", bob, new { })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync("/api/group/join", bob, new { group_id = pub, invite_code = "x" })).Status);
        Assert.Equal(priv, Id((await app.PostAsync("/api/group/join", bob, new { invite_code = privAnswer["group"].GetProperty("invite_code").GetString() })).Ok()));
        ChatAnswer secretJoin = (await app.PostAsync("/api/group/join", bob, new { invite_code = secretAnswer["group"].GetProperty("invite_code").GetString() })).Ok();
        Assert.Equal("secret", secretJoin["group"].GetProperty("type").GetString());
        Assert.Equal(3, (await app.GetAsync("/api/group/user-groups", bob)).Ok()["groups"].GetArrayLength());
    }

    [Theory, Databases]
    public async Task InviteCode_RenewedByAdminsOnly_OldCodeStopsWorking_VisibleToAdminsAndModerators(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        ChatUser carol = await app.UserAsync();
        ChatAnswer created = (await app.PostAsync("/api/group/create", alice, new { name = "club", type = "private" })).Ok();
        long id = Id(created);
        string old = created["group"].GetProperty("invite_code").GetString()!;
        (await app.PostAsync("/api/group/join", bob, new { invite_code = old })).Ok();
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await app.GetAsync($"/api/group/{id}", bob)).Ok()["group"].GetProperty("invite_code").ValueKind);
        Assert.Equal(old, (await app.GetAsync($"/api/group/{id}", alice)).Ok()["group"].GetProperty("invite_code").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync($"/api/group/{id}/renew-invite-code", bob)).Status);
        string renewed = (await app.PostAsync($"/api/group/{id}/renew-invite-code", alice)).Ok()["invite_code"].GetString()!;
        Assert.NotEqual(old, renewed);
        Assert.Equal(HttpStatusCode.NotFound, (await app.PostAsync("/api/group/join", carol, new { invite_code = old })).Status);
        (await app.PostAsync("/api/group/join", carol, new { invite_code = renewed })).Ok();

        (await app.PostAsync($"/api/group/{id}/change-role", alice, new { user_id = bob.Id, role = "moderator" })).Ok();
        Assert.Equal(renewed, (await app.GetAsync($"/api/group/{id}", bob)).Ok()["group"].GetProperty("invite_code").GetString());

        long pub = Id((await app.PostAsync("/api/group/create", alice, new { name = "open" })).Ok());
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync($"/api/group/{pub}/renew-invite-code", alice)).Status);
    }

    [Theory, Databases]
    public async Task DetailsUpdateDelete_MembersListed_AdminsOnlyChange(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync("alice");
        ChatUser bob = await app.UserAsync("bob");
        long id = Id((await app.PostAsync("/api/group/create", alice, new { name = "g", description = "d" })).Ok());
        (await app.PostAsync("/api/group/join", bob, new { group_id = id })).Ok();

        ChatAnswer details = (await app.GetAsync($"/api/group/{id}", bob)).Ok();
        JsonAssert(details["group"], "id", "name", "description", "type", "avatar_url", "created_by", "created_at", "member_count", "coffer_group_id", "key_rotation_pending", "members", "invite_code");
        var members = details["group"].GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(["alice", "bob"], members.Select(m => m.GetProperty("username").GetString()));
        Assert.Equal(["admin", "member"], members.Select(m => m.GetProperty("role").GetString()));
        JsonAssert(members[0], "user_id", "username", "avatar_url", "role", "joined_at");

        Assert.Equal(HttpStatusCode.Forbidden, (await app.SendAsync(HttpMethod.Put, $"/api/group/{id}", bob, new { name = "mine" })).Status);
        ChatAnswer updated = (await app.SendAsync(HttpMethod.Put, $"/api/group/{id}", alice, new { name = "renamed", avatar_url = "https://a/b.png" })).Ok();
        Assert.Equal("Group updated successfully", updated["message"].GetString());
        JsonAssert(updated["group"], "id", "name", "description", "type", "avatar_url");
        Assert.Equal("renamed", updated["group"].GetProperty("name").GetString());
        Assert.Equal("d", updated["group"].GetProperty("description").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await app.SendAsync(HttpMethod.Put, $"/api/group/{id}", alice, new { name = "" })).Status);

        Assert.Equal(HttpStatusCode.Forbidden, (await app.SendAsync(HttpMethod.Delete, $"/api/group/{id}", bob)).Status);
        Assert.Equal("Group deleted successfully", (await app.SendAsync(HttpMethod.Delete, $"/api/group/{id}", alice)).Ok()["message"].GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync($"/api/group/{id}", alice)).Status);
        Assert.Empty((await app.GetAsync("/api/group/user-groups", bob)).Ok()["groups"].EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync("/api/group/999999", alice)).Status);
    }

    [Theory, Databases]
    public async Task Members_AddRemoveChangeRole_PowersAndLastAdmin(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        ChatUser carol = await app.UserAsync();
        ChatUser dave = await app.UserAsync();
        long id = Id((await app.PostAsync("/api/group/create", alice, new { name = "g", type = "private" })).Ok());

        Assert.Equal("Member added successfully", (await app.PostAsync($"/api/group/{id}/add-member", alice, new { user_id = bob.Id })).Ok()["message"].GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await app.PostAsync($"/api/group/{id}/add-member", alice, new { user_id = bob.Id })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.PostAsync($"/api/group/{id}/add-member", alice, new { user_id = Guid.NewGuid().ToString() })).Status);
        // A plain member cannot add; outsiders do not even see the private group.
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync($"/api/group/{id}/add-member", bob, new { user_id = carol.Id })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.PostAsync($"/api/group/{id}/add-member", dave, new { user_id = carol.Id })).Status);

        Assert.Equal("Role changed successfully", (await app.PostAsync($"/api/group/{id}/change-role", alice, new { user_id = bob.Id, role = "moderator" })).Ok()["message"].GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync($"/api/group/{id}/change-role", alice, new { user_id = bob.Id, role = "owner" })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync($"/api/group/{id}/change-role", bob, new { user_id = bob.Id, role = "admin" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.PostAsync($"/api/group/{id}/change-role", alice, new { user_id = dave.Id, role = "member" })).Status);

        // Moderator: adds, removes plain members only.
        (await app.PostAsync($"/api/group/{id}/add-member", bob, new { user_id = carol.Id })).Ok();
        (await app.PostAsync($"/api/group/{id}/add-member", bob, new { user_id = dave.Id })).Ok();
        Assert.Equal("Member removed successfully", (await app.PostAsync($"/api/group/{id}/remove-member", bob, new { user_id = dave.Id })).Ok()["message"].GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync($"/api/group/{id}/remove-member", bob, new { user_id = alice.Id })).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync($"/api/group/{id}/remove-member", carol, new { user_id = bob.Id })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await app.PostAsync($"/api/group/{id}/remove-member", alice, new { user_id = dave.Id })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await app.PostAsync($"/api/group/{id}/remove-member", alice, new { user_id = alice.Id })).Status);
        // The removed member no longer sees the private group.
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync($"/api/group/{id}", dave)).Status);

        // The last admin can neither leave nor step down; with a second admin both work.
        Assert.Equal(HttpStatusCode.Conflict, (await app.PostAsync($"/api/group/leave/{id}", alice)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await app.PostAsync($"/api/group/{id}/change-role", alice, new { user_id = alice.Id, role = "member" })).Status);
        (await app.PostAsync($"/api/group/{id}/change-role", alice, new { user_id = carol.Id, role = "admin" })).Ok();
        Assert.Equal("Successfully left group", (await app.PostAsync($"/api/group/leave/{id}", alice)).Ok()["message"].GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await app.PostAsync($"/api/group/leave/{id}", alice)).Status);
        // Admins may remove moderators.
        (await app.PostAsync($"/api/group/{id}/remove-member", carol, new { user_id = bob.Id })).Ok();
        ChatAnswer details = (await app.GetAsync($"/api/group/{id}", carol)).Ok();
        Assert.Equal([carol.Id], details["group"].GetProperty("members").EnumerateArray().Select(m => m.GetProperty("user_id").GetString()));
        Assert.Equal(1, details["group"].GetProperty("member_count").GetInt64());
    }

    [Theory, Databases]
    public async Task Leave_PublicGroup_MemberLeavesAndCanRejoin(DatabaseKind db)
    {
        await using ChatTestApp app = await ChatTestApp.StartAsync(db, databases);
        ChatUser alice = await app.UserAsync();
        ChatUser bob = await app.UserAsync();
        long id = Id((await app.PostAsync("/api/group/create", alice, new { name = "g" })).Ok());
        Assert.Equal(HttpStatusCode.Forbidden, (await app.PostAsync($"/api/group/leave/{id}", bob)).Status);
        (await app.PostAsync("/api/group/join", bob, new { group_id = id })).Ok();
        (await app.PostAsync($"/api/group/leave/{id}", bob)).Ok();
        Assert.Equal(1, (await app.GetAsync($"/api/group/{id}", bob)).Ok()["group"].GetProperty("member_count").GetInt64());
        (await app.PostAsync("/api/group/join", bob, new { group_id = id })).Ok();
    }

    private static void JsonAssert(System.Text.Json.JsonElement element, params string[] names) =>
        Assert.Equal(names, element.EnumerateObject().Select(p => p.Name));
}
