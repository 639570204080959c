using System.Globalization;
using Nabla.NN;
using Nabla.Onnx.Proto;
using static Nabla.Onnx.Export.GraphBuilder;

namespace Nabla.Onnx.Export;

internal sealed partial class Exporter
{
    /// <summary>Activations with an ONNX operator of their own at opset 17, or their composition (GELU, SiLU, Softplus with β).</summary>
    private string Activation(ActivationLayer a, string x)
    {
        switch (a)
        {
            case Identity: return _g.Node("Identity", [x]);
            case BinaryStep: return _g.Node("Cast", [_g.Node("GreaterOrEqual", [x, _g.Scalar(0f)])], Int("to", (long)OnnxElementType.Float));
            case NN.Sigmoid: return _g.Node("Sigmoid", [x]);
            case NN.Tanh: return _g.Node("Tanh", [x]);
            case NN.Relu: return _g.Node("Relu", [x]);
            case Relu6: return _g.Node("Clip", [x, _g.Scalar(0f), _g.Scalar(6f)]);
            case NN.LeakyRelu l: return _g.Node("LeakyRelu", [x], Float("alpha", l.NegativeSlope));
            case NN.Elu: return _g.Node("Elu", [x], Float("alpha", LayerConfig.Get<float>(a, "alpha")));
            case NN.Selu: return _g.Node("Selu", [x]); // ONNX's default α and γ are the SELU constants Nabla uses
            case NN.Gelu: return a.Name == "gelu_tanh" ? GeluTanh(x) : GeluErf(x);
            case Silu: return _g.Node("Mul", [x, _g.Node("Sigmoid", [x])]);
            case NN.Softplus:
                var beta = LayerConfig.Get<float>(a, "beta");
                if (beta == 1f) return _g.Node("Softplus", [x]);
                return _g.Node("Div", [_g.Node("Softplus", [_g.Node("Mul", [x, _g.Scalar(beta)])]), _g.Scalar(beta)]);
            case NN.HardSigmoid: return _g.Node("HardSigmoid", [x], Float("alpha", 1f / 6f), Float("beta", 0.5f));
            case HardTanh: return _g.Node("Clip", [x, _g.Scalar(LayerConfig.Get<float>(a, "min")), _g.Scalar(LayerConfig.Get<float>(a, "max"))]);
            case NN.Softmax: return _g.Node("Softmax", [x], Int("axis", LayerConfig.Get<int>(a, "axis")));
            case NN.LogSoftmax: return _g.Node("LogSoftmax", [x], Int("axis", LayerConfig.Get<int>(a, "axis")));
            default: throw new NotSupportedException($"Onnx.Export: the activation {a.GetType().Name} ('{a.Name}') has no ONNX form.");
        }
    }

    /// <summary>GELU (ONNX Gelu is opset 20): x · ½ · (1 + erf(x / √2)).</summary>
    private string GeluErf(string x)
    {
        var erf = _g.Node("Erf", [_g.Node("Div", [x, _g.Scalar(MathF.Sqrt(2f))])]);
        return _g.Node("Mul", [_g.Node("Mul", [x, _g.Scalar(0.5f)]), _g.Node("Add", [erf, _g.Scalar(1f)])]);
    }

    /// <summary>GELU, tanh form: x · ½ · (1 + tanh(√(2/π) · (x + 0.044715 x³))).</summary>
    private string GeluTanh(string x)
    {
        var cube = _g.Node("Mul", [_g.Node("Mul", [x, x]), x]);
        var inner = _g.Node("Mul", [_g.Node("Add", [x, _g.Node("Mul", [cube, _g.Scalar(0.044715f)])]), _g.Scalar(MathF.Sqrt(2f / MathF.PI))]);
        return _g.Node("Mul", [_g.Node("Mul", [x, _g.Scalar(0.5f)]), _g.Node("Add", [_g.Node("Tanh", [inner]), _g.Scalar(1f)])]);
    }

