using System.Diagnostics;
using System.Text.Json;
using Nabla.Serving.Dashboard;

namespace Nabla.Tests.Serving;

/// <summary>The event hub and run bookkeeping without a server: replay, ordering, bounded queues, throttling.</summary>
public class DashboardHubTests
{
    private static long[] Ids(IEnumerable<DashboardEvent> events) => [.. events.Select(e => e.Id)];

    private static List<DashboardEvent> Drain(DashboardHub.Subscription s)
    {
        var list = new List<DashboardEvent>();
        while (s.Reader.TryRead(out var e)) list.Add(e);
        return list;
    }

    [Fact]
    public void A_subscriber_gets_the_replay_then_each_later_event_once_in_order()
    {
        var hub = new DashboardHub();
        for (var i = 0; i < 3; i++) hub.Publish("epoch", $"{{\"i\":{i}}}");
        using var sub = hub.Subscribe();
        hub.Publish("batch", "{}");
        hub.Publish("done", "{}");
        Assert.Equal([1, 2, 3], Ids(sub.Replay));
        Assert.Equal([4, 5], Ids(Drain(sub)));
        Assert.Equal(1, hub.ClientCount);
    }

    [Fact]
    public void The_replay_keeps_every_epoch_event_but_only_the_latest_batches_in_publishing_order()
    {
        var hub = new DashboardHub(maxReplayBatches: 2);
        string[] types = ["start", "batch", "batch", "epoch", "batch", "batch", "batch", "epoch"];
        foreach (var t in types) hub.Publish(t, "{}");
        // Ids 1..8; batches 2, 3 and 5 fall out of the replay (only the two newest, 6 and 7, stay).
        Assert.Equal([1, 4, 6, 7, 8], Ids(hub.Replay()));
    }

    [Fact]
    public void A_client_that_never_reads_does_not_hold_up_publishing_and_keeps_the_newest_events()
    {
        var hub = new DashboardHub(clientQueueCapacity: 4);
        using var stalled = hub.Subscribe();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 10_000; i++) hub.Publish("batch", "{}");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"publishing took {clock.Elapsed}");
        Assert.Equal([9997, 9998, 9999, 10000], Ids(Drain(stalled)));
    }

    [Fact]
    public async Task Close_ends_live_streams_after_their_queued_events_and_disposing_unsubscribes()
    {
        var hub = new DashboardHub();
        using var a = hub.Subscribe();
        var b = hub.Subscribe();
        b.Dispose();
        Assert.Equal(1, hub.ClientCount);
        hub.Publish("done", "{}");
        hub.Close();
        var received = new List<DashboardEvent>();
        await foreach (var e in a.Reader.ReadAllAsync()) received.Add(e);
        Assert.Equal([1], Ids(received));
        Assert.Equal(0, hub.ClientCount);
        using var late = hub.Subscribe();
        Assert.Equal([1], Ids(late.Replay));
        Assert.True(late.Reader.Completion.IsCompleted);
    }

    [Theory]
    // interval, batches per epoch, epochs -> the (epoch, batch) pairs published
    [InlineData(0, 3, 2, "1:1 1:2 1:3 2:1 2:2 2:3")]
    [InlineData(3600, 4, 2, "1:1 1:4 2:4")] // throttled: the run's first batch and every epoch's last
    public void Batches_are_throttled_except_the_first_and_each_epochs_last(int seconds, int batchCount, int epochs, string expected)
    {
        var dashboard = new TrainingDashboard(TimeSpan.FromSeconds(seconds));
        var run = dashboard.AddRun("r");
        for (var e = 1; e <= epochs; e++)
        {
            for (var b = 1; b <= batchCount; b++) run.Batch(e, b, batchCount, loss: e + b / 10.0, learningRate: 0.1);
        }
        var published = dashboard.Hub.Replay().Select(ev => JsonDocument.Parse(ev.Data).RootElement)
            .Select(j => $"{j.GetProperty("epoch").GetInt32()}:{j.GetProperty("batch").GetInt32()}");
        Assert.Equal(expected, string.Join(" ", published));
    }

    [Fact]
    public void Non_finite_figures_become_null_and_repeated_run_names_get_numbers()
    {
        var dashboard = new TrainingDashboard();
        var run = dashboard.AddRun("mlp");
        run.Epoch(1, new Dictionary<string, double> { ["loss"] = double.NaN, ["accuracy"] = 0.5 }, double.PositiveInfinity);
        var json = JsonDocument.Parse(dashboard.Hub.Replay()[0].Data).RootElement;
        Assert.Equal(JsonValueKind.Null, json.GetProperty("metrics").GetProperty("loss").ValueKind);
        Assert.Equal(0.5, json.GetProperty("metrics").GetProperty("accuracy").GetDouble());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("seconds").ValueKind);
        Assert.Equal("mlp (2)", dashboard.AddRun("mlp").Name);
        Assert.Equal("mlp (3)", dashboard.AddRun("mlp").Name);
    }
}
