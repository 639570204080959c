using Nabla.NN;

namespace Nabla.Onnx.Import;

internal static partial class Operators
{
    private static void AddNeural(Dictionary<string, Func<OnnxNode, OnnxValue[]>> t)
    {
        t["MatMul"] = n => One(n.Float(0).MatMul(n.Float(1)));
        t["Gemm"] = Gemm;
        t["Conv"] = Conv;
        t["ConvTranspose"] = ConvTranspose;
        t["MaxPool"] = n => Pool(n, max: true);
        t["AveragePool"] = n => Pool(n, max: false);
        t["GlobalAveragePool"] = n =>
        {
            var x = n.Float(0);
            return One(x.Mean([.. Enumerable.Range(2, x.Rank - 2)], keepDims: true));
        };
        t["GlobalMaxPool"] = n =>
        {
            var x = n.Float(0);
            return One(x.Max([.. Enumerable.Range(2, x.Rank - 2)], keepDims: true));
        };
        t["BatchNormalization"] = BatchNormalization;
        t["LayerNormalization"] = LayerNormalization;
    }

    /// <summary>Y = α·A'·B' + β·C with A' = Aᵀ if transA, B' = Bᵀ if transB; C broadcasts to [M, N].</summary>
    private static OnnxValue[] Gemm(OnnxNode n)
    {
        var (a, b) = (n.Float(0), n.Float(1));
        if (a.Rank != 2 || b.Rank != 2) throw n.Error($"A and B must be matrices; got {a.Shape} and {b.Shape}.");
        if (n.Int("transA", 0) != 0) a = a.T;
        if (n.Int("transB", 0) != 0) b = b.T;
        var (alpha, beta) = (n.Float("alpha", 1f), n.Float("beta", 1f));
        var y = a.MatMul(b);
        if (alpha != 1f) y *= alpha;
        if (n.OptionalFloat(2) is { } c) y += beta == 1f ? c : c * beta;
        return One(y);
    }

    // ---- convolution and pooling geometry -----------------------------------------------------------

    /// <summary>Spatial settings of a 1-D or 2-D window op, as 2-D (a 1-D op runs as height 1).</summary>
    private sealed record Window(int[] Kernel, int[] Strides, int[] Dilations, int[] Begin, int[] End, int[] Out);

    private static Tensor To2d(OnnxNode n, Tensor x)
    {
        if (x.Rank == 4) return x;
        if (x.Rank == 3) return x.Unsqueeze(2);
        throw new NotSupportedException($"ONNX {n.Describe()}: only 1-D and 2-D inputs ([N, C, L] or [N, C, H, W]) are supported; got {x.Shape}.");
    }

    private static int[] Spatial(OnnxNode n, string name, int rank, int fallback)
    {
        var values = n.Ints(name);
        if (values is null) return [.. Enumerable.Repeat(fallback, 2)];
        if (values.Length != rank) throw n.Error($"{name} has {values.Length} values for {rank} spatial axes.");
        if (values.Any(v => v <= 0 || v > int.MaxValue)) throw n.Error($"{name} [{string.Join(", ", values)}] must be positive.");
        return rank == 1 ? [1, (int)values[0]] : [(int)values[0], (int)values[1]];
    }

