using Nabla.Onnx.Proto;

namespace Nabla.Onnx.Import;

internal static partial class Operators
{
    private static void AddShapeOps(Dictionary<string, Func<OnnxNode, OnnxValue[]>> t)
    {
        t["Flatten"] = Flatten;
        t["Reshape"] = Reshape;
        t["Transpose"] = n =>
        {
            var x = n.Input(0);
            var perm = n.Ints("perm") is { } p ? n.Axes(p, x.Rank) : [.. Enumerable.Range(0, x.Rank).Reverse()];
            if (perm.Length != x.Rank) throw n.Error($"perm [{string.Join(", ", perm)}] must list all {x.Rank} axes.");
            return One(Structural(x, v => v.Permute(perm)));
        };
        t["Concat"] = Concat;
        t["Squeeze"] = Squeeze;
        t["Unsqueeze"] = Unsqueeze;
        t["Gather"] = Gather;
        t["Constant"] = Constant;
        t["Shape"] = n =>
        {
            var shape = n.Input(0).Shape;
            var rank = shape.Length;
            int Clamp(long v) => (int)Math.Clamp(v < 0 ? v + rank : v, 0, rank);
            var (start, end) = (Clamp(n.Int("start", 0)), Clamp(n.Int("end", rank)));
            return One(OnnxValue.Int([.. shape[start..Math.Max(start, end)].Select(d => (long)d)]));
        };
        t["Size"] = n => One(OnnxValue.Int([n.Input(0).Count], []));
        t["Slice"] = Slice;
        t["Expand"] = n =>
        {
            var x = n.Input(0);
            var target = n.Ints(1).Select(d => (int)d).ToArray();
            var shape = Shape.Broadcast(new Shape(x.Shape), new Shape([.. target.Select(d => Math.Max(d, 0))]), "Expand").ToArray();
            var aligned = Enumerable.Repeat(1, shape.Length - x.Rank).Concat(x.Shape).ToArray();
            return One(Structural(x, v => v.Reshape(aligned).Expand(shape).Contiguous()));
        };
        t["ConstantOfShape"] = n =>
        {
            var shape = n.Ints(0).Select(d => d >= 0 && d <= int.MaxValue ? (int)d : throw n.Error($"dimension {d} is invalid.")).ToArray();
            var value = n.TensorAttribute("value") is { } v ? OnnxTensors.ToValue(v, n.Describe()) : OnnxValue.Float(Tensor.Scalar(0f));
            if (value.Count != 1) throw n.Error("value must hold one element.");
            if (value.IsFloat) return One(Tensor.Full(shape, value.Floats!.Reshape(-1).ToArray()[0]));
            var count = shape.Aggregate(1L, (p, d) => p * d);
            return One(OnnxValue.Int([.. Enumerable.Repeat(value.Ints![0], checked((int)count))], shape, value.Type));
        };
        t["Pad"] = Pad;
        t["Range"] = n =>
        {
            var (start, limit, delta) = (n.Input(0), n.Input(1), n.Input(2));
            if (!start.IsFloat && !limit.IsFloat && !delta.IsFloat)
            {
                var (s, l, d) = (start.Ints![0], limit.Ints![0], delta.Ints![0]);
                if (d == 0) throw n.Error("delta must not be 0.");
                var count = Math.Max(0L, (long)Math.Ceiling((double)(l - s) / d));
                return One(OnnxValue.Int([.. Enumerable.Range(0, (int)count).Select(i => s + i * d)], [(int)count], start.Type));
            }
            var (fs, fl, fd) = (start.ToTensor().Item(), limit.ToTensor().Item(), delta.ToTensor().Item());
            var n2 = Math.Max(0, (int)MathF.Ceiling((fl - fs) / fd));
            return One(Tensor.Arange(n2) * fd + fs);
        };
    }

    /// <summary>A structural op on float data, or on integer data through its element positions.</summary>
    private static OnnxValue Structural(OnnxValue x, Func<Tensor, Tensor> op) => x.IsFloat ? OnnxValue.Float(op(x.Floats!)) : IntValues.Map(x, op);

    private static OnnxValue[] Flatten(OnnxNode n)
    {
        var x = n.Input(0);
        var axis = n.Axis(n.Int("axis", 1), x.Rank + 1);
        var outer = x.Shape[..axis].Aggregate(1, (p, d) => p * d);
        var inner = x.Shape[axis..].Aggregate(1, (p, d) => p * d);
        return One(Structural(x, v => v.Reshape(outer, inner)));
    }

