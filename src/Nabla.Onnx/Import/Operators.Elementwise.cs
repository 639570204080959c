using Nabla.Onnx.Proto;

namespace Nabla.Onnx.Import;

internal static partial class Operators
{
    private static void AddElementwise(Dictionary<string, Func<OnnxNode, OnnxValue[]>> t)
    {
        t["Add"] = n => Arithmetic(n, (a, b) => a + b, (a, b) => a + b);
        t["Sub"] = n => Arithmetic(n, (a, b) => a - b, (a, b) => a - b);
        t["Mul"] = n => Arithmetic(n, (a, b) => a * b, (a, b) => a * b);
        t["Div"] = n => Arithmetic(n, (a, b) => a / b, (a, b) => b == 0 ? throw n.Error("integer division by zero.") : a / b);
        t["Pow"] = Pow;
        t["Neg"] = n => Unary(n, x => x.Neg(), v => -v);
        t["Abs"] = n => Unary(n, x => x.Abs(), Math.Abs);
        t["Exp"] = n => One(n.Float(0).Exp());
        t["Log"] = n => One(n.Float(0).Log());
        t["Sqrt"] = n => One(n.Float(0).Sqrt());
        t["Reciprocal"] = n => One(1f / n.Float(0));
        t["Erf"] = n => One(n.Float(0).Erf());
        t["Sin"] = n => One(n.Float(0).Sin());
        t["Cos"] = n => One(n.Float(0).Cos());
        t["Floor"] = n => One(Tensor.FromArray(n.Float(0).ToArray().Select(MathF.Floor).ToArray(), n.Input(0).Shape));
        t["Ceil"] = n => One(Tensor.FromArray(n.Float(0).ToArray().Select(MathF.Ceiling).ToArray(), n.Input(0).Shape));
        t["Sum"] = n => Variadic(n, (a, b) => a + b);
        t["Max"] = n => Variadic(n, Tensor.Maximum);
        t["Min"] = n => Variadic(n, Tensor.Minimum);
        t["Mean"] = n => One(Variadic(n, (a, b) => a + b)[0].ToTensor() / n.Present().Count());
        t["Clip"] = Clip;
        t["Identity"] = n => One(n.Input(0));
        t["Dropout"] = Dropout;
        t["Cast"] = n => One(n.Input(0).Cast((OnnxElementType)n.Int("to", 1)));
        t["Equal"] = n => Compare(n, (a, b) => a.Eq(b), (a, b) => a == b);
        t["Less"] = n => Compare(n, (a, b) => a.Lt(b), (a, b) => a < b);
        t["LessOrEqual"] = n => Compare(n, (a, b) => a.Le(b), (a, b) => a <= b);
        t["Greater"] = n => Compare(n, (a, b) => a.Gt(b), (a, b) => a > b);
        t["GreaterOrEqual"] = n => Compare(n, (a, b) => a.Ge(b), (a, b) => a >= b);
        t["Not"] = n => One(OnnxValue.Int([.. n.Ints(0).Select(v => v == 0 ? 1L : 0L)], n.Input(0).Shape, OnnxElementType.Bool));
        t["Where"] = Where;
    }

    private static bool AllInts(OnnxNode n) => n.Present().All(v => !v.IsFloat);

    private static OnnxValue[] Arithmetic(OnnxNode n, Func<Tensor, Tensor, Tensor> floats, Func<long, long, long> ints)
    {
        var (a, b) = (n.Input(0), n.Input(1));
        if (!a.IsFloat && !b.IsFloat) return One(IntValues.Binary(a, b, ints, a.Type));
        return One(floats(a.ToTensor(), b.ToTensor()));
    }

    private static OnnxValue[] Unary(OnnxNode n, Func<Tensor, Tensor> floats, Func<long, long> ints)
    {
        var x = n.Input(0);
        return x.IsFloat ? One(floats(x.Floats!)) : One(OnnxValue.Int([.. x.Ints!.Select(ints)], x.Shape, x.Type));
    }

    private static OnnxValue[] Variadic(OnnxNode n, Func<Tensor, Tensor, Tensor> combine)
    {
        var values = n.Present().ToList();
        if (values.Count == 0) throw n.Error("needs at least one input.");
        var result = values[0].ToTensor();
        foreach (var v in values.Skip(1)) result = combine(result, v.ToTensor());
        return One(result);
    }

