using System.Globalization;
using System.Text.Json;
using Coffer.Chat.Api;
using Coffer.Chat.Auth;
using Coffer.Chat.Groups;
using Coffer.Chat.Live;

namespace Coffer.Chat.Messages;

/// <summary>
/// Messages of a secret chat (<c>/api/secret-chat/{id}/messages</c>, body <c>encrypted_content</c>) and of a group
/// (<c>/api/group/{id}/messages</c>, body <c>content</c>, or <c>encrypted_content</c> in secret groups):
/// POST sends, GET lists (<c>?limit=1..100&amp;before=message_id</c>, newest first), PUT edits, DELETE deletes.
/// </summary>
public static class MessageEndpoints
{
    public static void MapMessages(this IEndpointRouteBuilder routes)
    {
        Map(routes.MapGroup("/secret-chat/{thread_id}/messages"), MessageThread.SecretChat, "Secret chat", "secret_chat");
        Map(routes.MapGroup("/group/{thread_id}/messages"), MessageThread.Group, "Group", "group");
    }

    private static void Map(RouteGroupBuilder messages, MessageThread thread, string what, string threadName)
    {
        async Task PublishAsync(MessageStore store, ChatHub hub, long id, string type, object payload, CancellationToken ct) =>
            hub.Publish(await store.RecipientsAsync(thread, id, ct), new Dictionary<string, object>
            {
                ["type"] = type,
                ["thread"] = threadName,
                ["thread_id"] = id,
                [type == "message.deleted" ? "message_id" : "message"] = payload,
            });

        messages.MapPost("", async (string thread_id, HttpContext context, MessageStore store, ChatHub hub, GroupStore groups) =>
        {
            long id = ChatApi.Id(thread_id, what);
            JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
            string type = body.OptionalString("message_type", 20) ?? "text";
            if (type is not ("text" or "image" or "file"))
            {
                throw ChatProblem.BadRequest("message_type must be \"text\", \"image\" or \"file\"");
            }

            ChatMessage message = await WithCurrentKeyAsync(thread, id, groups, () => store.SendAsync(
                thread, id, context.ChatUser(), body.OptionalString("content", ChatApi.MaxTextLength), EncryptedContent(body), type, context.RequestAborted),
                context.RequestAborted);
            await PublishAsync(store, hub, id, "message.created", Wire(message, thread), context.RequestAborted);
            return ChatApi.Ok(new { message = Wire(message, thread) });
        });
        messages.MapGet("", async (string thread_id, HttpContext context, MessageStore store) =>
        {
            long id = ChatApi.Id(thread_id, what);
            int limit = Query(context, "limit") is long l ? (int)Math.Clamp(l, 1, MessageStore.MaxPageSize) : MessageStore.DefaultPageSize;
            (IReadOnlyList<ChatMessage> page, bool hasMore) =
                await store.ListAsync(thread, id, context.ChatUser(), Query(context, "before"), limit, context.RequestAborted);
            return ChatApi.Ok(new { messages = page.Select(m => Wire(m, thread)), has_more = hasMore });
        });
        messages.MapPut("/{message_id}", async (string thread_id, string message_id, HttpContext context, MessageStore store, ChatHub hub, GroupStore groups) =>
        {
            long id = ChatApi.Id(thread_id, what);
            long messageId = ChatApi.Id(message_id, "Message");
            JsonElement body = await ChatApi.ReadObjectAsync(context.Request);
            ChatMessage message = await WithCurrentKeyAsync(thread, id, groups, () => store.EditAsync(
                thread, id, messageId, context.ChatUser(), body.OptionalString("content", ChatApi.MaxTextLength), EncryptedContent(body), context.RequestAborted),
                context.RequestAborted);
            await PublishAsync(store, hub, id, "message.updated", Wire(message, thread), context.RequestAborted);
            return ChatApi.Ok(new { message = Wire(message, thread) });
        });
        messages.MapDelete("/{message_id}", async (string thread_id, string message_id, HttpContext context, MessageStore store, ChatHub hub) =>
        {
            long id = ChatApi.Id(thread_id, what);
            long messageId = ChatApi.Id(message_id, "Message");
            await store.DeleteAsync(thread, id, messageId, context.ChatUser(), context.RequestAborted);
            await PublishAsync(store, hub, id, "message.deleted", messageId, context.RequestAborted);
            return ChatApi.Message("Message deleted successfully");
        });
    }

    /// <summary>
    /// A secret-group write whose key differs from the recorded one may use a key newer than the record (rotated, not
    /// reported yet): the platform's newest key id is read once and the write tried again.
    /// </summary>
    private static async Task<ChatMessage> WithCurrentKeyAsync(MessageThread thread, long id, GroupStore groups, Func<Task<ChatMessage>> write, CancellationToken ct)
    {
        try
        {
            return await write();
        }
        catch (ChatProblem problem) when (thread == MessageThread.Group && problem.Status == StatusCodes.Status409Conflict
            && problem.Message.StartsWith(MessageStore.StaleKeyDetail, StringComparison.Ordinal))
        {
            await groups.RefreshKeyAsync(id, ct);
            return await write();
        }
    }

    private static string? EncryptedContent(JsonElement body) =>
        body.TryGetProperty("encrypted_content", out _) ? body.RequiredBase64("encrypted_content") : null;

    private static long? Query(HttpContext context, string name)
    {
        string? text = context.Request.Query[name];
        return text is null ? null
            : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value
            : throw ChatProblem.BadRequest($"{name} must be a positive number");
    }

    public static object Wire(ChatMessage m, MessageThread thread) => thread == MessageThread.SecretChat
        ? (object)new
        {
            id = m.Id,
            chat_id = m.ThreadId,
            sender_id = m.SenderId,
            encrypted_content = m.EncryptedContent,
            message_type = m.MessageType,
            created_at = ChatApi.Timestamp(m.CreatedAt),
            edited_at = m.EditedAt is long e ? ChatApi.Timestamp(e) : null,
        }
        : new
        {
            id = m.Id,
            group_id = m.ThreadId,
            sender_id = m.SenderId,
            content = m.IsEncrypted ? null : m.Content,
            encrypted_content = m.EncryptedContent,
            message_type = m.MessageType,
            is_encrypted = m.IsEncrypted,
            created_at = ChatApi.Timestamp(m.CreatedAt),
            edited_at = m.EditedAt is long edited ? ChatApi.Timestamp(edited) : null,
        };
}
