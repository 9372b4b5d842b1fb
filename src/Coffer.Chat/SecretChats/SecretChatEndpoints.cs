using System.Text.Json;
using Coffer.Chat.Api;
using Coffer.Chat.Auth;
using Coffer.Chat.Live;

namespace Coffer.Chat.SecretChats;

/// <summary>The seed's secret-chat endpoints, plus approve, list and delete that its workflow implies.</summary>
public static class SecretChatEndpoints
{
    public static void MapSecretChats(this IEndpointRouteBuilder routes)
    {
        RouteGroupBuilder chats = routes.MapGroup("/secret-chat");
        chats.MapPost("/create", CreateAsync);
        chats.MapGet("/list", ListAsync);
        chats.MapPost("/approve/{secret_chat_id}", ApproveAsync);
        chats.MapPost("/add-public-key/{secret_chat_id}", AddPublicKeyAsync);
        chats.MapPost("/add-symmetric-key/{secret_chat_id}", AddSymmetricKeyAsync);
        chats.MapGet("/get/{secret_chat_id}", GetAsync);
        chats.MapDelete("/{secret_chat_id}", DeleteAsync);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, SecretChatStore chats, ChatHub hub)
    {
        JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
        string target = body.TryGetProperty("target_user", out JsonElement t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } s
            ? s.ToLowerInvariant()
            : throw ChatProblem.BadRequest("target_user is required");
        SecretChat chat = await chats.CreateAsync(context.ChatUser(), target, context.RequestAborted);
        Notify(hub, chat, "secret_chat.requested", to: chat.User2, by: chat.User1);
        return ChatApi.Ok(new { chat = chat.ToWire() });
    }

    private static async Task<IResult> ListAsync(HttpContext context, SecretChatStore chats) =>
        ChatApi.Ok(new { chats = (await chats.ListAsync(context.ChatUser(), context.RequestAborted)).Select(c => c.ToWire()) });

    private static async Task<IResult> ApproveAsync(string secret_chat_id, HttpContext context, SecretChatStore chats, ChatHub hub)
    {
        SecretChat chat = await chats.ApproveAsync(ChatApi.Id(secret_chat_id, "Secret chat"), context.ChatUser(), context.RequestAborted);
        Notify(hub, chat, "secret_chat.accepted", to: chat.User1, by: chat.User2);
        return ChatApi.Message("success");
    }

    private static async Task<IResult> AddPublicKeyAsync(string secret_chat_id, HttpContext context, SecretChatStore chats)
    {
        long id = ChatApi.Id(secret_chat_id, "Secret chat");
        JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
        await chats.AddPublicKeyAsync(id, context.ChatUser(), body.RequiredBase64("public_key"), context.RequestAborted);
        return ChatApi.Message("success");
    }

    private static async Task<IResult> AddSymmetricKeyAsync(string secret_chat_id, HttpContext context, SecretChatStore chats, ChatHub hub)
    {
        long id = ChatApi.Id(secret_chat_id, "Secret chat");
        JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
        SecretChat chat = await chats.AddSymmetricKeyAsync(
            id,
            context.ChatUser(),
            body.RequiredBase64("user_1_encrypted_symmetric_key"),
            body.RequiredBase64("user_2_encrypted_symmetric_key"),
            context.RequestAborted);
        Notify(hub, chat, "secret_chat.keys_finalized", to: chat.User1, by: chat.User2);
        return ChatApi.Message("success");
    }

    /// <summary>
    /// A live notice to the other participant, sent after the change committed: ids only (the keys stay in
    /// GET /api/secret-chat/get, which the client fetches when it acts on the notice).
    /// </summary>
    private static void Notify(ChatHub hub, SecretChat chat, string type, string to, string by) =>
        hub.Publish([to], new Dictionary<string, object>
        {
            ["type"] = type,
            ["thread"] = "secret_chat",
            ["thread_id"] = chat.Id,
            ["user_1"] = chat.User1,
            ["user_2"] = chat.User2,
            ["user_id"] = by,
        });

    private static async Task<IResult> GetAsync(string secret_chat_id, HttpContext context, SecretChatStore chats) =>
        ChatApi.Ok((await chats.GetAsync(ChatApi.Id(secret_chat_id, "Secret chat"), context.ChatUser(), context.RequestAborted)).ToWire());

    private static async Task<IResult> DeleteAsync(string secret_chat_id, HttpContext context, SecretChatStore chats)
    {
        await chats.DeleteAsync(ChatApi.Id(secret_chat_id, "Secret chat"), context.ChatUser(), context.RequestAborted);
        return ChatApi.Message("Secret chat deleted successfully");
    }
}
