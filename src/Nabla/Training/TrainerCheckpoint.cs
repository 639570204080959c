using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Nabla.NN;
using Nabla.Serialization;

namespace Nabla.Training;

/// <summary>Where an epoch stands: the next batch to run and what the batches so far added up to.</summary>
internal sealed record EpochProgress(int Epoch, int Batch = 0, IReadOnlyDictionary<string, double>? PartialSums = null, long Examples = 0,
    IReadOnlyDictionary<string, double[]>? MetricStates = null)
{
    public IReadOnlyDictionary<string, double> Sums => PartialSums ?? new Dictionary<string, double>();
}

/// <summary>
/// Resumable checkpoints: one safetensors file holding the model, the optimizer, tracked extra state (e.g. a GAN's
/// second optimizer) and callbacks' tensors, with the epoch and batch position, the epoch's partial sums and metric
/// counts, the history so far, callbacks' values and the random generator's state in its metadata. Written atomically.
/// </summary>
public sealed partial class Trainer
{
    private const string StateKey = "nabla.trainer";
    private readonly List<(string Name, Func<StateDict> Save, Action<IReadOnlyDictionary<string, Tensor>> Load)> _tracked = [];

    /// <summary>Where <see cref="Fit"/> writes its resumable checkpoint (after every epoch), or null for none.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>Also checkpoint every this many batches within an epoch (0: only at epoch ends).</summary>
    public int CheckpointEveryBatches { get; set; }

    /// <summary>
    /// False on data-parallel ranks other than 0, which share rank 0's checkpoint: <see cref="Fit"/> then reads
    /// <see cref="CheckpointPath"/> on resume but never writes it, and restores only the callbacks this rank has (rank 0's
    /// logging callbacks are its own). Callbacks' <see cref="Callback.SaveState"/> still runs at every checkpoint, on every
    /// rank, so state gathered with a collective (Nabla.Distributed's per-rank random state) reaches rank 0.
    /// </summary>
    public bool WritesCheckpoints { get; set; } = true;

    /// <summary>
    /// Data-parallel runs: before a mid-epoch checkpoint, every rank passes its running epoch figures here, flattened
    /// (loss sums by key, the example count, then each metric's state, in name order), and stores what comes back, so
    /// rank 0's checkpoint holds figures every rank can resume from. Nabla.Distributed shares each figure's sum over the
    /// ranks out evenly (DataParallel.ShareOut), which keeps the rank-averaged epoch logs as in an uninterrupted run.
    /// </summary>
    public Action<Span<double>>? ReduceEpochProgress { get; set; }

    private void ReduceProgress(Dictionary<string, double> sums, ref long examples, Dictionary<string, double[]> metricStates)
    {
        var keys = sums.Keys.Order(StringComparer.Ordinal).ToArray();
        var names = metricStates.Keys.Order(StringComparer.Ordinal).ToArray();
        double[] flat = [.. keys.Select(k => sums[k]), examples, .. names.SelectMany(n => metricStates[n])];
        ReduceEpochProgress!(flat);
        var offset = 0;
        foreach (var k in keys) sums[k] = flat[offset++];
        examples = (long)Math.Round(flat[offset++]);
        foreach (var n in names)
        {
            var state = metricStates[n];
            flat.AsSpan(offset, state.Length).CopyTo(state);
            offset += state.Length;
        }
    }

