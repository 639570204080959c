using Nabla.NN;
using Nabla.Tests.Support;

namespace Nabla.Tests.NN;

/// <summary>One row per layer, run through the same checks: output shape, parameter count, one gradient step lowers a loss,
/// state round-trips into a differently seeded copy, train/eval behaviour, and input gradients against finite differences.</summary>
public class LayerHarnessTests
{
    public sealed record LayerCase(
        string Name,
        Func<ulong, Module> Make,
        int[] InputShape,
        int[] OutputShape,
        long Parameters,
        bool ModeMatters = false,
        Func<Tensor>? Input = null,
        bool InputDifferentiable = true,
        bool Stochastic = false)
    {
        public Tensor MakeInput() => Input?.Invoke() ?? Tensor.Randn(InputShape, new Generator(42));
        public override string ToString() => Name;
    }

    private static Generator G(ulong seed) => new(seed);

    public static readonly IReadOnlyDictionary<string, LayerCase> Cases = new LayerCase[]
    {
        new("Linear", s => new Linear(4, 3, generator: G(s)), [5, 4], [5, 3], 4 * 3 + 3),
        new("Linear[no bias, 3-D input]", s => new Linear(4, 3, bias: false, generator: G(s)), [2, 5, 4], [2, 5, 3], 12),
        new("Conv2d", s => new Conv2d(2, 3, 3, padding: 1, generator: G(s)), [2, 2, 5, 5], [2, 3, 5, 5], 3 * 2 * 9 + 3),
        new("Conv2d[same, groups, stride]", s => new Conv2d(4, 6, (3, 2), padding: Padding2.Same, groups: 2, generator: G(s)), [1, 4, 5, 4], [1, 6, 5, 4], 6 * 2 * 6 + 6),
        new("Conv2d[strided, dilated]", s => new Conv2d(2, 2, 3, stride: 2, dilation: 2, generator: G(s)), [1, 2, 9, 8], [1, 2, 3, 2], 2 * 2 * 9 + 2),
        new("ConvTranspose2d", s => new ConvTranspose2d(3, 2, 3, stride: 2, padding: 1, outputPadding: 1, generator: G(s)), [2, 3, 3, 3], [2, 2, 6, 6], 3 * 2 * 9 + 2),
        new("MaxPool2d", _ => new MaxPool2d(2), [2, 3, 4, 4], [2, 3, 2, 2], 0, Input: () => Ladder(2, 3, 4, 4)),
        new("AvgPool2d", _ => new AvgPool2d(3, stride: 2, padding: 1), [2, 3, 5, 5], [2, 3, 3, 3], 0),
        new("GlobalAvgPool2d", _ => new GlobalAvgPool2d(), [2, 3, 4, 4], [2, 3], 0),
        new("BatchNorm1d", _ => new BatchNorm1d(3), [6, 3], [6, 3], 6, ModeMatters: true),
        new("BatchNorm1d[sequence]", _ => new BatchNorm1d(3), [4, 3, 5], [4, 3, 5], 6, ModeMatters: true),
        new("BatchNorm2d", _ => new BatchNorm2d(2), [3, 2, 3, 3], [3, 2, 3, 3], 4, ModeMatters: true),
        new("Dropout", s => new Dropout(0.5f, G(s)), [4, 6], [4, 6], 0, ModeMatters: true),
        new("Dropout2d", s => new Dropout2d(0.5f, G(s)), [4, 6, 2, 2], [4, 6, 2, 2], 0, ModeMatters: true),
        new("Flatten", _ => new Flatten(), [2, 3, 4], [2, 12], 0),
        new("Unflatten", _ => new Unflatten(3, 4), [2, 12], [2, 3, 4], 0),
        new("Embedding", s => new Embedding(10, 4, generator: G(s)), [2, 3], [2, 3, 4], 40,
            Input: () => Tensor.From(new float[,] { { 1, 4, 9 }, { 0, 4, 2 } }), InputDifferentiable: false),
        new("LayerNorm", _ => new LayerNorm(4), [3, 4], [3, 4], 8),
        new("LayerNorm[2 axes]", _ => new LayerNorm([2, 3]), [4, 2, 3], [4, 2, 3], 12),
        new("Rnn", s => new Rnn(3, 4, generator: G(s)), [5, 2, 3], [5, 2, 4], 4 * 3 + 4 * 4 + 4 + 4),
        new("Rnn[2 layers, bidirectional, batch first]", s => new Rnn(3, 2, numLayers: 2, batchFirst: true, bidirectional: true, generator: G(s)),
            [2, 4, 3], [2, 4, 4], 2 * (2 * 3 + 2 * 2 + 4) + 2 * (2 * 4 + 2 * 2 + 4)),
        new("Lstm", s => new Lstm(3, 4, generator: G(s)), [5, 2, 3], [5, 2, 4], 16 * 3 + 16 * 4 + 32),
        new("Lstm[2 layers, dropout]", s => new Lstm(3, 4, numLayers: 2, dropout: 0.5f, generator: G(s)), [5, 2, 3], [5, 2, 4], (16 * 3 + 16 * 4 + 32) + (16 * 4 + 16 * 4 + 32), ModeMatters: true, Stochastic: true),
        new("Gru", s => new Gru(3, 4, batchFirst: true, generator: G(s)), [2, 5, 3], [2, 5, 4], 12 * 3 + 12 * 4 + 24),
        new("Lstm classifier", s => new Sequential(new Lstm(3, 4, batchFirst: true, generator: G(s)), new LastTimeStep(batchFirst: true), new Linear(4, 2, generator: G(s + 1))),
            [2, 5, 3], [2, 2], 16 * 3 + 16 * 4 + 32 + 10),
        new("MultiHeadAttention", s => new MultiHeadAttention(8, 2, batchFirst: true, generator: G(s)), [2, 5, 8], [2, 5, 8], 3 * 8 * 8 + 3 * 8 + 8 * 8 + 8),
        new("TransformerEncoderLayer", s => new TransformerEncoderLayer(8, 2, dimFeedforward: 16, dropout: 0.1f, batchFirst: true, generator: G(s)), [2, 5, 8], [2, 5, 8],
            (3 * 8 * 8 + 3 * 8 + 8 * 8 + 8) + (8 * 16 + 16) + (16 * 8 + 8) + 4 * 8, ModeMatters: true, Stochastic: true),
        new("Sequential MLP", s => new Sequential(new Linear(4, 8, generator: G(s)), new Relu(), new Linear(8, 2, generator: G(s + 1))), [3, 4], [3, 2], 4 * 8 + 8 + 8 * 2 + 2),
        new("Sequential CNN", s => new Sequential(new Conv2d(1, 4, 3, generator: G(s)), new BatchNorm2d(4), new Relu(), new MaxPool2d(2), new Flatten(), new Linear(4 * 2 * 2, 3, generator: G(s + 1))),
            [2, 1, 6, 6], [2, 3], 4 * 9 + 4 + 8 + 16 * 3 + 3, ModeMatters: true),
    }.Concat(ActivationLayer.Names.Select(name => new LayerCase($"activation {name}", _ => ActivationLayer.Create(name), [3, 4], [3, 4], 0)))
     .ToDictionary(c => c.Name);

