using Nabla.NN;
using Nabla.Onnx;
using static Nabla.Tests.OnnxTests.OnnxTestSupport;

namespace Nabla.Tests.OnnxTests;

/// <summary>Export -> import -> the same outputs (within 1e-5) as the Nabla model, for every exportable layer, on a batch size other than the sample's.</summary>
public class ExportRoundTripTests
{
    public sealed record Case(string Name, Func<Generator, Module> Build, int[] SampleShape, int BatchAxis = 0, int Classes = 0);

    private static readonly Case[] Cases =
    [
        new("mlp", g => new Sequential(new Linear(4, 8, generator: g), new Relu(), new Linear(8, 3, generator: g)), [2, 4]),
        new("linear_rank3_nobias", g => new Linear(4, 5, bias: false, generator: g), [2, 3, 4]),
        new("conv_stride_pad", g => new Sequential(new Conv2d(2, 4, 3, stride: 2, padding: 1, generator: g), new Relu()), [2, 2, 7, 7]),
        new("conv_dilation_groups_nobias", g => new Conv2d(4, 6, (3, 2), dilation: (2, 1), groups: 2, bias: false, generator: g), [2, 4, 8, 6]),
        new("conv_same", g => new Conv2d(2, 3, 4, padding: Padding2.Same, generator: g), [2, 2, 6, 5]),
        new("conv_transpose", g => new ConvTranspose2d(3, 2, 3, stride: 2, padding: 1, outputPadding: 1, generator: g), [2, 3, 4, 5]),
        new("conv_transpose_groups", g => new ConvTranspose2d(4, 6, (2, 3), stride: (1, 2), groups: 2, dilation: (2, 1), generator: g), [2, 4, 3, 3]),
        new("maxpool_ceil_pad", _ => new MaxPool2d(3, stride: 2, padding: 1, ceilMode: true), [2, 2, 8, 7]),
        new("maxpool_default", _ => new MaxPool2d(2), [2, 3, 6, 6]),
        new("avgpool_ceil_exclude_pad", _ => new AvgPool2d(3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false), [2, 2, 8, 7]),
        new("avgpool_include_pad", _ => new AvgPool2d((3, 2), stride: (2, 1), padding: (1, 1)), [2, 2, 7, 6]),
        new("global_avgpool", _ => new GlobalAvgPool2d(), [2, 3, 4, 5]),
        new("global_avgpool_keepdims", _ => new GlobalAvgPool2d(keepDims: true), [2, 3, 4, 5]),
        new("batchnorm2d", g => Trained(new BatchNorm2d(3), g, [4, 3, 5, 5]), [2, 3, 5, 5]),
        new("batchnorm1d", g => Trained(new BatchNorm1d(4), g, [6, 4]), [2, 4]),
        new("batchnorm1d_sequence", g => Trained(new BatchNorm1d(4, affine: false), g, [3, 4, 5]), [2, 4, 5]),
        new("layernorm", g => Perturbed(new LayerNorm(4), g), [2, 3, 4]),
        new("layernorm_2d_nobias", g => Perturbed(new LayerNorm([3, 4], bias: false), g), [2, 3, 4]),
        new("dropout_flatten", g => new Sequential(new Dropout(0.5f), new Dropout2d(0.3f), new Flatten(), new Linear(12, 2, generator: g)), [2, 3, 2, 2]),
        new("flatten_inner", _ => new Flatten(2), [2, 3, 2, 2]),
        new("unflatten", _ => new Sequential(new Unflatten(1, 2, 3), new Conv2d(1, 2, 1)), [2, 6]),
        new("embedding", g => new Sequential(new Embedding(10, 4, generator: g), new Flatten(), new Linear(12, 2, generator: g)), [2, 3], Classes: 10),
        new("lstm_batch_first_bidirectional", g => new Sequential(
            new Lstm(3, 4, numLayers: 2, batchFirst: true, bidirectional: true, generator: g), new LastTimeStep(batchFirst: true), new Linear(8, 2, generator: g)), [2, 5, 3]),
        new("lstm_time_first", g => new Sequential(new Lstm(3, 4, generator: g), new LastTimeStep()), [5, 2, 3], BatchAxis: 1),
        new("gru", g => new Sequential(new Gru(3, 4, numLayers: 2, generator: g), new LastTimeStep(), new Linear(4, 2, generator: g)), [4, 2, 3], BatchAxis: 1),
        new("gru_bidirectional_nobias", g => new Gru(3, 4, bias: false, batchFirst: true, bidirectional: true, generator: g), [2, 4, 3]),
        new("rnn_relu_bidirectional", g => new Sequential(new Rnn(3, 4, nonlinearity: RnnNonlinearity.Relu, bidirectional: true, batchFirst: true, generator: g)), [2, 4, 3]),
        new("rnn_tanh", g => new Sequential(new Embedding(7, 3, generator: g), new Rnn(3, 5, batchFirst: true, generator: g), new LastTimeStep(batchFirst: true)), [2, 4], Classes: 7),
        new("activations_elu_softplus_hardtanh", _ => new Sequential(new Elu(0.7f), new Softplus(2f), new HardTanh(-0.5f, 1.5f), new LeakyRelu(0.2f)), [2, 5]),
        new("softmax_axis", _ => new Sequential(new Softmax(1), new LogSoftmax(0)), [2, 3, 4]),
    ];

