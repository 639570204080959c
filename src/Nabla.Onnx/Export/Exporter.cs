using Nabla.NN;
using Nabla.Onnx.Proto;
using static Nabla.Onnx.Export.GraphBuilder;

namespace Nabla.Onnx.Export;

/// <summary>
/// Turns a model built from library layers into an ONNX graph by walking its layers in order and running the sample
/// input through them alongside (the sample supplies shapes and settings the layers do not expose). The batch axis is
/// dynamic ("N"); for sequence models so is the time axis ("T").
/// </summary>
internal sealed partial class Exporter
{
    public const int OpsetVersion = 17;
    public const long IrVersion = 8; // the IR version that goes with opset 17

    private readonly GraphBuilder _g = new();
    private string _value = "input";
    private Tensor _sample;
    private int _batchAxis;

    private Exporter(Tensor sample) => _sample = sample;

    /// <summary>
    /// Builds the graph. With <paramref name="normalize"/> (per-channel mean and std on axis 1, as a saved model's
    /// preprocessing) the graph starts with (input - mean) / std, so it takes raw inputs.
    /// </summary>
    public static ModelProto Build(Module model, Tensor sample, (float[] Mean, float[] Std)? normalize = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sample);
        var leaves = Leaves(model, "").ToList();
        var (batchAxis, timeAxis) = InputAxes(leaves.Select(l => l.Module));
        if (sample.Rank <= batchAxis) throw new ArgumentException($"Onnx.Export: the sample input {sample.Shape} has no batch axis {batchAxis}; give a batch of examples.");
        var exporter = new Exporter(sample) { _batchAxis = batchAxis };
        var g = exporter._g;
        g.Name("input");
        var indices = leaves.Count > 0 && leaves[0].Module is NN.Embedding;
        g.Graph.Inputs.Add(Info("input", indices ? OnnxElementType.Int64 : OnnxElementType.Float, sample.Shape.ToArray(), batchAxis, timeAxis));

