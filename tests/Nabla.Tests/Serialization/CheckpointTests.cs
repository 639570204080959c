using Nabla.NN;
using Nabla.Optim;
using Nabla.Serialization;

namespace Nabla.Tests.Serialization;

public class CheckpointTests
{
    private static StateDict State(params (string Name, Tensor Value)[] items)
    {
        var dict = new StateDict();
        foreach (var (name, value) in items) dict.Add(name, value);
        return dict;
    }

    /// <summary>A tensor whose memory went back to the pool with its scope: reading its data throws, like a writer crashing mid-file.</summary>
    private static Tensor Released()
    {
        Tensor dead;
        using (TensorScope.Begin()) dead = Tensor.Ones(1000) + 1f;
        Assert.Throws<InvalidOperationException>(() => dead.ToArray());
        return dead;
    }

    [Fact]
    public void Sections_and_metadata_round_trip_including_empty_sections()
    {
        var path = Path.Combine(SafeTensorsBytes.TempFolder(), "run", "last.safetensors");
        var model = new Linear(3, 2);
        var optimizer = new Adam(model.Parameters(), learningRate: 0.01f);
        model.Forward(Tensor.Ones(1, 3)).Sum().Backward();
        optimizer.Step();
        var sections = new Dictionary<string, StateDict>
        {
            ["model"] = model.StateDict(),
            ["optimizer"] = optimizer.StateDict(),
            ["schedule"] = State(("last_epoch", Tensor.Scalar(4f))),
            ["extra"] = new StateDict(),
        };
        var metadata = new Dictionary<string, string> { ["epoch"] = "4", ["batch"] = "120", ["rng"] = "00FF9E3779B97F4A7C15", ["history"] = "{\"loss\":[0.9,0.5]}" };
        Checkpoint.Save(path, sections, metadata);

        var (loaded, loadedMetadata) = Checkpoint.Load(path);
        Assert.Equal(["model", "optimizer", "schedule", "extra"], loaded.Keys);
        Assert.Equal(metadata.OrderBy(kv => kv.Key), loadedMetadata.OrderBy(kv => kv.Key));
        foreach (var (name, state) in sections)
        {
            Assert.Equal(state.Keys, loaded[name].Keys);
            foreach (var key in state.Keys) Assert.Equal(state[key].ToArray(), loaded[name][key].ToArray());
        }
        Assert.Empty(loaded["extra"]);
        // In the file itself the keys carry their section prefix, and the section list is metadata.
        var raw = SafeTensors.Read(path);
        Assert.Contains("model.weight", raw.Tensors.Keys);
        Assert.Contains("optimizer.state.0.exp_avg", raw.Tensors.Keys);
        Assert.Equal("model,optimizer,schedule,extra", raw.Metadata[Checkpoint.SectionsKey]);

        var restored = new Adam(new Linear(3, 2).Parameters(), learningRate: 0.5f);
        restored.LoadStateDict(loaded["optimizer"]);
        Assert.Equal(0.01f, restored.StateDict()["group.0.lr"].Item());
    }

    [Fact]
    public void Bad_sections_and_files_are_named()
    {
        var folder = SafeTensorsBytes.TempFolder();
        var path = Path.Combine(folder, "c.safetensors");
        var one = State(("w", Tensor.Ones(1)));
        Assert.Contains("'a.b' is not a valid section name",
            Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, new Dictionary<string, StateDict> { ["a.b"] = one })).Message);
        Assert.Contains("is reserved", Assert.Throws<ArgumentException>(() => Checkpoint.Save(path, new Dictionary<string, StateDict> { ["m"] = one },
            new Dictionary<string, string> { [Checkpoint.SectionsKey] = "x" })).Message);

        SafeTensors.Write(path, State(("model.w", Tensor.Ones(1)), ("ema.w", Tensor.Zeros(1)))); // prefixed keys without a section list
        Assert.Equal(["model", "ema"], Checkpoint.Load(path).Sections.Keys);
        SafeTensors.Write(path, State(("w", Tensor.Ones(1))));
        Assert.Contains("tensor 'w' has no section prefix", Assert.Throws<SafeTensorsFormatException>(() => Checkpoint.Load(path)).Message);
        SafeTensors.Write(path, State(("other.w", Tensor.Ones(1))), new Dictionary<string, string> { [Checkpoint.SectionsKey] = "model" });
        Assert.Contains("belongs to section 'other', which the checkpoint's section list 'model' does not name",
            Assert.Throws<SafeTensorsFormatException>(() => Checkpoint.Load(path)).Message);
    }

    // ---- atomic writes ----------------------------------------------------------------------------

    private static void AssertOnlyFile(string folder, string path, byte[] expected)
    {
        Assert.Equal([path], Directory.GetFiles(folder)); // no temporary file left behind
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_writer_that_fails_mid_file_leaves_the_previous_file_intact_and_no_temporary_file()
    {
        var folder = SafeTensorsBytes.TempFolder();
        var path = Path.Combine(folder, "weights.safetensors");
        SafeTensors.Write(path, State(("w", Tensor.Arange(10))));
        var previous = File.ReadAllBytes(path);

        // The header and a large first tensor are written before the second tensor's data access throws.
        var crashing = State(("big", Tensor.Ones(100_000)), ("dead", Released()));
        Assert.Throws<InvalidOperationException>(() => SafeTensors.Write(path, crashing));
        AssertOnlyFile(folder, path, previous);

        // A value the chosen type cannot hold fails in the middle of the data too.
        var fractional = State(("big", Tensor.Ones(100_000)), ("n", Tensor.FromArray([1f, 2.5f], 2)));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, fractional, null, SafeTensorsDType.I32));
        AssertOnlyFile(folder, path, previous);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), SafeTensors.Read(path).Tensors["w"].ToArray());

        // A crash before any data is written (the first tensor is unreadable) keeps it too.
        Assert.Throws<InvalidOperationException>(() => SafeTensors.Write(path, State(("dead", Released()))));
        AssertOnlyFile(folder, path, previous);
    }

    [Fact]
    public void A_checkpoint_save_that_fails_keeps_the_previous_checkpoint_loadable()
    {
        var folder = SafeTensorsBytes.TempFolder();
        var path = Path.Combine(folder, "last.safetensors");
        Checkpoint.Save(path, new Dictionary<string, StateDict> { ["model"] = State(("w", Tensor.Full([3], 2f))) },
            new Dictionary<string, string> { ["epoch"] = "1" });
        var previous = File.ReadAllBytes(path);

        var sections = new Dictionary<string, StateDict>
        {
            ["model"] = State(("w", Tensor.Full([3], 5f))),
            ["optimizer"] = State(("state.0.exp_avg", Released())),
        };
        Assert.Throws<InvalidOperationException>(() => Checkpoint.Save(path, sections, new Dictionary<string, string> { ["epoch"] = "2" }));
        AssertOnlyFile(folder, path, previous);
        var (loaded, metadata) = Checkpoint.Load(path);
        Assert.Equal("1", metadata["epoch"]);
        Assert.Equal([2f, 2f, 2f], loaded["model"]["w"].ToArray());

        // A successful save replaces the file, again without leftovers.
        sections["optimizer"] = State(("state.0.exp_avg", Tensor.Zeros(3)));
        Checkpoint.Save(path, sections, new Dictionary<string, string> { ["epoch"] = "2" });
        Assert.Equal([path], Directory.GetFiles(folder));
        Assert.Equal("2", Checkpoint.Load(path).Metadata["epoch"]);
    }
}