    /// <summary>
    /// Adds state the trainer does not own to its checkpoints, e.g. the optimizers a custom training step uses:
    /// <c>trainer.TrackState("generator_optimizer", gOpt.StateDict, gOpt.LoadStateDict)</c>.
    /// </summary>
    public void TrackState(string name, Func<StateDict> save, Action<IReadOnlyDictionary<string, Tensor>> load)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('.') || _tracked.Exists(t => t.Name == name) || name is "model" or "optimizer")
        {
            throw new ArgumentException($"Trainer.TrackState: '{name}' must be a new, non-empty name without dots (and not 'model' or 'optimizer').");
        }
        _tracked.Add((name, save, load));
    }

    private void SaveCheckpoint(EpochProgress progress, History history, List<Callback> callbacks)
    {
        var callbackSections = new Dictionary<string, StateDict>();
        // Callbacks are matched on resume by type and occurrence, so ones without state (progress displays) may differ.
        var callbackValues = new JsonObject();
        foreach (var (key, callback) in CallbackKeys(callbacks))
        {
            var state = new CallbackState();
            callback.SaveState(state);
            if (state.Values.Count == 0 && state.Tensors.Count == 0) continue;
            foreach (var (name, tensors) in state.Tensors) callbackSections[$"callback_{key}_{name}"] = tensors;
            callbackValues[key] = new JsonObject
            {
                ["values"] = new JsonObject([.. state.Values.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))]),
                ["tensors"] = new JsonArray([.. state.Tensors.Keys.Select(k => (JsonNode)k)]),
            };
        }
        if (!WritesCheckpoints) return;
        var sections = new Dictionary<string, StateDict> { ["model"] = Model.StateDict() };
        if (Optimizer is not null) sections["optimizer"] = Optimizer.StateDict();
        foreach (var (name, save, _) in _tracked) sections["extra_" + name] = save();
        foreach (var (name, tensors) in callbackSections) sections[name] = tensors;
        var doc = new JsonObject
        {
            ["epoch"] = progress.Epoch,
            ["batch"] = progress.Batch,
            ["examples"] = progress.Examples,
            ["sums"] = new JsonObject([.. progress.Sums.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Number(kv.Value)))]),
            ["metrics"] = new JsonObject([.. (progress.MetricStates ?? new Dictionary<string, double[]>()).Select(kv =>
                KeyValuePair.Create(kv.Key, (JsonNode?)new JsonArray([.. kv.Value.Select(v => (JsonNode)Number(v))])))]),
            ["history"] = new JsonArray([.. history.Epochs.Select(e => (JsonNode)new JsonObject([.. e.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)Number(kv.Value)))]))]),
            ["rng"] = Generator.Default.GetState(),
            ["callbacks"] = callbackValues,
        };
        Checkpoint.Save(CheckpointPath!, sections, new Dictionary<string, string> { [StateKey] = doc.ToJsonString() });
    }

    /// <summary>Each callback with a stable key: its type name and its occurrence among callbacks of that type.</summary>
    private static IEnumerable<(string Key, Callback Callback)> CallbackKeys(List<Callback> callbacks)
    {
        var seen = new Dictionary<string, int>();
        foreach (var c in callbacks)
        {
            var type = c.GetType().Name;
            var k = seen.GetValueOrDefault(type);
            seen[type] = k + 1;
            yield return ($"{type}{k}", c);
        }
    }

    // Doubles travel as round-trip strings: JSON numbers cannot hold NaN or infinities, and the text keeps every bit.
    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static double Number(JsonNode? node) => double.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture);

    private EpochProgress RestoreCheckpoint(string path, History history, List<Callback> callbacks)
    {
        try
        {
            return Restore(path, history, callbacks);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or KeyNotFoundException or OverflowException)
        {
            // A field missing from or mistyped in the training state: the file is not what this trainer wrote.
            throw new InvalidDataException($"{path}: the training state is damaged or from another version ({e.Message}).", e);
        }
    }

    private EpochProgress Restore(string path, History history, List<Callback> callbacks)
    {
        var (sections, metadata) = Checkpoint.Load(path);
        if (!metadata.TryGetValue(StateKey, out var json)) throw new InvalidDataException($"{path}: not a training checkpoint (no '{StateKey}' metadata).");
        JsonNode doc;
        try
        {
            doc = JsonNode.Parse(json) ?? throw new InvalidDataException($"{path}: empty training state.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the training state is not valid JSON ({e.Message}).", e);
        }
        Model.LoadStateDict(Section("model"));
        if (Optimizer is not null) Optimizer.LoadStateDict(Section("optimizer"));
        foreach (var (name, _, load) in _tracked) load(Section("extra_" + name));
        // Before the callbacks, so that one may replace it (each data-parallel rank restores its own).
        Generator.Default.SetState(doc["rng"]!.GetValue<string>());
        var saved = doc["callbacks"]!.AsObject();
        var present = CallbackKeys(callbacks).ToList();
        foreach (var (key, _) in saved)
        {
            if (!present.Exists(p => p.Key == key) && WritesCheckpoints)
            {
                throw new InvalidDataException($"{path}: the checkpoint holds the state of callback {key}, which this run does not have; resume with the callbacks it was taken with.");
            }
        }
        foreach (var (key, callback) in present)
        {
            var state = new CallbackState();
            if (saved[key] is { } entry)
            {
                foreach (var (name, value) in entry["values"]!.AsObject()) state.Values[name] = value!.GetValue<string>();
                foreach (var name in entry["tensors"]!.AsArray()) state.Tensors[name!.GetValue<string>()] = Section($"callback_{key}_{name!.GetValue<string>()}");
                callback.LoadState(state);
                continue;
            }
            callback.SaveState(state);
            if (state.Values.Count > 0 || state.Tensors.Count > 0)
            {
                throw new InvalidDataException($"{path}: callback {key} keeps state but the checkpoint has none for it; resume with the callbacks it was taken with.");
            }
        }
        foreach (var epochLogs in doc["history"]!.AsArray())
        {
            history.Add(epochLogs!.AsObject().ToDictionary(kv => kv.Key, kv => Number(kv.Value)));
        }
        return new EpochProgress(
            doc["epoch"]!.GetValue<int>(),
            doc["batch"]!.GetValue<int>(),
            doc["sums"]!.AsObject().ToDictionary(kv => kv.Key, kv => Number(kv.Value)),
            doc["examples"]!.GetValue<long>(),
            doc["metrics"]!.AsObject().ToDictionary(kv => kv.Key, kv => kv.Value!.AsArray().Select(Number).ToArray()));

        StateDict Section(string name) => sections.TryGetValue(name, out var section)
            ? section
            : throw new InvalidDataException($"{path}: the checkpoint has no '{name}' section; it was written by a different set-up.");
    }
}
