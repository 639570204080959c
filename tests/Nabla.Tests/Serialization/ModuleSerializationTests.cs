using Nabla.NN;
using Nabla.Optim;
using Nabla.Serialization;

namespace Nabla.Tests.Serialization;

public class ModuleSerializationTests
{
    /// <summary>Overwrites every parameter and buffer with seeded values (variances positive), so a load that skipped anything would show.</summary>
    private static void Scramble(Module module, ulong seed)
    {
        var generator = new Generator(seed);
        using var _ = Autograd.NoGrad();
        foreach (var (name, tensor) in module.StateDict())
        {
            var values = Tensor.Randn(tensor.Shape.ToArray(), generator);
            if (name.EndsWith("running_var", StringComparison.Ordinal)) values = values.Abs() + 0.5f;
            if (name.EndsWith("num_batches_tracked", StringComparison.Ordinal)) values = Tensor.Full(tensor.Shape.ToArray(), 5f);
            tensor.CopyFrom(values);
        }
    }

    public static TheoryData<string, Func<Module>, Func<Tensor>?> Layers() => new()
    {
        { "Linear", () => new Linear(4, 3), () => Tensor.Randn([2, 4], new Generator(5)) },
        { "Conv2d", () => new Conv2d(2, 3, kernelSize: 3, padding: 1), () => Tensor.Randn([1, 2, 5, 5], new Generator(5)) },
        { "ConvTranspose2d", () => new ConvTranspose2d(2, 3, kernelSize: 2, stride: 2), () => Tensor.Randn([1, 2, 3, 3], new Generator(5)) },
        { "BatchNorm1d", () => new BatchNorm1d(4), () => Tensor.Randn([3, 4], new Generator(5)) },
        { "BatchNorm2d", () => new BatchNorm2d(2), () => Tensor.Randn([2, 2, 3, 3], new Generator(5)) },
        { "LayerNorm", () => new LayerNorm(4), () => Tensor.Randn([2, 4], new Generator(5)) },
        { "Embedding", () => new Embedding(10, 3), () => Tensor.FromArray([1f, 9f, 0f, 3f], 2, 2) },
        { "Rnn", () => new Rnn(3, 4, numLayers: 2, bidirectional: true), () => Tensor.Randn([5, 2, 3], new Generator(5)) },
        { "Lstm", () => new Lstm(3, 4, numLayers: 2), () => Tensor.Randn([5, 2, 3], new Generator(5)) },
        { "Gru", () => new Gru(3, 4, bidirectional: true), () => Tensor.Randn([5, 2, 3], new Generator(5)) },
        { "MultiHeadAttention", () => new MultiHeadAttention(4, 2), () => Tensor.Randn([3, 2, 4], new Generator(5)) },
        { "MultiHeadAttention kdim", () => new MultiHeadAttention(4, 2, kdim: 4, vdim: 6), null },
        { "TransformerEncoderLayer", () => new TransformerEncoderLayer(4, 2, dimFeedforward: 8, dropout: 0f), () => Tensor.Randn([3, 2, 4], new Generator(5)) },
        { "Sequential CNN", () => new Sequential(new Conv2d(1, 2, 3), new BatchNorm2d(2), new Relu(), new Flatten(), new Linear(8, 2)), () => Tensor.Randn([2, 1, 4, 4], new Generator(5)) },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Saved_and_loaded_modules_give_identical_outputs(string label, Func<Module> create, Func<Tensor>? input)
    {
        var path = Path.Combine(SafeTensorsBytes.TempFolder(), "module.safetensors");
        var original = create();
        Scramble(original, 11);
        original.Save(path, new Dictionary<string, string> { ["layer"] = label });
        var restored = create();
        Scramble(restored, 22);
        var (missing, unexpected) = restored.Load(path);
        Assert.Empty(missing);
        Assert.Empty(unexpected);
        Assert.Equal(label, SafeTensors.Read(path).Metadata["layer"]);

        var expected = original.StateDict();
        var actual = restored.StateDict();
        Assert.Equal(expected.Keys, actual.Keys);
        foreach (var key in expected.Keys) Assert.Equal(expected[key].ToArray(), actual[key].ToArray());

        if (input is null) return; // cross-attention has no one-tensor forward: the state comparison above is the check
        var x = input();
        original.Eval();
        restored.Eval();
        Assert.Equal(original.Forward(x).ToArray(), restored.Forward(x).ToArray());
    }

    [Fact]
    public void Loaded_tensors_do_not_share_memory_with_the_file_contents_or_the_source_module()
    {
        var path = Path.Combine(SafeTensorsBytes.TempFolder(), "linear.safetensors");
        var source = new Linear(2, 2);
        source.Save(path);
        var target = new Linear(2, 2);
        target.Load(path);
        using (Autograd.NoGrad()) source.Weight.FillInPlace(7f);
        Assert.NotEqual(7f, target.Weight.ToArray()[0]);
        Assert.True(target.Weight.RequiresGrad); // still a trainable parameter
    }

    [Fact]
    public void A_one_element_tensor_of_another_rank_loads_but_other_shape_mismatches_do_not()
    {
        var folder = SafeTensorsBytes.TempFolder();
        var bn = new BatchNorm1d(3);
        var state = bn.StateDict().Clone();
        state["num_batches_tracked"] = Tensor.FromArray([9f], 1); // a [1] counter (older files) into the 0-d buffer
        SafeTensors.Write(Path.Combine(folder, "bn.safetensors"), state);
        bn.Load(Path.Combine(folder, "bn.safetensors"));
        Assert.Equal(9f, bn.BatchesTracked!.Item());
        Assert.Empty(bn.BatchesTracked.Shape.ToArray());

        state["running_mean"] = Tensor.Zeros(1, 3);
        SafeTensors.Write(Path.Combine(folder, "bad.safetensors"), state);
        var error = Assert.Throws<ArgumentException>(() => bn.Load(Path.Combine(folder, "bad.safetensors")));
        Assert.Contains("running_mean: expected [3], got [1, 3]", error.Message);
    }

    private static (Linear Model, Adam Optimizer) Trainable(ulong seed)
    {
        var model = new Linear(3, 2, generator: new Generator(seed));
        return (model, new Adam(model.Parameters(), learningRate: 0.05f));
    }

    private static void Train(Linear model, Optimizer optimizer, int steps, int first)
    {
        for (var s = first; s < first + steps; s++)
        {
            var x = Tensor.Randn([4, 3], new Generator((ulong)s));
            optimizer.ZeroGrad();
            var loss = (model.Forward(x) - 1f).Pow(2).Mean();
            loss.Backward();
            optimizer.Step();
        }
    }

    [Fact]
    public void Model_and_optimizer_files_resume_training_bit_for_bit()
    {
        var folder = SafeTensorsBytes.TempFolder();
        var (reference, referenceOptimizer) = Trainable(1);
        Train(reference, referenceOptimizer, 6, 0);

        var (first, firstOptimizer) = Trainable(1);
        Train(first, firstOptimizer, 3, 0);
        first.Save(Path.Combine(folder, "model.safetensors"));
        firstOptimizer.Save(Path.Combine(folder, "optimizer.safetensors"));
        var stored = SafeTensors.Read(Path.Combine(folder, "optimizer.safetensors")).Tensors;
        Assert.Equal(0, stored["state.0.step"].Rank); // scalars are 0-d tensors
        Assert.Equal(3f, stored["state.0.step"].Item());

        var (resumed, resumedOptimizer) = Trainable(2);
        resumed.Load(Path.Combine(folder, "model.safetensors"));
        resumedOptimizer.Load(Path.Combine(folder, "optimizer.safetensors"));
        Train(resumed, resumedOptimizer, 3, 3);
        Assert.Equal(reference.Weight.ToArray(), resumed.Weight.ToArray());
        Assert.Equal(reference.Bias!.ToArray(), resumed.Bias!.ToArray());
    }
}
