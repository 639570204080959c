using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Nabla.Serving.Dashboard;

/// <summary>
/// One run the dashboard shows: its per-epoch history, current progress and final summary. Every change is also
/// published to the hub as an event. Thread-safe: training publishes while requests read. Epochs and batches are
/// 1-based in everything the dashboard serves (epoch 1 is the first; batch k means k batches of the epoch are done).
/// </summary>
public sealed class DashboardRun
{
    private readonly DashboardHub _hub;
    private readonly Lock _gate = new();
    private readonly List<EpochRecord> _epochs = [];
    private readonly TimeSpan _minBatchInterval;
    private long _lastBatchTicks;
    private bool _anyBatch;
    private int _totalEpochs, _epoch, _batch, _batchCount;
    private JsonObject? _summary;
    private string? _stopReason;
    private bool _done;

    internal DashboardRun(DashboardHub hub, int index, string name, string? runDirectory, TimeSpan minBatchInterval)
    {
        (_hub, Index, Name, RunDirectory, _minBatchInterval) = (hub, index, name, runDirectory, minBatchInterval);
    }

    public int Index { get; }
    public string Name { get; }

    /// <summary>The run folder whose report.html <c>/runs/{index}/report</c> serves, or null.</summary>
    public string? RunDirectory { get; }

    /// <summary>True once <see cref="Finish"/> was called.</summary>
    public bool Done { get { lock (_gate) return _done; } }

    /// <summary>The URL path of the run's report, once report.html exists in its folder.</summary>
    public string? ReportPath => ReportFile is null ? null : $"/runs/{Index}/report";

    internal string? ReportFile
    {
        get
        {
            if (RunDirectory is null) return null;
            var path = Path.Combine(RunDirectory, "report.html");
            return File.Exists(path) ? path : null;
        }
    }

    /// <summary>Training starts: <paramref name="epochs"/> planned, <paramref name="batchCount"/> batches per epoch.</summary>
    public void Start(int epochs, int batchCount)
    {
        lock (_gate)
        {
            (_totalEpochs, _batchCount) = (epochs, batchCount);
            _hub.Publish("start", new JsonObject { ["run"] = Index, ["name"] = Name, ["epochs"] = epochs, ["batchCount"] = batchCount }.ToJsonString());
        }
    }

    /// <summary>
    /// A training batch ended. Published at most once per the minimum interval, except that the first batch and
    /// the last batch of each epoch always are; returns whether this one was.
    /// </summary>
    public bool Batch(int epoch, int batch, int batchCount, double loss, double learningRate)
    {
        lock (_gate)
        {
            (_epoch, _batch, _batchCount) = (epoch, batch, batchCount);
            var now = Stopwatch.GetTimestamp();
            var due = !_anyBatch || batch >= batchCount || Stopwatch.GetElapsedTime(_lastBatchTicks, now) >= _minBatchInterval;
            if (!due) return false;
            (_anyBatch, _lastBatchTicks) = (true, now);
            _hub.Publish("batch", new JsonObject
            {
                ["run"] = Index, ["epoch"] = epoch, ["batch"] = batch, ["batchCount"] = batchCount,
                ["loss"] = Number(loss), ["lr"] = Number(learningRate),
            }.ToJsonString());
            return true;
        }
    }

    /// <summary>An epoch ended with these logs (loss, metrics, val_*, lr) after <paramref name="seconds"/>.</summary>
    public void Epoch(int epoch, IEnumerable<KeyValuePair<string, double>> metrics, double? seconds)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var record = new EpochRecord(epoch, new Dictionary<string, double>(metrics), seconds);
        lock (_gate)
        {
            _epochs.Add(record);
            _epoch = epoch;
            _hub.Publish("epoch", record.ToJson(Index).ToJsonString());
        }
    }

    /// <summary>Training and reporting are over: the summary figures (summary.json) and why training stopped early, if it did.</summary>
    public void Finish(JsonObject? summary, string? stopReason)
    {
        lock (_gate)
        {
            (_summary, _stopReason, _done) = (summary?.DeepClone().AsObject(), stopReason, true);
            _hub.Publish("done", new JsonObject
            {
                ["run"] = Index, ["name"] = Name, ["epochs"] = _epochs.Count, ["stopReason"] = stopReason,
                ["summary"] = summary?.DeepClone(), ["report"] = ReportPath,
            }.ToJsonString());
        }
    }

    /// <summary>What <c>GET /v1/runs</c> serves for this run: the same figures the page draws.</summary>
    public JsonObject ToJson()
    {
        lock (_gate)
        {
            return new JsonObject
            {
                ["index"] = Index,
                ["name"] = Name,
                ["epochs"] = _epochs.Count,
                ["totalEpochs"] = _totalEpochs,
                ["progress"] = new JsonObject { ["epoch"] = _epoch, ["batch"] = _batch, ["batchCount"] = _batchCount },
                ["history"] = new JsonArray([.. _epochs.Select(e => (JsonNode)e.ToJson(null))]),
                ["done"] = _done,
                ["stopReason"] = _stopReason,
                ["summary"] = _summary?.DeepClone(),
                ["report"] = ReportPath,
            };
        }
    }

    /// <summary>JSON has no NaN or infinity: such values (a diverged loss) become null.</summary>
    internal static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

    private sealed record EpochRecord(int Epoch, Dictionary<string, double> Metrics, double? Seconds)
    {
        public JsonObject ToJson(int? run)
        {
            var metrics = new JsonObject();
            foreach (var (key, value) in Metrics) metrics[key] = Number(value);
            var json = new JsonObject();
            if (run is { } r) json["run"] = r;
            json["epoch"] = Epoch;
            json["metrics"] = metrics;
            json["seconds"] = Seconds is { } s ? Number(s) : null;
            return json;
        }
    }
}