    /// <summary>
    /// One ONNX RNN/GRU/LSTM node per layer on [T, N, F]; Y [T, D, N, H] becomes [T, N, D·H] for the next layer.
    /// Gate blocks are reordered from PyTorch/Nabla (LSTM i, f, g, o; GRU r, z, n) to ONNX (LSTM i, o, f, c; GRU z, r, h),
    /// and GRU sets linear_before_reset = 1: PyTorch's GRU applies the reset gate after the recurrent product.
    /// </summary>
    private string Recurrent(RecurrentLayer r, string x, string prefix)
    {
        if (_sample.Rank != 3) throw new NotSupportedException($"Onnx.Export: {r.GetType().Name} is exported for batched input [T, N, F] or [N, T, F]; the sample is {_sample.Shape}.");
        var (op, order) = r switch
        {
            Lstm => ("LSTM", new[] { 0, 3, 1, 2 }),
            Gru => ("GRU", new[] { 1, 0, 2 }),
            _ => ("RNN", new[] { 0 }),
        };
        var weights = r.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Detach());
        var h = r.HiddenSize;
        var directions = r.NumDirections;
        if (r.BatchFirst) x = _g.Node("Transpose", [x], Ints("perm", 1, 0, 2));
        for (var layer = 0; layer < r.NumLayers; layer++)
        {
            Tensor Stack(string kind) => Tensor.Stack([.. Enumerable.Range(0, directions).Select(d =>
                Reorder(weights[$"{kind}_l{layer.ToString(CultureInfo.InvariantCulture)}{(d == 1 ? "_reverse" : "")}"], order, h))], 0);
            var layerName = $"{prefix}l{layer.ToString(CultureInfo.InvariantCulture)}.";
            var inputs = new List<string> { x, _g.Initializer(layerName + "W", Stack("weight_ih")), _g.Initializer(layerName + "R", Stack("weight_hh")) };
            if (r.HasBias) inputs.Add(_g.Initializer(layerName + "B", Tensor.Concat([Stack("bias_ih"), Stack("bias_hh")], 1)));
            var attributes = new List<AttributeProto> { Int("hidden_size", h), String("direction", directions == 2 ? "bidirectional" : "forward") };
            if (r is Gru) attributes.Add(Int("linear_before_reset", 1));
            if (r is Rnn { Nonlinearity: RnnNonlinearity.Relu }) attributes.Add(Strings("activations", [.. Enumerable.Repeat("Relu", directions)]));
            var outputs = _g.Node(op, [.. inputs], op == "LSTM" ? 3 : 2, [.. attributes]);
            var y = _g.Node("Transpose", [outputs[0]], Ints("perm", 0, 2, 1, 3));         // [T, N, D, H]
            x = _g.Node("Reshape", [y, _g.Ints([0, 0, directions * h])]);                  // [T, N, D·H]
        }
        return r.BatchFirst ? _g.Node("Transpose", [x], Ints("perm", 1, 0, 2)) : x;
    }

    /// <summary>Reorders the gate blocks (each <paramref name="h"/> rows) of a [G·H, ...] weight or [G·H] bias.</summary>
    private static Tensor Reorder(Tensor weight, int[] order, int h) =>
        order.Length == 1 ? weight : Tensor.Concat([.. order.Select(g => weight.Narrow(0, g * h, h))], 0);

    /// <summary>
    /// BatchNorm without running statistics normalises with the batch's own statistics even in eval mode:
    /// μ = ReduceMean(x) and σ² = ReduceMean((x - μ)²) over every axis but the channel axis 1, y = (x - μ) / √(σ² + ε) · γ + β.
    /// </summary>
    private string BatchStatisticsNorm(BatchNorm b, string x, string prefix)
    {
        var axes = Ints("axes", [0, .. Enumerable.Range(2, _sample.Rank - 2).Select(a => (long)a)]);
        var centered = _g.Node("Sub", [x, _g.Node("ReduceMean", [x], axes, Int("keepdims", 1))]);
        var variance = _g.Node("ReduceMean", [_g.Node("Mul", [centered, centered])], axes, Int("keepdims", 1));
        var y = _g.Node("Div", [centered, _g.Node("Sqrt", [_g.Node("Add", [variance, _g.Scalar(b.Eps)])])]);
        if (b.Weight is null || b.Bias is null) return y;
        // γ and β [C] broadcast from axis 1: [C, 1, ...] with one 1 per axis after the channels.
        var channel = _g.Ints([b.NumFeatures, .. Enumerable.Repeat(1L, _sample.Rank - 2)]);
        var scale = _g.Node("Reshape", [_g.Initializer(prefix + "weight", b.Weight), channel]);
        var shift = _g.Node("Reshape", [_g.Initializer(prefix + "bias", b.Bias), channel]);
        return _g.Node("Add", [_g.Node("Mul", [y, scale]), shift]);
    }
}
