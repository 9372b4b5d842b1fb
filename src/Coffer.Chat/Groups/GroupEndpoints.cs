using System.Text.Json;
using Coffer.Chat.Api;
using Coffer.Chat.Auth;
using Coffer.Chat.Live;

namespace Coffer.Chat.Groups;

/// <summary>The seed's group endpoints (paths, bodies and answers as written there), plus renew-invite-code.</summary>
public static class GroupEndpoints
{
    public const int MaxQueryLength = 100;

    public static void MapGroups(this IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder groups = routes.MapGroup("/group");
        groups.MapPost("/create", CreateAsync);
        groups.MapPost("/create-secret", CreateSecretAsync);
        groups.MapGet("/user-groups", UserGroupsAsync);
        groups.MapPost("/join", JoinAsync);
        groups.MapPost("/leave/{group_id}", LeaveAsync);
        groups.MapGet("/search", SearchAsync);
        groups.MapGet("/{group_id}", DetailsAsync);
        groups.MapPut("/{group_id}", UpdateAsync);
        groups.MapDelete("/{group_id}", DeleteAsync);
        groups.MapPost("/{group_id}/add-member", AddMemberAsync);
        groups.MapPost("/{group_id}/remove-member", RemoveMemberAsync);
        groups.MapPost("/{group_id}/change-role", ChangeRoleAsync);
        groups.MapPost("/{group_id}/renew-invite-code", RenewInviteCodeAsync);
        groups.MapPost("/{group_id}/key-rotated", KeyRotatedAsync);
        groups.MapPost("/{group_id}/keys-handed-over", KeysHandedOverAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, GroupStore groups)
    {
        JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
        string type = body.OptionalString("type", 20) ?? GroupTypes.Public;
        if (type is not (GroupTypes.Public or GroupTypes.Private))
        {
            throw ChatProblem.BadRequest("type must be \"public\" or \"private\" (secret groups: /api/group/create-secret)");
        }

        return await CreateOfTypeAsync(context, groups, body, type, cofferGroupId: null);
    }

    /// <summary>The seed's body plus <c>coffer_group_id</c>: the platform group the caller's client created for the keys.</summary>
    private static async Task<IResult> CreateSecretAsync(HttpContext context, GroupStore groups)
    {
        JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
        string cofferGroupId = body.RequiredString("coffer_group_id", 36);
        if (!Guid.TryParseExact(cofferGroupId, "D", out _))
        {
            throw ChatProblem.BadRequest("coffer_group_id must be the id of a Coffer group");
        }

        return await CreateOfTypeAsync(context, groups, body, GroupTypes.Secret, cofferGroupId.ToLowerInvariant());
    }

    private static async Task<IResult> CreateOfTypeAsync(HttpContext context, GroupStore groups, JsonElement body, string type, string? cofferGroupId)
    {
        GroupView group = await groups.CreateAsync(
            context.ChatUser(),
            body.RequiredString("name", ChatApi.MaxNameLength),
            body.OptionalString("description", ChatApi.MaxTextLength),
            type,
            body.OptionalString("avatar_url", ChatApi.MaxUrlLength),
            cofferGroupId,
            context.RequestAborted);
        return ChatApi.Ok(new
        {
            group = new
            {
                id = group.Id,
                name = group.Name,
                description = group.Description,
                type = group.Type,
                avatar_url = group.AvatarUrl,
                created_by = group.CreatedBy,
                created_at = ChatApi.Timestamp(group.CreatedAt),
                member_count = group.MemberCount,
                invite_code = group.InviteCode,
                coffer_group_id = group.CofferGroupId,
            },
        });
    }

    private static async Task<IResult> UserGroupsAsync(HttpContext context, GroupStore groups) =>
        ChatApi.Ok(new
        {
            groups = (await groups.UserGroupsAsync(context.ChatUser(), context.RequestAborted)).Select(g => new
            {
                id = g.Id,
                name = g.Name,
                description = g.Description,
                type = g.Type,
                avatar_url = g.AvatarUrl,
                created_by = g.CreatedBy,
                created_at = ChatApi.Timestamp(g.CreatedAt),
                member_count = g.MemberCount,
                role = g.Role,
                is_secret = g.Type == GroupTypes.Secret,
                coffer_group_id = g.CofferGroupId,
                key_rotation_pending = g.KeyRotationPending,
            }),
        });

    private static async Task<IResult> JoinAsync(HttpContext context, GroupStore groups, ChatHub hub)
    {
        JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
        long? groupId = body.TryGetProperty("group_id", out JsonElement id) && id.ValueKind != JsonValueKind.Null
            ? id.ValueKind == JsonValueKind.Number && id.TryGetInt64(out long number) ? number : throw ChatProblem.BadRequest("group_id must be a number")
            : null;
        string? inviteCode = body.OptionalString("invite_code", InviteCodes.MaxLength + 1);
        if ((groupId is null) == (inviteCode is null))
        {
            throw ChatProblem.BadRequest("Give either group_id (public groups) or invite_code (private and secret groups)");
        }

        GroupView group = await groups.JoinAsync(
            context.ChatUser(), groupId, inviteCode is null ? null : InviteCodes.Check(inviteCode), context.RequestAborted);
        await KeysNeededAsync(groups, hub, group, "join", context.ChatUser(), context.RequestAborted);
        await MembershipAsync(groups, hub, group.Id, "group.member_joined", context.ChatUser(), "joined", context.ChatUser(), [], context.RequestAborted);
        return ChatApi.Ok(new
        {
            message = "Successfully joined group",
            group = new
            {
                id = group.Id,
                name = group.Name,
                description = group.Description,
                type = group.Type,
                avatar_url = group.AvatarUrl,
                member_count = group.MemberCount,
                role = group.Role,
                coffer_group_id = group.CofferGroupId,
            },
        });
    }

    private static async Task<IResult> LeaveAsync(string group_id, HttpContext context, GroupStore groups, ChatHub hub)
    {
        GroupView group = await groups.LeaveAsync(ChatApi.Id(group_id, "Group"), context.ChatUser(), context.RequestAborted);
        await KeysNeededAsync(groups, hub, group, "rotation", context.ChatUser(), context.RequestAborted);
        await MembershipAsync(groups, hub, group.Id, "group.member_removed", context.ChatUser(), "left", context.ChatUser(), [context.ChatUser()], context.RequestAborted);
        return ChatApi.Message("Successfully left group");
    }

    /// <summary>
    /// A membership notice (<c>group.member_joined</c>, <c>group.member_removed</c>) to every member after the change
    /// committed, and to <paramref name="alsoTo"/> (a member who just left or was removed). Ids only.
    /// </summary>
    private static async Task MembershipAsync(
        GroupStore groups, ChatHub hub, long group, string type, string user, string reason, string by, string[] alsoTo, CancellationToken ct) =>
        hub.Publish([.. await groups.MemberIdsAsync(group, ct), .. alsoTo], new Dictionary<string, object>
        {
            ["type"] = type,
            ["thread"] = "group",
            ["thread_id"] = group,
            ["user_id"] = user,
            ["reason"] = reason,
            ["by"] = by,
        });

    /// <summary>
    /// Secret groups: tells the admins' and moderators' clients (live event <c>group.keys_needed</c>) that a joiner waits
    /// for the keys or that the key must be rotated after a member left.
    /// </summary>
    private static async Task KeysNeededAsync(GroupStore groups, ChatHub hub, GroupView group, string reason, string user, CancellationToken ct)
    {
        if (group.CofferGroupId is not null)
        {
            hub.Publish(await groups.ManagersAsync(group.Id, ct), new Dictionary<string, object>
            {
                ["type"] = "group.keys_needed",
                ["thread"] = "group",
                ["thread_id"] = group.Id,
                ["reason"] = reason,
                ["user_id"] = user,
            });
        }
    }

    private static async Task<IResult> DetailsAsync(string group_id, HttpContext context, GroupStore groups, SecretGroupKeys keys)
    {
        (GroupView group, IReadOnlyList<GroupMember> members) =
            await groups.DetailsAsync(ChatApi.Id(group_id, "Group"), context.ChatUser(), context.RequestAborted);
        // Secret groups: per member whether an admin's client has handed over the keys (null: joined before the ledger).
        IReadOnlyDictionary<string, bool>? ready = group.CofferGroupId is null ? null : await keys.KeysReadyAsync(group.Id, context.RequestAborted);
        return ChatApi.Ok(new
        {
            group = new
            {
                id = group.Id,
                name = group.Name,
                description = group.Description,
                type = group.Type,
                avatar_url = group.AvatarUrl,
                created_by = group.CreatedBy,
                created_at = ChatApi.Timestamp(group.CreatedAt),
                member_count = group.MemberCount,
                coffer_group_id = group.CofferGroupId,
                key_rotation_pending = group.KeyRotationPending,
                // The seed's member shape; secret groups add keys_ready.
                members = members.Select(m => ready is null
                    ? (object)new
                    {
                        user_id = m.UserId,
                        username = m.Username,
                        avatar_url = m.AvatarUrl,
                        role = m.Role,
                        joined_at = ChatApi.Timestamp(m.JoinedAt),
                    }
                    : new
                    {
                        user_id = m.UserId,
                        username = m.Username,
                        avatar_url = m.AvatarUrl,
                        role = m.Role,
                        joined_at = ChatApi.Timestamp(m.JoinedAt),
                        keys_ready = ready.TryGetValue(m.UserId, out bool r) ? r : (bool?)null,
                    }),
                invite_code = GroupRoles.SeesInviteCode(group.Role) ? group.InviteCode : null,
            },
        });
    }

    private static async Task<IResult> SearchAsync(HttpContext context, GroupStore groups)
    {
        string? q = context.Request.Query["q"];
        if (string.IsNullOrWhiteSpace(q) || q.Length > MaxQueryLength)
        {
            throw ChatProblem.BadRequest($"q is required (1 to {MaxQueryLength} characters)");
        }

        return ChatApi.Ok(new
        {
            groups = (await groups.SearchAsync(context.ChatUser(), q.Trim(), context.RequestAborted)).Select(g => new
            {
                id = g.Id,
                name = g.Name,
                description = g.Description,
                type = g.Type,
                avatar_url = g.AvatarUrl,
                member_count = g.MemberCount,
                is_member = g.IsMember,
            }),
        });
    }

    private static async Task<IResult> UpdateAsync(string group_id, HttpContext context, GroupStore groups)
    {
        long id = ChatApi.Id(group_id, "Group");
        JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
        string? name = body.OptionalString("name", ChatApi.MaxNameLength);
        if (name is { Length: 0 })
        {
            throw ChatProblem.BadRequest("name must not be empty");
        }

        GroupView group = await groups.UpdateAsync(
            id, context.ChatUser(), name, body.OptionalString("description", ChatApi.MaxTextLength),
            body.OptionalString("avatar_url", ChatApi.MaxUrlLength), context.RequestAborted);
        return ChatApi.Ok(new
        {
            message = "Group updated successfully",
            group = new { id = group.Id, name = group.Name, description = group.Description, type = group.Type, avatar_url = group.AvatarUrl },
        });
    }

    private static async Task<IResult> DeleteAsync(string group_id, HttpContext context, GroupStore groups)
    {
        await groups.DeleteAsync(ChatApi.Id(group_id, "Group"), context.ChatUser(), context.RequestAborted);
        return ChatApi.Message("Group deleted successfully");
    }

    private static async Task<IResult> AddMemberAsync(string group_id, HttpContext context, GroupStore groups, ChatHub hub)
    {
        long id = ChatApi.Id(group_id, "Group");
        string target = UserId(await ChatApi.ReadObjectAsync(context.Request));
        await groups.AddMemberAsync(id, context.ChatUser(), target, context.RequestAborted);
        await MembershipAsync(groups, hub, id, "group.member_joined", target, "added", context.ChatUser(), [], context.RequestAborted);
        return ChatApi.Message("Member added successfully");
    }

    private static async Task<IResult> RemoveMemberAsync(string group_id, HttpContext context, GroupStore groups, ChatHub hub)
    {
        long id = ChatApi.Id(group_id, "Group");
        string target = UserId(await ChatApi.ReadObjectAsync(context.Request));
        GroupView group = await groups.RemoveMemberAsync(id, context.ChatUser(), target, context.RequestAborted);
        await KeysNeededAsync(groups, hub, group, "rotation", target, context.RequestAborted);
        await MembershipAsync(groups, hub, id, "group.member_removed", target, "removed", context.ChatUser(), [target], context.RequestAborted);
        return ChatApi.Message("Member removed successfully");
    }

    /// <summary>POST /api/group/{id}/key-rotated: an admin's client rotated the secret group's key; the server records the platform's newest key id.</summary>
    private static async Task<IResult> KeyRotatedAsync(string group_id, HttpContext context, GroupStore groups)
    {
        string keyId = await groups.RecordKeyAsync(ChatApi.Id(group_id, "Group"), context.ChatUser(), context.RequestAborted);
        return ChatApi.Ok(new { message = "Key rotation recorded", key_id = keyId });
    }

    /// <summary>
    /// POST /api/group/{id}/keys-handed-over <c>{"user_ids": […]}</c>: an admin's or moderator's client handed the keys of a
    /// secret group to these members; the server confirms each with the platform, records the hand-over in the ledger
    /// and tells each confirmed member (<c>group.keys_handed_over</c>).
    /// </summary>
    private static async Task<IResult> KeysHandedOverAsync(string group_id, HttpContext context, SecretGroupKeys keys, ChatHub hub)
    {
        long id = ChatApi.Id(group_id, "Group");
        JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
        if (!body.TryGetProperty("user_ids", out JsonElement list) || list.ValueKind != JsonValueKind.Array
            || list.GetArrayLength() is 0 or > SecretGroupKeys.MaxReport
            || list.EnumerateArray().Any(u => u.ValueKind != JsonValueKind.String || u.GetString() is not { Length: > 0 and <= 100 }))
        {
            throw ChatProblem.BadRequest($"user_ids must be a list of 1 to {SecretGroupKeys.MaxReport} user ids");
        }

        (IReadOnlyList<string> handed, string keyId) = await keys.HandOverAsync(
            id, context.ChatUser(), [.. list.EnumerateArray().Select(u => u.GetString()!.ToLowerInvariant())], context.RequestAborted);
        foreach (string member in handed)
        {
            hub.Publish([member], new Dictionary<string, object>
            {
                ["type"] = "group.keys_handed_over",
                ["thread"] = "group",
                ["thread_id"] = id,
                ["user_id"] = member,
                ["key_id"] = keyId,
            });
        }

        return ChatApi.Ok(new { message = "Key hand-over recorded", key_id = keyId, handed_over = handed });
    }

    private static async Task<IResult> ChangeRoleAsync(string group_id, HttpContext context, GroupStore groups)
    {
        long id = ChatApi.Id(group_id, "Group");
        JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
        string target = UserId(body);
        string role = body.RequiredString("role", 20);
        if (!GroupRoles.IsValid(role))
        {
            throw ChatProblem.BadRequest("role must be \"admin\", \"moderator\" or \"member\"");
        }

        await groups.ChangeRoleAsync(id, context.ChatUser(), target, role, context.RequestAborted);
        return ChatApi.Message("Role changed successfully");
    }

    private static async Task<IResult> RenewInviteCodeAsync(string group_id, HttpContext context, GroupStore groups)
    {
        string code = await groups.RenewInviteCodeAsync(ChatApi.Id(group_id, "Group"), context.ChatUser(), context.RequestAborted);
        return ChatApi.Ok(new { message = "Invite code renewed successfully", invite_code = code });
    }

    private static string UserId(JsonElement body) => body.RequiredString("user_id", 100).ToLowerInvariant();
}
