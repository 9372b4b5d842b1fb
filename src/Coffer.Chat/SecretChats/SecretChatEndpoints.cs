using System.Text.Json;
using Coffer.Chat.Api;
using Coffer.Chat.Auth;

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

    private static async Task<IResult> CreateAsync(HttpContext context, SecretChatStore chats)
    {
        JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
        string target = body.TryGetProperty("target_user", out JsonElement t) && t.ValueKind == JsonValueKind.String && t.GetString() is { Length: > 0 } s
            ? s.ToLowerInvariant()
            : throw ChatProblem.BadRequest("target_user is required");
        SecretChat chat = await chats.CreateAsync(context.ChatUser(), target, context.RequestAborted);
        return ChatApi.Ok(new { chat = chat.ToWire() });
    }

    private static async Task<IResult> ListAsync(HttpContext context, SecretChatStore chats) =>
        ChatApi.Ok(new { chats = (await chats.ListAsync(context.ChatUser(), context.RequestAborted)).Select(c => c.ToWire()) });

    private static async Task<IResult> ApproveAsync(string secret_chat_id, HttpContext context, SecretChatStore chats)
    {
        await chats.ApproveAsync(ChatApi.Id(secret_chat_id, "Secret chat"), context.ChatUser(), context.RequestAborted);
        return ChatApi.Message("success");
    }

    private static async Task<IResult> AddPublicKeyAsync(string secret_chat_id, HttpContext context, SecretChatStore chats)
    {
        long id = ChatApi.Id(secret_chat_id, "Secret chat");
        JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
        await chats.AddPublicKeyAsync(id, context.ChatUser(), body.RequiredBase64("public_key"), context.RequestAborted);
        return ChatApi.Message("success");
    }

    private static async Task<IResult> AddSymmetricKeyAsync(string secret_chat_id, HttpContext context, SecretChatStore chats)
    {
        long id = ChatApi.Id(secret_chat_id, "Secret chat");
        JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
        await chats.AddSymmetricKeyAsync(
            id,
            context.ChatUser(),
            body.RequiredBase64("user_1_encrypted_symmetric_key"),
            body.RequiredBase64("user_2_encrypted_symmetric_key"),
            context.RequestAborted);
        return ChatApi.Message("success");
    }

    private static async Task<IResult> GetAsync(string secret_chat_id, HttpContext context, SecretChatStore chats) =>
        ChatApi.Ok((await chats.GetAsync(ChatApi.Id(secret_chat_id, "Secret chat"), context.ChatUser(), context.RequestAborted)).ToWire());

    private static async Task<IResult> DeleteAsync(string secret_chat_id, HttpContext context, SecretChatStore chats)
    {
        await chats.DeleteAsync(ChatApi.Id(secret_chat_id, "Secret chat"), context.ChatUser(), context.RequestAborted);
        return ChatApi.Message("Secret chat deleted successfully");
    }
}