    /// <summary>Kernel, strides, dilations and padding (auto_pad or pads) of a convolution or pooling node, and its output size.</summary>
    private static Window Geometry(OnnxNode n, int spatialRank, int[] input, int[] kernel, bool pooling)
    {
        var strides = Spatial(n, "strides", spatialRank, 1);
        var dilations = Spatial(n, "dilations", spatialRank, 1);
        var ceil = pooling && n.Int("ceil_mode", 0) != 0;
        var autoPad = n.String("auto_pad", "NOTSET");
        var begin = new int[2];
        var end = new int[2];
        var output = new int[2];
        var pads = n.Ints("pads");
        if (pads is not null && (pads.Length != 2 * spatialRank || pads.Any(p => p < 0 || p > int.MaxValue)))
        {
            throw n.Error($"pads [{string.Join(", ", pads)}] must be {2 * spatialRank} non-negative values.");
        }
        for (var i = 0; i < 2; i++)
        {
            var extent = dilations[i] * (kernel[i] - 1) + 1;
            var s = strides[i];
            switch (autoPad)
            {
                case "SAME_UPPER" or "SAME_LOWER":
                    output[i] = (input[i] + s - 1) / s;
                    var total = Math.Max(0, (output[i] - 1) * s + extent - input[i]);
                    // SAME_UPPER puts the odd padding at the end, SAME_LOWER at the beginning.
                    begin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
                    end[i] = total - begin[i];
                    break;
                case "VALID":
                    output[i] = input[i] >= extent ? (input[i] - extent) / s + 1 : 0;
                    break;
                case "NOTSET" or "":
                    if (pads is not null && (spatialRank == 2 || i == 1))
                    {
                        var axis = spatialRank == 2 ? i : 0;
                        (begin[i], end[i]) = ((int)pads[axis], (int)pads[axis + spatialRank]);
                    }
                    var span = input[i] + begin[i] + end[i] - extent;
                    if (span < 0) throw n.Error($"the input ({input[i]} plus padding) is smaller than the kernel extent {extent}.");
                    output[i] = (ceil ? (span + s - 1) / s : span / s) + 1;
                    // The last window must start inside the input or the left padding (PyTorch and the ONNX reference agree).
                    if (ceil && (output[i] - 1) * s >= input[i] + begin[i]) output[i]--;
                    break;
                default:
                    throw n.Error($"auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID; got '{autoPad}'.");
            }
            if (output[i] <= 0) throw n.Error($"the output would be empty (input {input[i]}, kernel extent {extent}, stride {s}).");
        }
        return new Window(kernel, strides, dilations, begin, end, output);
    }

    /// <summary>Pads (value <paramref name="fill"/>) or trims x [N, C, H, W] so that each spatial axis is exactly what the windows cover.</summary>
    private static Tensor Frame(Tensor x, Window w, float fill)
    {
        var widths = new (int, int)[4];
        var needed = new int[2];
        for (var i = 0; i < 2; i++)
        {
            needed[i] = (w.Out[i] - 1) * w.Strides[i] + w.Dilations[i] * (w.Kernel[i] - 1) + 1;
            widths[2 + i] = (w.Begin[i], Math.Max(0, needed[i] - x.Shape[2 + i] - w.Begin[i]));
        }
        if (widths.Any(p => p.Item1 > 0 || p.Item2 > 0)) x = x.Pad(widths, fill);
        for (var i = 0; i < 2; i++)
        {
            if (x.Shape[2 + i] > needed[i]) x = x.Narrow(2 + i, 0, needed[i]);
        }
        return x;
    }

    private static OnnxValue[] Conv(OnnxNode n)
    {
        var input = n.Float(0);
        var x = To2d(n, input);
        var weight = To2d(n, n.Float(1));
        var bias = n.OptionalFloat(2);
        var spatial = input.Rank - 2;
        var group = (int)n.Int("group", 1);
        int[] kernel = [weight.Shape[2], weight.Shape[3]];
        if (n.Ints("kernel_shape") is { } ks && !Spatial(n, "kernel_shape", spatial, 1).SequenceEqual(kernel))
        {
            throw n.Error($"kernel_shape [{string.Join(", ", ks)}] does not match the weight {n.Float(1).Shape}.");
        }
        var w = Geometry(n, spatial, [x.Shape[2], x.Shape[3]], kernel, pooling: false);
        Padding2 padding = (0, 0);
        if (w.Begin.SequenceEqual(w.End)) padding = (w.Begin[0], w.Begin[1]);
        else x = Frame(x, w, 0f);
        var y = Functional.Conv2d(x, weight, bias, (w.Strides[0], w.Strides[1]), padding, (w.Dilations[0], w.Dilations[1]), group);
        return One(spatial == 1 ? y.Squeeze(2) : y);
    }

