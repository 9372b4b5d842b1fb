using System.Data.Common;
using Coffer.Protocol.Groups;
using Coffer.Server.Data;
using Coffer.Server.Features.Groups;
using Coffer.Server.Tests.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Coffer.Server.Tests.Features.Groups;

/// <summary>Access resolution (api.md §5) on hand-made rows: direct, nearest ancestor, member group, their combination.</summary>
public sealed class GroupAccessResolverTests(TestDatabases databases)
{
    private const string User = "00000000-0000-4000-8000-0000000000aa";

    [Theory, Databases]
    public async Task Resolve_CoversDirectAncestorAndMemberGroupAccess(DatabaseKind db)
    {
        await using TestApp app = await TestApp.StartAsync(db, databases);
        Database database = app.Services.GetRequiredService<Database>();
        AppId appId = app.App.App;
        await using DbConnection c = await database.OpenAsync(TestContext.Current.CancellationToken);

        // root A ⊃ B ⊃ C; connected X ⊃ Y; member group M (normal); user group U.
        string a = Id(1), b = Id(2), cc = Id(3), x = Id(4), y = Id(5), m = Id(6), u = Id(7), orphan = Id(8);
        await Group(c, appId, a, null, kind: 0, connected: false);
        await Group(c, appId, b, a, kind: 0, connected: false);
        await Group(c, appId, cc, b, kind: 0, connected: false);
        await Group(c, appId, x, null, kind: 0, connected: true);
        await Group(c, appId, y, x, kind: 0, connected: true);
        await Group(c, appId, m, null, kind: 0, connected: false);
        await Group(c, appId, u, null, kind: 1, connected: false);
        await Group(c, appId, orphan, null, kind: 0, connected: false);
        await Member(c, a, User, type: 0, rank: 2, joined: 100);
        await Member(c, b, a, type: 1, rank: 0, joined: 101);
        await Member(c, cc, b, type: 1, rank: 0, joined: 102);
        await Member(c, b, User, type: 0, rank: 3, joined: 103);
        await Member(c, x, m, type: 2, rank: 3, joined: 104);
        await Member(c, m, User, type: 0, rank: 1, joined: 105);
        await Member(c, u, User, type: 0, rank: 0, joined: 106);

        CancellationToken ct = TestContext.Current.CancellationToken;
        GroupAccess direct = (await GroupAccessResolver.ResolveAsync(c, null, appId, a, User, null, ct)).Access!;
        Assert.Equal((2, User, 100L, (GroupAccessBy)new GroupAccessBy.User()), (direct.Rank, direct.Member, direct.JoinedAt, direct.AccessBy));

        // B: a direct row overrides the inherited rank.
        GroupAccess overridden = (await GroupAccessResolver.ResolveAsync(c, null, appId, b, User, null, ct)).Access!;
        Assert.Equal((3, User, (GroupAccessBy)new GroupAccessBy.User()), (overridden.Rank, overridden.Member, overridden.AccessBy));

        // C: the nearest ancestor with a row is B (rank 3), not A (rank 2); keys of C are read for C's parent B.
        GroupAccess inherited = (await GroupAccessResolver.ResolveAsync(c, null, appId, cc, User, null, ct)).Access!;
        Assert.Equal((3, b, 103L, (GroupAccessBy)new GroupAccessBy.Parent(b)), (inherited.Rank, inherited.Member, inherited.JoinedAt, inherited.AccessBy));
        Assert.Equal(b, inherited.ParentId);

        // X through member group M: the weaker of M's rank in X (3) and the user's in M (1).
        GroupAccess asMember = (await GroupAccessResolver.ResolveAsync(c, null, appId, x, User, m, ct)).Access!;
        Assert.Equal((3, m, (GroupAccessBy)new GroupAccessBy.GroupAsUser(m)), (asMember.Rank, asMember.Member, asMember.AccessBy));
        Assert.True(asMember.IsConnected);

        // Y (child of X) through M: via the ancestor X, keys read for Y's parent X.
        GroupAccess asMemberViaParent = (await GroupAccessResolver.ResolveAsync(c, null, appId, y, User, m, ct)).Access!;
        Assert.Equal((3, x, (GroupAccessBy)new GroupAccessBy.GroupAsUserAsParent(x, m)), (asMemberViaParent.Rank, asMemberViaParent.Member, asMemberViaParent.AccessBy));

        // Denied: no row anywhere, user groups, other apps, a header group the user cannot reach, unknown ids.
        Assert.Null((await GroupAccessResolver.ResolveAsync(c, null, appId, orphan, User, null, ct)).Access);
        Assert.Null((await GroupAccessResolver.ResolveAsync(c, null, appId, u, User, null, ct)).Access);
        Assert.Null((await GroupAccessResolver.ResolveAsync(c, null, new AppId(Id(99)), a, User, null, ct)).Access);
        Assert.Null((await GroupAccessResolver.ResolveAsync(c, null, appId, x, User, orphan, ct)).Access);
        Assert.Null((await GroupAccessResolver.ResolveAsync(c, null, appId, x, User, null, ct)).Access);
        Assert.Null((await GroupAccessResolver.ResolveAsync(c, null, appId, Id(77), User, null, ct)).Access);
    }

    private static string Id(int n) => $"00000000-0000-4000-8000-{n:D12}";

    private static Task Group(DbConnection c, AppId app, string id, string? parent, int kind, bool connected) =>
        c.ExecuteAsync(
            """
            INSERT INTO grp (id, app_id, kind, parent_id, invite_open, is_connected, current_key_id, created_at)
            VALUES (@id, @app, @kind, @parent, @open, @connected, NULL, 1)
            """,
            new { id, app = app.Value, kind, parent, open = true, connected });

    private static Task Member(DbConnection c, string group, string member, int type, int rank, long joined) =>
        c.ExecuteAsync(
            "INSERT INTO group_member (group_id, member_id, member_type, rank, joined_at) VALUES (@group, @member, @type, @rank, @joined)",
            new { group, member, type, rank, joined });
}