    private static OnnxValue[] Reshape(OnnxNode n)
    {
        var x = n.Input(0);
        var requested = n.Opset < 5 ? n.Ints("shape") ?? throw n.Error("shape attribute is missing.") : n.Ints(1);
        var allowZero = n.Int("allowzero", 0) != 0;
        var target = new int[requested.Length];
        var infer = -1;
        long known = 1;
        for (var i = 0; i < requested.Length; i++)
        {
            var d = requested[i];
            if (d == 0 && !allowZero)
            {
                if (i >= x.Rank) throw n.Error($"shape [{string.Join(", ", requested)}] copies axis {i} of an input of rank {x.Rank}.");
                d = x.Shape[i];
            }
            if (d == -1)
            {
                if (infer >= 0) throw n.Error($"shape [{string.Join(", ", requested)}] has more than one -1.");
                infer = i;
                continue;
            }
            if (d < 0 || d > int.MaxValue) throw n.Error($"shape [{string.Join(", ", requested)}] has an invalid dimension {d}.");
            target[i] = (int)d;
            known *= d;
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Count % known != 0) throw n.Error($"cannot reshape [{string.Join(", ", x.Shape)}] to [{string.Join(", ", requested)}].");
            target[infer] = (int)(x.Count / known);
        }
        return One(Structural(x, v => v.Reshape(target)));
    }

    private static OnnxValue[] Concat(OnnxNode n)
    {
        var values = n.Present().ToList();
        if (values.Count == 0) throw n.Error("needs at least one input.");
        var axis = n.Axis(n.Int("axis", 0), values[0].Rank);
        if (values.All(v => !v.IsFloat)) return One(IntValues.MapMany(values, ts => Tensor.Concat(ts, axis), values[0].Type));
        return One(Tensor.Concat([.. values.Select(v => v.ToTensor())], axis));
    }

    private static long[]? AxesOf(OnnxNode n, int inputIndex, int attributeUntilOpset) =>
        n.Opset < attributeUntilOpset ? n.Ints("axes") : n.OptionalInts(inputIndex);

    private static OnnxValue[] Squeeze(OnnxNode n)
    {
        var x = n.Input(0);
        var requested = AxesOf(n, 1, 13);
        var axes = requested is null ? [.. Enumerable.Range(0, x.Rank).Where(d => x.Shape[d] == 1)] : n.Axes(requested, x.Rank);
        foreach (var a in axes)
        {
            if (x.Shape[a] != 1) throw n.Error($"cannot squeeze axis {a} of size {x.Shape[a]} (input [{string.Join(", ", x.Shape)}]).");
        }
        var shape = Enumerable.Range(0, x.Rank).Where(d => !axes.Contains(d)).Select(d => x.Shape[d]).ToArray();
        return One(Structural(x, v => v.Reshape(shape)));
    }

    private static OnnxValue[] Unsqueeze(OnnxNode n)
    {
        var x = n.Input(0);
        var requested = AxesOf(n, 1, 13) ?? throw n.Error("axes are required.");
        var rank = x.Rank + requested.Length;
        var axes = n.Axes(requested, rank);
        var shape = new int[rank];
        var source = 0;
        for (var d = 0; d < rank; d++) shape[d] = axes.Contains(d) ? 1 : x.Shape[source++];
        return One(Structural(x, v => v.Reshape(shape)));
    }

    private static OnnxValue[] Gather(OnnxNode n)
    {
        var data = n.Input(0);
        var axis = n.Axis(n.Int("axis", 0), data.Rank);
        var indices = n.Input(1);
        var dim = data.Shape[axis];
        var flat = indices.ToInts($"ONNX {n.Describe()} indices").Select(i =>
            i >= -dim && i < dim ? (float)(i < 0 ? i + dim : i) : throw n.Error($"index {i} is out of range for axis {axis} of size {dim}.")).ToArray();
        int[] shape = [.. data.Shape[..axis], .. indices.Shape, .. data.Shape[(axis + 1)..]];
        var index = Tensor.FromArray(flat, flat.Length);
        return One(Structural(data, v => v.IndexSelect(axis, index).Reshape(shape)));
    }

    private static OnnxValue[] Constant(OnnxNode n)
    {
        if (n.TensorAttribute("value") is { } t) return One(OnnxTensors.ToValue(t, n.Describe()));
        if (n.Has("value_float")) return One(Tensor.Scalar(n.Float("value_float", 0f)));
        if (n.Floats("value_floats") is { } fs) return One(Tensor.FromArray(fs, fs.Length));
        if (n.Has("value_int")) return One(OnnxValue.Int([n.Int("value_int", 0)], []));
        if (n.Ints("value_ints") is { } ints) return One(OnnxValue.Int(ints));
        throw new NotSupportedException($"ONNX {n.Describe()}: only value, value_float(s) and value_int(s) constants are supported.");
    }

    /// <summary>Constant padding: pads = [begin per axis..., end per axis...] (negative values crop); opset 11+ takes pads and the value as inputs.</summary>
    private static OnnxValue[] Pad(OnnxNode n)
    {
        var x = n.Input(0);
        var mode = n.String("mode", "constant");
        if (mode != "constant") throw new NotSupportedException($"ONNX {n.Describe()}: Pad mode '{mode}' is not supported (only 'constant').");
        var pads = n.Opset < 11 ? n.Ints("pads") ?? throw n.Error("pads are required.") : n.Ints(1);
        var value = n.Opset < 11 ? n.Float("value", 0f) : n.Optional(2) is { } v && v.Count == 1 ? v.ToTensor().Reshape(-1).ToArray()[0] : 0f;
        var axes = n.Opset >= 18 && n.OptionalInts(3) is { } a ? n.Axes(a, x.Rank) : [.. Enumerable.Range(0, x.Rank)];
        if (pads.Length != 2 * axes.Length) throw n.Error($"pads has {pads.Length} values for {axes.Length} axes.");
        var widths = new (int, int)[x.Rank];
        for (var i = 0; i < axes.Length; i++) widths[axes[i]] = ((int)Math.Max(0, pads[i]), (int)Math.Max(0, pads[i + axes.Length]));
        return One(Structural(x, t =>
        {
            var y = widths.Any(w => w.Item1 > 0 || w.Item2 > 0) ? t.Pad(widths, value) : t;
            for (var i = 0; i < axes.Length; i++)
            {
                var (before, after) = (pads[i], pads[i + axes.Length]);
                if (before < 0 || after < 0)
                {
                    var axis = axes[i];
                    var start = (int)Math.Max(0, -before);
                    y = y.Narrow(axis, start, y.Shape[axis] - start - (int)Math.Max(0, -after));
                }
            }
            return y;
        }));
    }

    private static OnnxValue[] Slice(OnnxNode n)
    {
        var x = n.Input(0);
        long[] starts, ends;
        long[]? axes, steps;
        if (n.Opset < 10)
        {
            starts = n.Ints("starts") ?? throw n.Error("starts are required.");
            ends = n.Ints("ends") ?? throw n.Error("ends are required.");
            (axes, steps) = (n.Ints("axes"), null);
        }
        else
        {
            (starts, ends, axes, steps) = (n.Ints(1), n.Ints(2), n.OptionalInts(3), n.OptionalInts(4));
        }
        if (ends.Length != starts.Length) throw n.Error("starts and ends differ in length.");
        var resolvedAxes = axes is null ? [.. Enumerable.Range(0, starts.Length)] : n.Axes(axes, x.Rank);
        return One(Structural(x, v =>
        {
            for (var i = 0; i < starts.Length; i++)
            {
                var axis = resolvedAxes[i];
                var step = steps is null ? 1 : steps[i];
                if (step == 0) throw n.Error("steps must not be 0.");
                long dim = x.Shape[axis], start = starts[i], end = ends[i];
                if (start < 0) start += dim;
                if (end < 0) end += dim;
                if (step > 0)
                {
                    (start, end) = (Math.Clamp(start, 0, dim), Math.Clamp(end, 0, dim));
                }
                else
                {
                    (start, end) = (Math.Clamp(start, 0, dim - 1), Math.Clamp(end, -1, dim - 1));
                }
                var picked = new List<float>();
                for (var j = start; step > 0 ? j < end : j > end; j += step) picked.Add(j);
                if (step == 1 && picked.Count > 0) v = v.Narrow(axis, (int)start, picked.Count);
                else v = v.IndexSelect(axis, Tensor.FromArray([.. picked], picked.Count));
            }
            return v;
        }));
    }
}