    /// <summary>
    /// The full transposed convolution (no padding), then output_padding zeros appended at the end, then pads cropped from
    /// both sides: out = s·(in - 1) + output_padding + d·(k - 1) + 1 - begin - end. output_shape, when given, sets the padding.
    /// </summary>
    private static OnnxValue[] ConvTranspose(OnnxNode n)
    {
        var input = n.Float(0);
        var x = To2d(n, input);
        var weight = To2d(n, n.Float(1));
        var bias = n.OptionalFloat(2);
        var spatial = input.Rank - 2;
        var group = (int)n.Int("group", 1);
        var strides = Spatial(n, "strides", spatial, 1);
        var dilations = Spatial(n, "dilations", spatial, 1);
        var outputPadding = n.Ints("output_padding") is { } op && op.Length == spatial
            ? (spatial == 1 ? [0, (int)op[0]] : [(int)op[0], (int)op[1]])
            : n.Has("output_padding") ? throw n.Error("output_padding must have one value per spatial axis.") : new[] { 0, 0 };
        var full = Functional.ConvTranspose2d(x, weight, null, (strides[0], strides[1]), 0, 0, group, (dilations[0], dilations[1]));
        var autoPad = n.String("auto_pad", "NOTSET");
        var outputShape = n.Ints("output_shape");
        var pads = n.Ints("pads");
        var y = full;
        for (var i = 0; i < 2; i++)
        {
            var length = full.Shape[2 + i] + outputPadding[i];
            int begin, end;
            if (outputShape is not null || autoPad is "SAME_UPPER" or "SAME_LOWER")
            {
                var target = outputShape is null ? x.Shape[2 + i] * strides[i] : spatial == 1 ? (i == 0 ? 1 : (int)outputShape[0]) : (int)outputShape[i];
                var total = length - target;
                begin = autoPad == "SAME_LOWER" ? total - total / 2 : total / 2;
                end = total - begin;
            }
            else if (pads is not null && autoPad is "NOTSET" or "" && (spatial == 2 || i == 1))
            {
                if (pads.Length != 2 * spatial) throw n.Error($"pads must have {2 * spatial} values.");
                var axis = spatial == 2 ? i : 0;
                (begin, end) = ((int)pads[axis], (int)pads[axis + spatial]);
            }
            else
            {
                (begin, end) = (0, 0);
            }
            var size = length - begin - end;
            if (size <= 0) throw n.Error($"the output would be empty on spatial axis {i}.");
            // Zero-extend where the crop window leaves the computed output (output padding, negative pads).
            var (before, after) = (Math.Max(0, -begin), Math.Max(0, begin + size - full.Shape[2 + i]));
            if (before > 0 || after > 0)
            {
                var widths = new (int, int)[4];
                widths[2 + i] = (before, after);
                y = y.Pad(widths);
            }
            y = y.Narrow(2 + i, Math.Max(0, begin), size);
        }
        if (bias is not null) y += bias.Reshape(1, -1, 1, 1);
        return One(spatial == 1 ? y.Squeeze(2) : y);
    }

    /// <summary>
    /// MaxPool and AveragePool on a framed input (padding with -∞ or 0 made explicit). Averages divide by the number of
    /// counted positions in each window: the input only, or input and explicit padding with count_include_pad, never the
    /// extra cells ceil_mode adds.
    /// </summary>
    private static OnnxValue[] Pool(OnnxNode n, bool max)
    {
        if (max && n.WantsOutput(1)) throw new NotSupportedException($"ONNX {n.Describe()}: the Indices output of MaxPool is not supported.");
        var input = n.Float(0);
        var x = To2d(n, input);
        var spatial = input.Rank - 2;
        var kernel = n.Ints("kernel_shape") is not null ? Spatial(n, "kernel_shape", spatial, 1) : throw n.Error("kernel_shape is required.");
        int[] size = [x.Shape[2], x.Shape[3]];
        var w = Geometry(n, spatial, size, kernel, pooling: true);
        var framed = Frame(x, w, max ? float.NegativeInfinity : 0f);
        var unit = w.Dilations.All(d => d == 1);
        Tensor y;
        if (max)
        {
            y = unit ? Functional.MaxPool2d(framed, (kernel[0], kernel[1]), (w.Strides[0], w.Strides[1])) : DilatedWindows(framed, w, Tensor.Maximum);
        }
        else
        {
            var sum = unit
                ? Functional.AvgPool2d(framed, (kernel[0], kernel[1]), (w.Strides[0], w.Strides[1])) * (kernel[0] * kernel[1])
                : DilatedWindows(framed, w, (a, b) => a + b);
            var includePad = n.Int("count_include_pad", 0) != 0;
            var counts = new float[2][];
            for (var i = 0; i < 2; i++)
            {
                var (first, last) = includePad ? (0, w.Begin[i] + size[i] + w.End[i]) : (w.Begin[i], w.Begin[i] + size[i]);
                counts[i] = new float[w.Out[i]];
                for (var o = 0; o < w.Out[i]; o++)
                {
                    for (var j = 0; j < kernel[i]; j++)
                    {
                        var p = o * w.Strides[i] + j * w.Dilations[i];
                        if (p >= first && p < last) counts[i][o]++;
                    }
                }
            }
            var divisor = Tensor.FromArray(counts[0], w.Out[0], 1) * Tensor.FromArray(counts[1], 1, w.Out[1]);
            y = sum / divisor.Clamp(min: 1f);
        }
        return One(spatial == 1 ? y.Squeeze(2) : y);
    }

