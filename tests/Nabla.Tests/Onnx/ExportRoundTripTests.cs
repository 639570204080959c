using Nabla.NN;
using Nabla.Onnx;
using static Nabla.Tests.OnnxTests.OnnxTestSupport;

namespace Nabla.Tests.OnnxTests;

/// <summary>Export -> import -> the same outputs (within 1e-5) as the Nabla model, for every exportable layer, on a batch size other than the sample's.</summary>
public partial class ExportRoundTripTests
{
    /// <param name="TimeAxis">The sequence axis, when the export keeps it dynamic: the check also runs a longer sequence.</param>
    public sealed record Case(string Name, Func<Generator, Module> Build, int[] SampleShape, int BatchAxis = 0, int Classes = 0, int? TimeAxis = null);

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
        new("batchnorm2d_batch_statistics", g => Perturbed(new BatchNorm2d(3, trackRunningStats: false), g), [2, 3, 4, 5]),
        new("batchnorm1d_batch_statistics_no_affine", _ => new BatchNorm1d(4, affine: false, trackRunningStats: false), [2, 4, 5]),
        new("batchnorm1d_batch_statistics_features", g => Perturbed(new BatchNorm1d(5, trackRunningStats: false), g), [4, 5]),
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
        new("perceptron", g => Perturbed(new Perceptron(3), g), [4, 3]),
        new("sigmoid_neuron", g => Perturbed(new SigmoidNeuron(3, g), g), [4, 3]),
        new("mha_batch_first", g => Perturbed(new MultiHeadAttention(8, 2, batchFirst: true, generator: g), g), [2, 5, 8], TimeAxis: 1),
        new("mha_time_first_nobias", g => new MultiHeadAttention(6, 3, bias: false, dropout: 0.2f, generator: g), [4, 2, 6], BatchAxis: 1, TimeAxis: 0),
        new("mha_one_head", g => Perturbed(new MultiHeadAttention(4, 1, generator: g), g), [3, 2, 4], BatchAxis: 1, TimeAxis: 0),
        new("transformer_layer_post_norm_relu", g => Perturbed(new TransformerEncoderLayer(8, 2, dimFeedforward: 16, batchFirst: true, generator: g), g),
            [2, 5, 8], TimeAxis: 1),
        new("transformer_layer_pre_norm_gelu_time_first", g => Perturbed(new TransformerEncoderLayer(8, 4, dimFeedforward: 12, dropout: 0.3f,
            activation: TransformerActivation.Gelu, normFirst: true, generator: g), g), [4, 2, 8], BatchAxis: 1, TimeAxis: 0),
        new("transformer_layer_nobias", g => Perturbed(new TransformerEncoderLayer(6, 2, dimFeedforward: 8, bias: false, batchFirst: true, generator: g), g),
            [2, 3, 6], TimeAxis: 1),
        new("transformer_encoder_final_norm", g => Perturbed(new TransformerEncoder(() => new TransformerEncoderLayer(8, 2, dimFeedforward: 16,
            batchFirst: true, normFirst: true, generator: g), numLayers: 2, norm: new LayerNorm(8)), g), [2, 4, 8], TimeAxis: 1),
        new("transformer_text_classifier", g => Perturbed(new Sequential(new Embedding(10, 8, generator: g), new Linear(8, 8, generator: g),
            new TransformerEncoder(() => new TransformerEncoderLayer(8, 2, dimFeedforward: 16, activation: TransformerActivation.Gelu, batchFirst: true, generator: g), 2),
            new LastTimeStep(batchFirst: true), new Linear(8, 3, generator: g)), g), [2, 5], Classes: 10, TimeAxis: 1),
        new("transformer_time_first_sequence_output", g => Perturbed(new Sequential(new Embedding(10, 8, generator: g),
            new TransformerEncoderLayer(8, 2, dimFeedforward: 16, generator: g), new Relu()), g), [5, 2], BatchAxis: 1, Classes: 10, TimeAxis: 0),
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

    /// <summary>Every parameter moved by noise, so zero-initialised biases and unit norm scales are really exported.</summary>
    private static Module Perturbed(Module module, Generator g)
    {
        using (Autograd.NoGrad())
        {
            foreach (var p in module.Parameters()) p.AddInPlace(Tensor.Randn(p.Shape.ToArray(), g) * 0.3f);
        }
        return module;
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

    private static Tensor Input(Case c, int batch, Generator g, int extraSteps = 0)
    {
        var shape = (int[])c.SampleShape.Clone();
        shape[c.BatchAxis] = batch;
        if (c.TimeAxis is { } t) shape[t] += extraSteps;
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
        if (c.TimeAxis is not null)
        {
            var longer = Input(c, 3, g, extraSteps: 2);
            Close(model.Forward(longer), imported.Run(longer), context: $"{c.Name}, a longer sequence");
            Assert.Equal("T", imported.Inputs.Single().Shape![c.TimeAxis.Value].Name);
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
        var unbatched = Assert.Throws<NotSupportedException>(() => Nabla.Onnx.Onnx.ExportBytes(new MultiHeadAttention(4, 2), Tensor.Zeros(3, 4))).Message;
        Assert.Contains("MultiHeadAttention is exported for batched input [T, N, E]", unbatched, StringComparison.Ordinal);
    }
}