    private static OnnxValue[] Compare(OnnxNode n, Func<Tensor, Tensor, Tensor> floats, Func<long, long, bool> ints)
    {
        var (a, b) = (n.Input(0), n.Input(1));
        if (!a.IsFloat && !b.IsFloat) return One(IntValues.Binary(a, b, (x, y) => ints(x, y) ? 1 : 0, OnnxElementType.Bool));
        var result = floats(a.ToTensor(), b.ToTensor());
        return One(OnnxValue.Int([.. result.ToArray().Select(v => (long)v)], result.Shape.ToArray(), OnnxElementType.Bool));
    }

    private static OnnxValue[] Where(OnnxNode n)
    {
        var (c, a, b) = (n.Input(0), n.Input(1), n.Input(2));
        if (!a.IsFloat && !b.IsFloat)
        {
            var shape = Shape.Broadcast(Shape.Broadcast(new Shape(c.Shape), new Shape(a.Shape)), new Shape(b.Shape)).ToArray();
            var (ic, ia, ib) = (IntValues.BroadcastIndex(c.Shape, shape), IntValues.BroadcastIndex(a.Shape, shape), IntValues.BroadcastIndex(b.Shape, shape));
            var (cv, av, bv) = (c.ToInts("Where condition"), a.Ints!, b.Ints!);
            return One(OnnxValue.Int([.. Enumerable.Range(0, ic.Length).Select(i => cv[ic[i]] != 0 ? av[ia[i]] : bv[ib[i]])], shape, a.Type));
        }
        return One(Tensor.Where(c.ToTensor().Ne(0f), a.ToTensor(), b.ToTensor()));
    }

    private static OnnxValue[] Pow(OnnxNode n)
    {
        var (x, y) = (n.Input(0), n.Input(1));
        if (!x.IsFloat && !y.IsFloat) return One(IntValues.Binary(x, y, (a, b) => (long)Math.Pow(a, b), x.Type));
        var exponent = y.ToTensor();
        // A constant scalar exponent uses the power rule, which is defined for negative bases (x² of x < 0).
        if (exponent.Count == 1 && !exponent.RequiresGrad) return One(x.ToTensor().Pow(exponent.Reshape(-1).ToArray()[0]));
        return One(x.ToTensor().Pow(exponent));
    }

    private static OnnxValue[] Clip(OnnxNode n)
    {
        float? min, max;
        if (n.Opset < 11)
        {
            min = n.Has("min") ? n.Float("min", float.MinValue) : null;
            max = n.Has("max") ? n.Float("max", float.MaxValue) : null;
        }
        else
        {
            min = n.Optional(1) is { } lo ? Scalar(n, lo, "min") : null;
            max = n.Optional(2) is { } hi ? Scalar(n, hi, "max") : null;
        }
        var x = n.Input(0);
        if (!x.IsFloat)
        {
            return One(OnnxValue.Int([.. x.Ints!.Select(v => (long)Math.Clamp(v, min ?? long.MinValue, max ?? long.MaxValue))], x.Shape, x.Type));
        }
        return One(x.Floats!.Clamp(min, max));
    }

    private static float Scalar(OnnxNode n, OnnxValue v, string what)
    {
        if (v.Count != 1) throw n.Error($"{what} must be a single value; got shape [{string.Join(", ", v.Shape)}].");
        return v.ToTensor().Reshape(-1).ToArray()[0];
    }

    private static OnnxValue[] Dropout(OnnxNode n)
    {
        var x = n.Input(0);
        var ratio = n.Opset < 12 ? n.Float("ratio", 0.5f) : n.Optional(1) is { } r ? Scalar(n, r, "ratio") : 0.5f;
        var trainingMode = n.Opset >= 12 && n.Optional(2) is { } m && Scalar(n, m, "training_mode") != 0f;
        Tensor y;
        if ((n.Training || trainingMode) && x.IsFloat && ratio > 0f)
        {
            y = NN.Functional.Dropout(x.Floats!, ratio, training: true);
            if (n.WantsOutput(1)) return [OnnxValue.Float(y), OnnxValue.Int([.. y.ToArray().Select(v => v != 0f ? 1L : 0L)], x.Shape, OnnxElementType.Bool)];
            return One(y);
        }
        if (n.WantsOutput(1)) return [x, OnnxValue.Int([.. Enumerable.Repeat(1L, x.Count)], x.Shape, OnnxElementType.Bool)];
        return One(x);
    }
}
