using System.Text.Json;

namespace Coffer.Chat.Client;

// Finding a chat partner by name (for starting a secret chat). Names are not unique; the caller shows the choice.
public sealed partial class ChatClient
{
    /// <summary>GET /api/users?username=: chat users with this name (case-insensitive, at most 10).</summary>
    public async Task<IReadOnlyList<ChatProfile>> FindUsersAsync(string username, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(username);
        JsonElement answer = await SendAsync(HttpMethod.Get, "users?username=" + Esc(username.Trim()), null, cancellationToken).ConfigureAwait(false);
        return [.. answer.GetProperty("users").EnumerateArray().Select(u =>
            new ChatProfile(u.GetProperty("user_id").GetString()!, Str(u, "username"), Str(u, "avatar_url")))];
    }
}