        if (normalize is { } n) exporter.Normalize(n.Mean, n.Std);
        var wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            using (Autograd.NoGrad())
            {
                foreach (var (name, layer) in leaves) exporter.Layer(layer, name);
            }
        }
        finally
        {
            if (wasTraining) model.Train();
        }

        var output = exporter._value;
        var last = g.Graph.Nodes.LastOrDefault();
        if (last is not null && last.Outputs[0] == output && output != "input")
        {
            last.Outputs[0] = "output";
        }
        else
        {
            g.Graph.Nodes.Add(new NodeProto { OpType = "Identity", Name = g.Name("Identity_output"), Inputs = { output }, Outputs = { "output" } });
        }
        // The time axis stays where it was through layers that act per position (an Embedding appends its feature axis).
        var keepsTime = leaves.All(l => l.Module is NN.Embedding or ActivationLayer or NN.Dropout or NN.LayerNorm or NN.Linear or RecurrentLayer
            or NN.MultiHeadAttention or NN.TransformerEncoderLayer or NN.TransformerEncoder);
        var outTime = timeAxis is { } t && exporter._sample.Rank > Math.Max(t, exporter._batchAxis) && keepsTime ? timeAxis : null;
        g.Graph.Outputs.Add(Info("output", OnnxElementType.Float, exporter._sample.Shape.ToArray(), exporter._batchAxis, outTime));

        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Nabla",
            ProducerVersion = typeof(Exporter).Assembly.GetName().Version?.ToString(3) ?? "0",
            Graph = g.Graph,
            DocString = model.Describe(),
        };
        proto.OpsetImport.Add(new OperatorSetId("", OpsetVersion));
        return proto;
    }

    private static ValueInfoProto Info(string name, OnnxElementType type, int[] dims, int batchAxis, int? timeAxis) => new()
    {
        Name = name,
        ElementType = type,
        Shape = [.. dims.Select((d, i) => i == batchAxis ? new DimensionProto(null, "N") : i == timeAxis ? new DimensionProto(null, "T") : new DimensionProto(d, null))],
    };

    private void Normalize(float[] mean, float[] std)
    {
        // [C, 1, 1] broadcasts over [N, C, H, W]; a single channel without a channel axis ([N, H, W]) uses scalars.
        int[] shape = _sample.Rank == 4 ? [mean.Length, 1, 1] : mean.Length == 1 ? [] : throw new ArgumentException(
            $"Onnx.Export: per-channel normalisation needs input [N, C, H, W]; the sample is {_sample.Shape}.");
        var x = _g.Node("Div", [_g.Node("Sub", [_value, _g.Floats(Tensor.FromArray(mean, shape))]), _g.Floats(Tensor.FromArray(std, shape))]);
        _sample = new Data.Normalize(mean, std).Apply(_sample, new Generator(0));
        _value = x;
    }

    /// <summary>The layers in execution order with their dotted names: Sequential containers are flattened.</summary>
    private static IEnumerable<(string Name, Module Module)> Leaves(Module module, string name)
    {
        if (module is Sequential)
        {
            foreach (var (child, layer) in module.NamedChildren())
            {
                foreach (var leaf in Leaves(layer, name.Length == 0 ? child : $"{name}.{child}")) yield return leaf;
            }
        }
        else
        {
            yield return (name, module);
        }
    }

    /// <summary>The input's batch axis (1 for a time-first recurrent model) and time axis, if the model reads sequences.</summary>
    private static (int Batch, int? Time) InputAxes(IEnumerable<Module> leaves)
    {
        foreach (var layer in leaves)
        {
            switch (layer)
            {
                case RecurrentLayer r: return r.BatchFirst ? (0, 1) : (1, 0);
                case NN.MultiHeadAttention m: return m.BatchFirst ? (0, 1) : (1, 0);
                case NN.TransformerEncoderLayer t: return t.SelfAttn.BatchFirst ? (0, 1) : (1, 0);
                case NN.TransformerEncoder e: return e[0].SelfAttn.BatchFirst ? (0, 1) : (1, 0);
                case NN.Embedding or ActivationLayer or NN.Dropout or Dropout2d or NN.LayerNorm or NN.Linear: continue;
                default: return (0, null);
            }
        }
        return (0, null);
    }

    /// <summary>Emits the nodes of one layer and advances the current value and sample.</summary>
    private void Layer(Module layer, string name)
    {
        var output = layer.Forward(_sample);
        var x = _value;
        var prefix = name.Length == 0 ? "" : name + ".";
        _value = layer switch
        {
            Linear l => Linear(l, x, prefix),
            Conv2d c => Conv(c, x, prefix),
            ConvTranspose2d c => ConvTranspose(c, x, prefix),
            MaxPool2d p => MaxPool(p, x),
            AvgPool2d p => AvgPool(p, x),
            GlobalAvgPool2d => output.Rank == 2
                ? _g.Node("Flatten", [_g.Node("GlobalAveragePool", [x])], Int("axis", 1))
                : _g.Node("GlobalAveragePool", [x]),
            BatchNorm b => BatchNorm(b, x, prefix),
            LayerNorm l => LayerNorm(l, x, prefix),
            NN.Dropout or Dropout2d => _g.Node("Identity", [x]),
            Flatten f => Flatten(f, x, output),
            Unflatten => Reshape(x, output, 0),
            Embedding e => Embedding(e, x, prefix),
            LastTimeStep t => LastTimeStep(t, x),
            RecurrentLayer r => Recurrent(r, x, prefix),
            MultiHeadAttention m => MultiHeadAttention(m, x, prefix),
            TransformerEncoderLayer t => TransformerEncoderLayer(t, x, prefix),
            TransformerEncoder e => TransformerEncoder(e, x, prefix),
            Perceptron p => Perceptron(p, x, prefix),
            SigmoidNeuron s => SigmoidNeuron(s, x, prefix),
            ActivationLayer a => Activation(a, x),
            _ => throw new NotSupportedException(
                $"Onnx.Export: {layer.GetType().Name}{(name.Length > 0 ? $" ('{name}')" : "")} cannot be exported to ONNX. Exportable layers: Linear, Conv2d, ConvTranspose2d, " +
                "MaxPool2d, AvgPool2d, GlobalAvgPool2d, BatchNorm1d/2d, LayerNorm, Dropout, Dropout2d, Flatten, Unflatten, Embedding, Rnn, Lstm, Gru, " +
                "LastTimeStep, MultiHeadAttention, TransformerEncoderLayer, TransformerEncoder, Perceptron, SigmoidNeuron, every activation layer, " +
                "and Sequential models of them."),
        };
        _sample = output;
    }

    // ---- layers ------------------------------------------------------------------------------------

    /// <summary>[N, in] -> Gemm(x, W, b, transB = 1); other ranks MatMul(x, Wᵀ) + b.</summary>
    private string Linear(Linear l, string x, string prefix)
    {
        var w = _g.Initializer(prefix + "weight", l.Weight);
        var b = l.Bias is null ? null : _g.Initializer(prefix + "bias", l.Bias);
        if (_sample.Rank == 2) return _g.Node("Gemm", b is null ? [x, w] : [x, w, b], Int("transB", 1));
        var y = _g.Node("MatMul", [x, _g.Node("Transpose", [w], Ints("perm", 1, 0))]);
        return b is null ? y : _g.Node("Add", [y, b]);
    }

    private string Conv(Conv2d c, string x, string prefix)
    {
        var (begin, end) = (new[] { c.Padding.H, c.Padding.W }, new[] { c.Padding.H, c.Padding.W });
        if (c.Padding.IsSame)
        {
            // Nabla's 'same': total = dilation·(k - 1), half before and the odd one after.
            int totalH = c.Dilation.H * (c.KernelSize.H - 1), totalW = c.Dilation.W * (c.KernelSize.W - 1);
            (begin, end) = ([totalH / 2, totalW / 2], [totalH - totalH / 2, totalW - totalW / 2]);
        }
        string[] inputs = c.Bias is null ? [x, _g.Initializer(prefix + "weight", c.Weight)] : [x, _g.Initializer(prefix + "weight", c.Weight), _g.Initializer(prefix + "bias", c.Bias)];
        return _g.Node("Conv", inputs,
            Ints("kernel_shape", c.KernelSize.H, c.KernelSize.W), Ints("strides", c.Stride.H, c.Stride.W),
            Ints("pads", begin[0], begin[1], end[0], end[1]), Ints("dilations", c.Dilation.H, c.Dilation.W), Int("group", c.Groups));
    }

    private string ConvTranspose(ConvTranspose2d c, string x, string prefix)
    {
        string[] inputs = c.Bias is null ? [x, _g.Initializer(prefix + "weight", c.Weight)] : [x, _g.Initializer(prefix + "weight", c.Weight), _g.Initializer(prefix + "bias", c.Bias)];
        return _g.Node("ConvTranspose", inputs,
            Ints("kernel_shape", c.KernelSize.H, c.KernelSize.W), Ints("strides", c.Stride.H, c.Stride.W),
            Ints("pads", c.Padding.H, c.Padding.W, c.Padding.H, c.Padding.W), Ints("output_padding", c.OutputPadding.H, c.OutputPadding.W),
            Ints("dilations", c.Dilation.H, c.Dilation.W), Int("group", c.Groups));
    }

    private AttributeProto[] PoolAttributes(Module p)
    {
        var k = LayerConfig.Get<Size2>(p, "kernelSize");
        var s = LayerConfig.Get<Size2?>(p, "stride") ?? k;
        var pad = LayerConfig.Get<Size2?>(p, "padding") ?? 0;
        var ceil = LayerConfig.Get<bool>(p, "ceilMode");
        return [Ints("kernel_shape", k.H, k.W), Ints("strides", s.H, s.W), Ints("pads", pad.H, pad.W, pad.H, pad.W), Int("ceil_mode", ceil ? 1 : 0)];
    }

    private string MaxPool(MaxPool2d p, string x) => _g.Node("MaxPool", [x], PoolAttributes(p));

    private string AvgPool(AvgPool2d p, string x) =>
        _g.Node("AveragePool", [x], [.. PoolAttributes(p), Int("count_include_pad", LayerConfig.Get<bool>(p, "countIncludePad") ? 1 : 0)]);

    private string BatchNorm(BatchNorm b, string x, string prefix)
    {
        if (b.RunningMean is null || b.RunningVar is null) return BatchStatisticsNorm(b, x, prefix);
        var scale = _g.Initializer(prefix + "weight", b.Weight ?? Tensor.Ones(b.NumFeatures));
        var bias = _g.Initializer(prefix + "bias", b.Bias ?? Tensor.Zeros(b.NumFeatures));
        var mean = _g.Initializer(prefix + "running_mean", b.RunningMean);
        var variance = _g.Initializer(prefix + "running_var", b.RunningVar);
        return _g.Node("BatchNormalization", [x, scale, bias, mean, variance], Float("epsilon", b.Eps));
    }

    private string LayerNorm(LayerNorm l, string x, string prefix)
    {
        var scale = _g.Initializer(prefix + "weight", l.Weight ?? Tensor.Ones([.. l.NormalizedShape]));
        string[] inputs = l.Bias is null ? [x, scale] : [x, scale, _g.Initializer(prefix + "bias", l.Bias)];
        return _g.Node("LayerNormalization", inputs, Int("axis", -l.NormalizedShape.Count), Float("epsilon", l.Eps));
    }

    private string Flatten(Flatten f, string x, Tensor output)
    {
        var rank = _sample.Rank;
        var start = LayerConfig.Get<int>(f, "startAxis");
        var end = LayerConfig.Get<int>(f, "endAxis");
        (start, end) = (start < 0 ? start + rank : start, end < 0 ? end + rank : end);
        var batch = _batchAxis < start ? _batchAxis : _batchAxis <= end ? start : _batchAxis - (end - start);
        if (start == 1 && end == rank - 1 && _batchAxis == 0) return _g.Node("Flatten", [x], Int("axis", 1));
        return Reshape(x, output, batch);
    }

    /// <summary>Reshape to the sample output's shape with the batch axis (at <paramref name="batch"/> in the output) left to -1.</summary>
    private string Reshape(string x, Tensor output, int batch)
    {
        var target = output.Shape.ToArray().Select(d => (long)d).ToArray();
        target[batch] = -1;
        _batchAxis = batch;
        return _g.Node("Reshape", [x, _g.Ints(target)]);
    }

    private string Embedding(Embedding e, string x, string prefix)
    {
        var indices = x == "input" ? x : _g.Node("Cast", [x], Int("to", (long)OnnxElementType.Int64));
        return _g.Node("Gather", [_g.Initializer(prefix + "weight", e.Weight), indices], Int("axis", 0));
    }

    private string LastTimeStep(LastTimeStep t, string x)
    {
        // Removes the time axis: axis 1 for batch-first [N, T, F], else axis 0.
        var axis = t.BatchFirst && _sample.Rank == 3 ? 1 : 0;
        if (_batchAxis > axis) _batchAxis--;
        return _g.Node("Gather", [x, _g.Ints([-1], scalar: true)], Int("axis", axis));
    }

    /// <summary>Perceptron: z = x·w + b [N] (MatMul of [N, in] with w [in]); class = Cast(z ≥ 0).</summary>
    private string Perceptron(Perceptron p, string x, string prefix)
    {
        var z = _g.Node("Add", [_g.Node("MatMul", [x, _g.Initializer(prefix + "weight", p.Weight)]), _g.Initializer(prefix + "bias", p.Bias)]);
        return _g.Node("Cast", [_g.Node("GreaterOrEqual", [z, _g.Scalar(0f)])], Int("to", (long)OnnxElementType.Float));
    }

    /// <summary>SigmoidNeuron: σ(x·wᵀ + b) with the [N, 1] Gemm squeezed to [N].</summary>
    private string SigmoidNeuron(SigmoidNeuron s, string x, string prefix)
    {
        var gemm = Linear(s.Linear, x, prefix + "linear.");
        return _g.Node("Sigmoid", [_g.Node("Squeeze", [gemm, _g.Ints([1])])]);
    }
}