    public static TheoryData<string> CaseNames() => [.. Cases.Select(c => c.Name)];

    public static TheoryData<string> ActivationNames() => [.. ActivationLayer.Names];

    private static Module Trained(BatchNorm norm, Generator g, int[] shape)
    {
        // A few training steps move the running statistics away from 0 and 1, so eval mode is really tested.
        for (var i = 0; i < 3; i++) norm.Forward(Tensor.Randn(shape, g) * 2f + 1f);
        using (Autograd.NoGrad())
        {
            norm.Weight?.CopyFrom(Tensor.Rand([norm.NumFeatures], g) + 0.5f);
            norm.Bias?.CopyFrom(Tensor.Randn([norm.NumFeatures], g));
        }
        return norm;
    }

    private static Module Perturbed(LayerNorm norm, Generator g)
    {
        using (Autograd.NoGrad())
        {
            norm.Weight?.CopyFrom(Tensor.Rand(norm.Weight.Shape.ToArray(), g) + 0.5f);
            norm.Bias?.CopyFrom(Tensor.Randn(norm.Bias.Shape.ToArray(), g));
        }
        return norm;
    }

    private static Tensor Input(Case c, int batch, Generator g)
    {
        var shape = (int[])c.SampleShape.Clone();
        shape[c.BatchAxis] = batch;
        return c.Classes > 0 ? Tensor.RandInt(0, c.Classes, shape, g) : Tensor.Randn(shape, g);
    }

    private static void Check(Case c)
    {
        var g = new Generator(7);
        var model = c.Build(g);
        model.Eval();
        var imported = RoundTrip(model, Input(c, c.SampleShape[c.BatchAxis], g), c.Name);
        Assert.Empty(imported.UnsupportedOperators);
        Assert.Equal(Nabla.Onnx.Onnx.OpsetVersion, imported.Opset);
        foreach (var batch in new[] { c.SampleShape[c.BatchAxis], 3 })
        {
            var x = Input(c, batch, g);
            Close(model.Forward(x), imported.Run(x), context: $"{c.Name}, batch {batch}");
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Layer_round_trips(string name) => Check(Cases.Single(c => c.Name == name));

    [Theory]
    [MemberData(nameof(ActivationNames))]
    public void Activation_round_trips(string name) =>
        Check(new Case("activation_" + name, g => new Sequential(new Linear(4, 6, generator: g), ActivationLayer.Create(name)), [2, 4]));

    [Fact]
    public void Declared_shapes_have_a_dynamic_batch_axis()
    {
        var model = RoundTrip(new Sequential(new Lstm(3, 4, generator: new Generator(1)), new LastTimeStep(), new Linear(4, 2)), Tensor.Zeros(5, 2, 3), "declared_shapes");
        Assert.Equal("input: float[T, N, 3]", model.Inputs.Single().ToString());
        Assert.Equal("output: float[N, 2]", model.Outputs.Single().ToString());
    }

    [Fact]
    public void Export_restores_training_mode_and_writes_atomically()
    {
        var model = new Sequential(new Linear(2, 2), new Dropout(0.5f));
        var path = Path.Combine(ExportFolder, "mode.onnx");
        Nabla.Onnx.Onnx.Export(model, Tensor.Zeros(1, 2), path);
        Assert.True(model.IsTraining);
        Assert.True(model[1].IsTraining);
        Assert.Empty(Directory.GetFiles(ExportFolder, ".mode.onnx*"));
    }

    private sealed class Custom : Module
    {
        protected override Tensor Compute(Tensor input) => input * 2f;
    }

    [Fact]
    public void A_layer_ONNX_cannot_express_is_named()
    {
        var model = new Sequential(new Linear(2, 2), new Custom());
        var e = Assert.Throws<NotSupportedException>(() => Nabla.Onnx.Onnx.ExportBytes(model, Tensor.Zeros(1, 2)));
        Assert.Contains("Custom ('1')", e.Message, StringComparison.Ordinal);
        var attention = new Sequential(new MultiHeadAttention(4, 2));
        Assert.Contains("MultiHeadAttention", Assert.Throws<NotSupportedException>(() => Nabla.Onnx.Onnx.ExportBytes(attention, Tensor.Zeros(1, 3, 4))).Message, StringComparison.Ordinal);
    }
}