    /// <summary>Combines the kernel's strided slices of a framed input: one slice per kernel cell, so any dilation works.</summary>
    private static Tensor DilatedWindows(Tensor framed, Window w, Func<Tensor, Tensor, Tensor> combine)
    {
        Tensor? result = null;
        for (var i = 0; i < w.Kernel[0]; i++)
        {
            for (var j = 0; j < w.Kernel[1]; j++)
            {
                var (h0, w0) = (i * w.Dilations[0], j * w.Dilations[1]);
                var cell = framed.Slice(2, h0, h0 + (w.Out[0] - 1) * w.Strides[0] + 1, w.Strides[0])
                    .Slice(3, w0, w0 + (w.Out[1] - 1) * w.Strides[1] + 1, w.Strides[1]);
                result = result is null ? cell : combine(result, cell);
            }
        }
        return result!;
    }

    // ---- normalisation ------------------------------------------------------------------------------

    /// <summary>Inference form: y = (x - mean) / √(var + ε) · scale + B per channel (axis 1).</summary>
    private static OnnxValue[] BatchNormalization(OnnxNode n)
    {
        if (n.Opset >= 14 && n.Int("training_mode", 0) != 0 || n.WantsOutput(1))
        {
            throw new NotSupportedException($"ONNX {n.Describe()}: training-mode BatchNormalization (batch statistics outputs) is not supported.");
        }
        var x = n.Float(0);
        if (x.Rank < 2) throw n.Error($"input must be [N, C, ...]; got {x.Shape}.");
        var channel = Enumerable.Repeat(1, x.Rank).ToArray();
        channel[1] = x.Shape[1];
        var (scale, bias, mean, variance) = (n.Float(1).Reshape(channel), n.Float(2).Reshape(channel), n.Float(3).Reshape(channel), n.Float(4).Reshape(channel));
        var epsilon = n.Float("epsilon", 1e-5f);
        return One((x - mean) * (variance + epsilon).Rsqrt() * scale + bias);
    }

    /// <summary>Normalises over axes [axis, rank): y = (x - mean) / √(var + ε) · scale + B; optional outputs mean and 1/√(var + ε).</summary>
    private static OnnxValue[] LayerNormalization(OnnxNode n)
    {
        var x = n.Float(0);
        var axis = n.Axis(n.Int("axis", -1), x.Rank);
        var axes = Enumerable.Range(axis, x.Rank - axis).ToArray();
        var epsilon = n.Float("epsilon", 1e-5f);
        var mean = x.Mean(axes, keepDims: true);
        var centred = x - mean;
        var inverse = ((centred * centred).Mean(axes, keepDims: true) + epsilon).Rsqrt();
        var y = centred * inverse * n.Float(1);
        if (n.OptionalFloat(2) is { } b) y += b;
        return [OnnxValue.Float(y), OnnxValue.Float(mean), OnnxValue.Float(inverse)];
    }
}