    public static TheoryData<string> All() => [.. Cases.Keys];
    public static TheoryData<string> WithParameters() => [.. Cases.Values.Where(c => c.Parameters > 0).Select(c => c.Name)];
    public static TheoryData<string> Differentiable() =>
        [.. Cases.Values.Where(c => c.InputDifferentiable && c.Name != "activation binary_step").Select(c => c.Name)];

    /// <summary>Values 0.1 apart in a shuffled order: no two elements of a pooling window are close enough to swap under a finite-difference step.</summary>
    private static Tensor Ladder(params int[] shape)
    {
        var count = shape.Aggregate(1, (a, b) => a * b);
        var g = new Generator(8);
        var values = Enumerable.Range(0, count).Select(i => i * 0.1f + 0.25f).OrderBy(_ => g.NextUInt64()).ToArray();
        return Tensor.FromArray(values, shape);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Output_shape_and_parameter_count(string name)
    {
        var c = Cases[name];
        var layer = c.Make(1);
        Assert.Equal(c.OutputShape, layer.Forward(c.MakeInput()).Shape.ToArray());
        Assert.Equal(c.Parameters, layer.ParameterCount());
    }

    [Theory]
    [MemberData(nameof(WithParameters))]
    public void One_gradient_step_lowers_the_loss_on_a_fixed_batch(string name)
    {
        var c = Cases[name];
        var layer = c.Make(1);
        var x = c.MakeInput();
        var target = Tensor.Randn(c.OutputShape, new Generator(7));
        // Layers that draw random masks are stepped in eval mode, where the loss is a fixed function of the parameters.
        layer.Train(!c.Stochastic);
        float Loss() => (layer.Forward(x) - target).Pow(2f).Mean().Item();
        var before = Loss();
        var loss = (layer.Forward(x) - target).Pow(2f).Mean();
        loss.Backward();
        using (Autograd.NoGrad())
        {
            foreach (var p in layer.TrainableParameters()) p.SubInPlace(p.Grad! * 0.05f);
        }
        Assert.True(Loss() < before, $"{name}: loss {before} did not drop after one step");
    }

    [Theory]
    [MemberData(nameof(All))]
    public void State_round_trips_into_a_differently_seeded_copy(string name)
    {
        var c = Cases[name];
        var original = c.Make(1);
        original.Forward(c.MakeInput()); // moves running statistics, if any, away from their start
        var copy = c.Make(99);
        copy.LoadStateDict(original.StateDict());
        original.Eval();
        copy.Eval();
        var x = c.MakeInput();
        Assert.True(original.Forward(x).ValueEquals(copy.Forward(x)), name);
        Assert.Equal(original.StateDict().Keys, copy.StateDict().Keys);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Train_and_eval_modes_differ_only_where_they_should(string name)
    {
        var c = Cases[name];
        var layer = c.Make(1);
        var x = c.MakeInput();
        var train = layer.Train().Forward(x);
        var eval = layer.Eval().Forward(x);
        var eval2 = layer.Forward(x);
        Assert.True(eval.ValueEquals(eval2), $"{name}: eval mode must be deterministic");
        Assert.Equal(c.ModeMatters, !train.ValueEquals(eval));
    }

    [Theory]
    [MemberData(nameof(Differentiable))]
    public void Input_gradients_match_finite_differences(string name)
    {
        var c = Cases[name];
        var layer = c.Make(1);
        layer.Eval(); // deterministic: dropout off, batch norm on fixed statistics
        var input = c.MakeInput();
        // Keep finite-difference probes away from the kinks of relu-like functions and pooling ties.
        input = Tensor.Where(input.Abs().Lt(0.2f), input.Sign() * 0.2f + input, input);
        Check.Gradients(xs => layer.Forward(xs[0]), [input], name, tol: 2e-2);
    }

    [Fact]
    public void Batch_norm_trains_on_batch_statistics_in_the_gradient_check_too()
    {
        var layer = new BatchNorm1d(3);
        Check.Gradients(xs => layer.Forward(xs[0]), [Tensor.Randn([5, 3], new Generator(5))], "BatchNorm1d in training", tol: 2e-2);
    }
}
