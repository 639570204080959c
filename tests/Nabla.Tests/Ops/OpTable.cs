using Nabla.Tests.Support;

namespace Nabla.Tests.Ops;

/// <summary>Every op, with its reference written plainly against <see cref="NdArray"/>.</summary>
public static partial class OpTable
{
    private static readonly int[] M34 = [3, 4];
    private static readonly int[] T345 = [3, 4, 5];

    public static readonly IReadOnlyDictionary<string, OpCase> Cases = Build().Concat(BuildNeural()).ToDictionary(c => c.Name);

    private static OpCase Unary(string name, Func<Tensor, Tensor> op, Func<double, double> reference, Domain domain = Domain.Any, bool differentiable = true) =>
        new(name, [M34], x => op(x[0]), a => a[0].Map(reference), [domain], differentiable);

    private static IEnumerable<OpCase> Binary(string name, Func<Tensor, Tensor, Tensor> op, Func<double, double, double> reference, Domain[]? domains = null, bool differentiable = true)
    {
        (string Suffix, int[] A, int[] B)[] pairs =
        [
            ("same", [3, 4], [3, 4]),
            ("row", [3, 4], [4]),
            ("outer", [3, 1], [1, 4]),
            ("scalar", [2, 3], []),
            ("rank", [2, 1, 3], [4, 1]),
        ];
        foreach (var (suffix, a, b) in pairs)
        {
            yield return new OpCase($"{name}[{suffix}]", [a, b], x => op(x[0], x[1]), x => NdArray.Zip(x[0], x[1], reference), domains, differentiable);
        }
    }

    private static IEnumerable<OpCase> Reduction(string name, Func<Tensor, int[]?, bool, Tensor> op, Func<List<double>, double> fold, Domain domain = Domain.Any, bool differentiable = true)
    {
        (string Suffix, int[]? Axes, bool Keep)[] variants =
        [
            ("all", null, false),
            ("axis1", [1], false),
            ("axes0,2,keep", [0, 2], true),
            ("last,keep", [-1], true),
        ];
        foreach (var (suffix, axes, keep) in variants)
        {
            yield return new OpCase($"{name}[{suffix}]", [T345], x => op(x[0], axes, keep), x => x[0].Reduce(axes, keep, fold), [domain], differentiable);
        }
    }

    private static double Mean(List<double> v) => v.Sum() / v.Count;

