using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Coffer.Chat.Api;

namespace Coffer.Chat.Live;

/// <summary>
/// Live delivery: every open WebSocket of a user gets the events of the chats and groups they are in, as JSON text
/// frames <c>{"type": "message.created" | "message.updated" | "message.deleted", …}</c>. In-memory and per process:
/// a client that was offline (or a slow one whose queue overflowed) catches up with the paged message lists.
/// </summary>
public sealed class ChatHub
{
    /// <summary>Events queued per connection; beyond this the oldest are dropped (the client re-lists).</summary>
    public const int QueueCapacity = 256;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Guid, Channel<byte[]>>> connections = new();

    public int ConnectionCount(string user) => connections.TryGetValue(user, out var mine) ? mine.Count : 0;

    public void Publish(IEnumerable<string> users, object @event)
    {
        // Serialized and encoded once; every socket sends the same bytes. TryWrite never waits: a full queue drops its
        // oldest event, so one slow socket never holds up the sender or the other recipients.
        byte[] frame = JsonSerializer.SerializeToUtf8Bytes(@event, ChatApi.Json);
        foreach (string user in users.Distinct())
        {
            if (connections.TryGetValue(user, out var mine))
            {
                // Enumerating the dictionary itself takes no lock and copies nothing (.Values would snapshot it).
                foreach (KeyValuePair<Guid, Channel<byte[]>> socket in mine)
                {
                    socket.Value.Writer.TryWrite(frame);
                }
            }
        }
    }

    /// <summary>Serves one accepted socket until the client closes it or the request is aborted.</summary>
    public async Task ServeAsync(string user, WebSocket socket, CancellationToken ct)
    {
        var id = Guid.NewGuid();
        var channel = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        connections.GetOrAdd(user, _ => new ConcurrentDictionary<Guid, Channel<byte[]>>())[id] = channel;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            Task receive = ReceiveUntilCloseAsync(socket, stop.Token);
            Task send = SendAsync(socket, channel.Reader, stop.Token);
            await Task.WhenAny(receive, send);
            await stop.CancelAsync();
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // the client went away
        }
        finally
        {
            if (connections.TryGetValue(user, out var mine))
            {
                mine.TryRemove(id, out _);
            }
        }
    }

    private static async Task SendAsync(WebSocket socket, ChannelReader<byte[]> events, CancellationToken ct)
    {
        try
        {
            await foreach (byte[] frame in events.ReadAllAsync(ct))
            {
                await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, ct);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }

    /// <summary>Clients send nothing; anything they send is read and ignored until they close.</summary>
    private static async Task ReceiveUntilCloseAsync(WebSocket socket, CancellationToken ct)
    {
        byte[] buffer = new byte[1024];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, ct);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
    }
}
