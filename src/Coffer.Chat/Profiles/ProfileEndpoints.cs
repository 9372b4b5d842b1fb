using System.Text.Json;
using Coffer.Chat.Api;
using Coffer.Chat.Auth;

namespace Coffer.Chat.Profiles;

/// <summary>
/// GET /api/profile, PUT /api/profile {username?, avatar_url?}, GET /api/profile/{user_id}, and
/// GET /api/users?username=NAME (users whose name is NAME, case-insensitive, at most <see cref="ProfileStore.FindLimit"/>;
/// names are not unique: clients show the choice, and secret chats have safety numbers against impostors).
/// </summary>
public static class ProfileEndpoints
{
    public const int MaxUsernameLength = 50;

    public static void MapProfiles(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/profile", GetOwnAsync);
        routes.MapPut("/profile", UpdateAsync);
        routes.MapGet("/profile/{user_id}", GetAsync);
        routes.MapGet("/users", FindAsync);
    }

    private static async Task<IResult> FindAsync(HttpContext context, ProfileStore profiles)
    {
        string? username = context.Request.Query["username"];
        if (string.IsNullOrWhiteSpace(username) || username.Length > MaxUsernameLength)
        {
            throw ChatProblem.BadRequest($"username must be 1 to {MaxUsernameLength} characters");
        }

        IReadOnlyList<Profile> found = await profiles.FindByUsernameAsync(username.Trim(), context.RequestAborted);
        return ChatApi.Ok(new { users = found.Select(p => new { user_id = p.UserId, username = p.Username, avatar_url = p.AvatarUrl }) });
    }

    private static async Task<IResult> GetOwnAsync(HttpContext context, ProfileStore profiles) =>
        Answer(await profiles.GetAsync(context.ChatUser(), context.RequestAborted) ?? throw ChatProblem.NotFound("User not found"));

    private static async Task<IResult> GetAsync(string user_id, HttpContext context, ProfileStore profiles) =>
        Answer(await profiles.GetAsync(user_id.ToLowerInvariant(), context.RequestAborted) ?? throw ChatProblem.NotFound("User not found"));

    private static async Task<IResult> UpdateAsync(HttpContext context, ProfileStore profiles)
    {
        JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
        string? username = body.OptionalString("username", MaxUsernameLength);
        string? avatarUrl = body.OptionalString("avatar_url", ChatApi.MaxUrlLength);
        if (username is { Length: 0 })
        {
            throw ChatProblem.BadRequest("username must not be empty");
        }

        return Answer(await profiles.UpdateAsync(context.ChatUser(), username, avatarUrl, context.RequestAborted));
    }

    private static IResult Answer(Profile profile) =>
        ChatApi.Ok(new { profile = new { user_id = profile.UserId, username = profile.Username, avatar_url = profile.AvatarUrl } });
}