    private static double Variance(List<double> v, bool unbiased)
    {
        var m = Mean(v);
        return v.Sum(x => (x - m) * (x - m)) / (unbiased ? v.Count - 1 : v.Count);
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static IEnumerable<OpCase> Build()
    {
        // ---- unary elementwise ----
        yield return Unary("Neg", x => x.Neg(), v => -v);
        yield return Unary("Abs", x => x.Abs(), Math.Abs, Domain.AwayFromZero);
        yield return Unary("Sign", x => x.Sign(), v => Math.Sign(v), Domain.AwayFromZero);
        yield return Unary("Exp", x => x.Exp(), Math.Exp);
        yield return Unary("Log", x => x.Log(), Math.Log, Domain.Positive);
        yield return Unary("Log1p", x => x.Log1p(), v => Math.Log(1 + v), Domain.Positive);
        yield return Unary("Sqrt", x => x.Sqrt(), Math.Sqrt, Domain.Positive);
        yield return Unary("Rsqrt", x => x.Rsqrt(), v => 1 / Math.Sqrt(v), Domain.Positive);
        yield return Unary("Sin", x => x.Sin(), Math.Sin);
        yield return Unary("Cos", x => x.Cos(), Math.Cos);
        yield return Unary("Tanh", x => x.Tanh(), Math.Tanh);
        yield return Unary("Sigmoid", x => x.Sigmoid(), Sigmoid);
        yield return Unary("Relu", x => x.Relu(), v => Math.Max(v, 0), Domain.AwayFromZero);
        yield return Unary("Clamp", x => x.Clamp(-0.15f, 0.15f), v => Math.Clamp(v, -0.15, 0.15), Domain.AwayFromZero);
        yield return Unary("ClampMinOnly", x => x.Clamp(min: 0.1f), v => Math.Max(v, 0.1), Domain.AwayFromZero);
        yield return Unary("ClampMaxOnly", x => x.Clamp(max: -0.1f), v => Math.Min(v, -0.1), Domain.AwayFromZero);
        yield return Unary("PowScalar2", x => x.Pow(2f), v => v * v);
        yield return Unary("PowScalar3", x => x.Pow(3f), v => v * v * v);
        yield return Unary("PowScalarHalf", x => x.Pow(0.5f), Math.Sqrt, Domain.Positive);
        yield return Unary("PowScalar-1.5", x => x.Pow(-1.5f), v => Math.Pow(v, -1.5), Domain.Positive);
        yield return Unary("ScalarOps", x => (2f - x) * 3f / 4f + 1f, v => (2 - v) * 3 / 4 + 1);
        yield return Unary("ScalarDivide", x => 1f / x, v => 1 / v, Domain.AwayFromZero);

        // ---- binary elementwise, each over five broadcasting patterns ----
        foreach (var c in Binary("Add", (a, b) => a + b, (a, b) => a + b)) yield return c;
        foreach (var c in Binary("Sub", (a, b) => a - b, (a, b) => a - b)) yield return c;
        foreach (var c in Binary("Mul", (a, b) => a * b, (a, b) => a * b)) yield return c;
        foreach (var c in Binary("Div", (a, b) => a / b, (a, b) => a / b, [Domain.Any, Domain.AwayFromZero])) yield return c;
        foreach (var c in Binary("Pow", (a, b) => a.Pow(b), Math.Pow, [Domain.Positive, Domain.Any])) yield return c;
        foreach (var c in Binary("Maximum", Tensor.Maximum, Math.Max, [Domain.Distinct])) yield return c;
        foreach (var c in Binary("Minimum", Tensor.Minimum, Math.Min, [Domain.Distinct])) yield return c;
        foreach (var c in Binary("Eq", (a, b) => a.Eq(b), (a, b) => a == b ? 1 : 0, [Domain.SmallIntegers], false)) yield return c;
        foreach (var c in Binary("Ne", (a, b) => a.Ne(b), (a, b) => a != b ? 1 : 0, [Domain.SmallIntegers], false)) yield return c;
        foreach (var c in Binary("Lt", (a, b) => a.Lt(b), (a, b) => a < b ? 1 : 0, [Domain.SmallIntegers], false)) yield return c;
        foreach (var c in Binary("Le", (a, b) => a.Le(b), (a, b) => a <= b ? 1 : 0, [Domain.SmallIntegers], false)) yield return c;
        foreach (var c in Binary("Gt", (a, b) => a.Gt(b), (a, b) => a > b ? 1 : 0, [Domain.SmallIntegers], false)) yield return c;
        foreach (var c in Binary("Ge", (a, b) => a.Ge(b), (a, b) => a >= b ? 1 : 0, [Domain.SmallIntegers], false)) yield return c;
        yield return new OpCase("Where", [[3, 1], [3, 4], [4]], x => Tensor.Where(x[0], x[1], x[2]),
            x => NdArray.Zip3(x[0], x[1], x[2], (c, a, b) => c != 0 ? a : b), [Domain.Mask, Domain.Any]);
        yield return new OpCase("MaskedFill", [[3, 4], [4]], x => x[0].MaskedFill(x[1], -7f),
            x => NdArray.Zip(x[0], x[1], (v, m) => m != 0 ? -7 : v), [Domain.Any, Domain.Mask]);

        // ---- reductions ----
        foreach (var c in Reduction("Sum", (x, ax, k) => ax is null ? x.Sum() : x.Sum(ax, k), v => v.Sum())) yield return c;
        foreach (var c in Reduction("Mean", (x, ax, k) => ax is null ? x.Mean() : x.Mean(ax, k), Mean)) yield return c;
        foreach (var c in Reduction("Prod", (x, ax, k) => ax is null ? x.Prod() : x.Prod(ax, k), v => v.Aggregate(1.0, (a, b) => a * b), Domain.Positive)) yield return c;
        foreach (var c in Reduction("Max", (x, ax, k) => ax is null ? x.Max() : x.Max(ax, k), v => v.Max(), Domain.Distinct)) yield return c;
        foreach (var c in Reduction("Min", (x, ax, k) => ax is null ? x.Min() : x.Min(ax, k), v => v.Min(), Domain.Distinct)) yield return c;
        foreach (var c in Reduction("VarUnbiased", (x, ax, k) => x.Var(ax, true, k), v => Variance(v, true))) yield return c;
        foreach (var c in Reduction("VarBiased", (x, ax, k) => x.Var(ax, false, k), v => Variance(v, false))) yield return c;
        foreach (var c in Reduction("Std", (x, ax, k) => x.Std(ax, true, k), v => Math.Sqrt(Variance(v, true)))) yield return c;
        foreach (var c in Reduction("StdBiased", (x, ax, k) => x.Std(ax, false, k), v => Math.Sqrt(Variance(v, false)))) yield return c;
        foreach (var c in Reduction("LogSumExp", (x, ax, k) => x.LogSumExp(ax, k), v => Math.Log(v.Sum(Math.Exp)))) yield return c;
        foreach (var c in Reduction("Norm2", (x, ax, k) => x.Norm(2f, ax, k), v => Math.Sqrt(v.Sum(x => x * x)))) yield return c;
        foreach (var c in Reduction("Norm1", (x, ax, k) => x.Norm(1f, ax, k), v => v.Sum(Math.Abs), Domain.AwayFromZero)) yield return c;
        foreach (var c in Reduction("Norm3", (x, ax, k) => x.Norm(3f, ax, k), v => Math.Pow(v.Sum(x => Math.Pow(Math.Abs(x), 3)), 1 / 3.0), Domain.AwayFromZero)) yield return c;
        foreach (var c in Reduction("NormInf", (x, ax, k) => x.Norm(float.PositiveInfinity, ax, k), v => v.Max(Math.Abs), Domain.Distinct)) yield return c;
        yield return new OpCase("ArgMax", [T345], x => x[0].ArgMax(1), x => x[0].Reduce([1], false, v => Ref.ArgExtreme(v, true)), Differentiable: false);
        yield return new OpCase("ArgMin[keep]", [T345], x => x[0].ArgMin(-1, keepDims: true), x => x[0].Reduce([-1], true, v => Ref.ArgExtreme(v, false)), Differentiable: false);
        yield return new OpCase("ArgMaxFlat", [M34], x => x[0].ArgMax(), x => x[0].Reduce(null, false, v => Ref.ArgExtreme(v, true)), Differentiable: false);
        yield return new OpCase("MaxWithIndices", [T345], x => x[0].MaxWithIndices(2).Values, x => x[0].Reduce([2], false, v => v.Max()), [Domain.Distinct]);
        yield return new OpCase("MinWithIndices[keep]", [T345], x => x[0].MinWithIndices(0, keepDims: true).Values, x => x[0].Reduce([0], true, v => v.Min()), [Domain.Distinct]);

        // ---- views and shape ops ----
        yield return new OpCase("Reshape", [M34], x => x[0].Reshape(2, 6), x => Ref.Reshape(x[0], 2, 6));
        yield return new OpCase("ReshapeInfer", [T345], x => x[0].Reshape(-1, 10), x => Ref.Reshape(x[0], 6, 10));
        yield return new OpCase("View", [T345], x => x[0].View(12, 5), x => Ref.Reshape(x[0], 12, 5));
        yield return new OpCase("Transpose", [T345], x => x[0].Transpose(0, 2), x => Ref.Permute(x[0], 2, 1, 0));
        yield return new OpCase("Permute", [T345], x => x[0].Permute(2, 0, 1), x => Ref.Permute(x[0], 2, 0, 1));
        yield return new OpCase("T", [M34], x => x[0].T, x => Ref.Permute(x[0], 1, 0));
        yield return new OpCase("SliceStep", [[5, 7]], x => x[0].Slice(1, 1, null, 2), x => Ref.Slice(x[0], 1, 1, 7, 2));
        yield return new OpCase("SliceNegative", [[5, 7]], x => x[0].Slice(0, -3, -1), x => Ref.Slice(x[0], 0, 2, 4, 1));
        yield return new OpCase("SliceClamped", [[5, 7]], x => x[0].Slice(1, 4, 100, 3), x => Ref.Slice(x[0], 1, 4, 7, 3));
        yield return new OpCase("Narrow", [T345], x => x[0].Narrow(2, 1, 3), x => Ref.Slice(x[0], 2, 1, 4, 1));
        yield return new OpCase("Select", [T345], x => x[0].Select(1, -1), x => Ref.Reshape(Ref.Slice(x[0], 1, 3, 4, 1), 3, 5));
        yield return new OpCase("Expand", [[3, 1]], x => x[0].Expand(2, 3, 4), x => Ref.Expand(x[0], 2, 3, 4));
        yield return new OpCase("ExpandKeep", [[1, 4]], x => x[0].Expand(3, -1), x => Ref.Expand(x[0], 3, 4));
        yield return new OpCase("Squeeze", [[3, 1, 4, 1]], x => x[0].Squeeze(), x => Ref.Reshape(x[0], 3, 4));
        yield return new OpCase("SqueezeAxis", [[3, 1, 4, 1]], x => x[0].Squeeze(1), x => Ref.Reshape(x[0], 3, 4, 1));
        yield return new OpCase("Unsqueeze", [M34], x => x[0].Unsqueeze(-1), x => Ref.Reshape(x[0], 3, 4, 1));
        yield return new OpCase("Flatten", [T345], x => x[0].Flatten(1), x => Ref.Reshape(x[0], 3, 20));
        yield return new OpCase("Contiguous", [M34], x => x[0].T.Contiguous(), x => Ref.Permute(x[0], 1, 0));
        yield return new OpCase("Clone", [M34], x => x[0].Clone(), x => x[0]);
        yield return new OpCase("Concat", [[2, 3], [4, 3], [1, 3]], x => Tensor.Concat(x, 0), x => Ref.Concat(x, 0));
        yield return new OpCase("ConcatLast", [[2, 3], [2, 1]], x => Tensor.Concat(x, -1), x => Ref.Concat(x, 1));
        yield return new OpCase("Stack", [M34, M34], x => Tensor.Stack(x, 1),
            x => Ref.Concat([Ref.Reshape(x[0], 3, 1, 4), Ref.Reshape(x[1], 3, 1, 4)], 1));
        yield return new OpCase("Split", [[3, 5]], x => x[0].Split(2, 1)[2], x => Ref.Slice(x[0], 1, 4, 5, 1));
        yield return new OpCase("SplitSizes", [[3, 5]], x => x[0].Split([1, 4], 1)[1], x => Ref.Slice(x[0], 1, 1, 5, 1));
        yield return new OpCase("Chunk", [[7, 2]], x => x[0].Chunk(3)[1], x => Ref.Slice(x[0], 0, 3, 6, 1));
        yield return new OpCase("Pad", [M34], x => x[0].Pad([(1, 0), (2, 3)], 0.5f), x => Ref.Pad(x[0], [(1, 0), (2, 3)], 0.5));

        // ---- indexing ----
        var gatherIndex = new NdArray([2, 0, 0, 1, 1, 1, 0, 2], [4, 2]);
        yield return new OpCase("Gather", [[4, 3]], x => x[0].Gather(1, gatherIndex.ToTensor()), x => Ref.Gather(x[0], 1, gatherIndex));
        var scatterIndex = new NdArray([0, 2, 2, 1, 0, 0], [2, 3]);
        yield return new OpCase("ScatterAdd", [[3, 3], [2, 3]], x => x[0].ScatterAdd(0, scatterIndex.ToTensor(), x[1]),
            x => Ref.ScatterAdd(x[0], 0, scatterIndex, x[1]));
        yield return new OpCase("IndexSelect", [[4, 3]], x => x[0].IndexSelect(0, 3, 0, 3), x => Ref.Take(x[0], 0, [3, 0, 3]));
        yield return new OpCase("IndexSelectLast", [T345], x => x[0].IndexSelect(-1, 4, 1), x => Ref.Take(x[0], 2, [4, 1]));
        yield return new OpCase("OneHot", [[2, 3]], x => x[0].OneHot(3),
            x => new NdArray(x[0].Data.SelectMany(c => Enumerable.Range(0, 3).Select(k => k == c ? 1.0 : 0.0)).ToArray(), [2, 3, 3]),
            [Domain.Classes], Differentiable: false);
        yield return new OpCase("GatherByInput", [[4, 3], [4, 2]], x => x[0].Gather(1, x[1]), x => Ref.Gather(x[0], 1, x[1]), [Domain.Any, Domain.Classes], Differentiable: false); // the index is not differentiable; "Gather" checks the gradient

        // ---- matrix products ----
        yield return new OpCase("MatMul", [[3, 4], [4, 5]], x => x[0].MatMul(x[1]), x => NdArray.MatMul(x[0], x[1]));
        yield return new OpCase("MatMulVectorLeft", [[4], [4, 5]], x => x[0].MatMul(x[1]), x => NdArray.MatMul(x[0], x[1]));
        yield return new OpCase("MatMulVectorRight", [[3, 4], [4]], x => x[0].MatMul(x[1]), x => NdArray.MatMul(x[0], x[1]));
        yield return new OpCase("MatMulDot", [[4], [4]], x => x[0].MatMul(x[1]), x => NdArray.MatMul(x[0], x[1]));
        yield return new OpCase("Dot", [[5], [5]], x => x[0].Dot(x[1]), x => NdArray.MatMul(x[0], x[1]));
        yield return new OpCase("MatMulBatched", [[2, 3, 4], [2, 4, 5]], x => x[0].MatMul(x[1]), x => NdArray.MatMul(x[0], x[1]));
        yield return new OpCase("MatMulBroadcastBatch", [[2, 1, 3, 4], [3, 4, 2]], x => x[0].MatMul(x[1]), x => NdArray.MatMul(x[0], x[1]));
        yield return new OpCase("MatMulBatchTimesMatrix", [[2, 3, 4], [4]], x => x[0].MatMul(x[1]), x => NdArray.MatMul(x[0], x[1]));
    }
}
