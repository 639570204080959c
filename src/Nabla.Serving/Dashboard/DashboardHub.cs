using System.Threading.Channels;

namespace Nabla.Serving.Dashboard;

/// <summary>One server-sent event: a sequence number (the SSE <c>id</c>), its type (<c>start</c>, <c>batch</c>, <c>epoch</c>, <c>done</c>) and JSON data.</summary>
public sealed record DashboardEvent(long Id, string Type, string Data)
{
    /// <summary>The event in the <c>text/event-stream</c> wire format, blank line included.</summary>
    public string ToWireFormat() => $"id: {Id}\nevent: {Type}\ndata: {Data}\n\n";
}

/// <summary>
/// Fans training events out to any number of event-stream clients. The training thread publishes; each client gets
/// a replay of everything so far and then the new events through its own bounded queue. A full queue drops that
/// client's oldest events instead of waiting, so a slow or stalled browser never holds up training.
/// </summary>
public sealed class DashboardHub
{
    private readonly Lock _gate = new();
    private readonly List<DashboardEvent> _kept = [];          // start, epoch and done events: all of them
    private readonly Queue<DashboardEvent> _batches = new();   // batch events: the most recent MaxReplayBatches
    private readonly List<Channel<DashboardEvent>> _clients = [];
    private long _lastId;
    private bool _closed;

    /// <param name="clientQueueCapacity">Events buffered per client before its oldest are dropped.</param>
    /// <param name="maxReplayBatches">Batch events kept for the replay (epoch-level events are all kept).</param>
    public DashboardHub(int clientQueueCapacity = 4096, int maxReplayBatches = 5000)
    {
        if (clientQueueCapacity < 1) throw new ArgumentException($"DashboardHub: clientQueueCapacity must be positive; got {clientQueueCapacity}.");
        if (maxReplayBatches < 0) throw new ArgumentException($"DashboardHub: maxReplayBatches must be >= 0; got {maxReplayBatches}.");
        ClientQueueCapacity = clientQueueCapacity;
        MaxReplayBatches = maxReplayBatches;
    }

    public int ClientQueueCapacity { get; }
    public int MaxReplayBatches { get; }

    /// <summary>Event-stream clients connected right now.</summary>
    public int ClientCount { get { lock (_gate) return _clients.Count; } }

    /// <summary>Records an event and queues it for every client; never blocks on a client.</summary>
    public DashboardEvent Publish(string type, string data)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(data);
        lock (_gate)
        {
            var e = new DashboardEvent(++_lastId, type, data);
            if (type == "batch")
            {
                _batches.Enqueue(e);
                while (_batches.Count > MaxReplayBatches) _batches.Dequeue();
            }
            else
            {
                _kept.Add(e);
            }
            foreach (var client in _clients) client.Writer.TryWrite(e); // DropOldest: always succeeds at once
            return e;
        }
    }

    /// <summary>Every event a newly connected client is shown first, in publishing order.</summary>
    public IReadOnlyList<DashboardEvent> Replay()
    {
        lock (_gate) return ReplayLocked();
    }

    /// <summary>
    /// Connects a client: the replay and the live queue are taken under one lock, so the client sees every event
    /// exactly once and in order. Dispose the subscription when the client goes.
    /// </summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<DashboardEvent>(new BoundedChannelOptions(ClientQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            if (_closed) channel.Writer.TryComplete();
            else _clients.Add(channel);
            return new Subscription(this, channel, ReplayLocked());
        }
    }

    /// <summary>Ends every stream (after its queued events) and refuses new live clients: the server is stopping.</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            foreach (var client in _clients) client.Writer.TryComplete();
            _clients.Clear();
        }
    }

    private List<DashboardEvent> ReplayLocked()
    {
        // Both lists are in id order; merge them.
        var all = new List<DashboardEvent>(_kept.Count + _batches.Count);
        using var batches = _batches.GetEnumerator();
        var more = batches.MoveNext();
        foreach (var e in _kept)
        {
            for (; more && batches.Current.Id < e.Id; more = batches.MoveNext()) all.Add(batches.Current);
            all.Add(e);
        }
        for (; more; more = batches.MoveNext()) all.Add(batches.Current);
        return all;
    }

    private void Remove(Channel<DashboardEvent> channel)
    {
        lock (_gate) _clients.Remove(channel);
        channel.Writer.TryComplete();
    }

    /// <summary>One client's view: the replay, then the live events from <see cref="Reader"/>.</summary>
    public sealed class Subscription : IDisposable
    {
        private readonly DashboardHub _hub;
        private readonly Channel<DashboardEvent> _channel;

        internal Subscription(DashboardHub hub, Channel<DashboardEvent> channel, IReadOnlyList<DashboardEvent> replay)
        {
            (_hub, _channel, Replay) = (hub, channel, replay);
        }

        public IReadOnlyList<DashboardEvent> Replay { get; }
        public ChannelReader<DashboardEvent> Reader => _channel.Reader;

        public void Dispose() => _hub.Remove(_channel);
    }
}
