namespace Nabla.Onnx.Import;

internal static partial class Operators
{
    private static void AddReductions(Dictionary<string, Func<OnnxNode, OnnxValue[]>> t)
    {
        // Axes moved from an attribute to an optional input: at opset 13 for ReduceSum, at 18 for the others.
        t["ReduceSum"] = n => Reduce(n, 13, (x, axes, keep) => x.Sum(axes, keep));
        t["ReduceMean"] = n => Reduce(n, 18, (x, axes, keep) => x.Mean(axes, keep));
        t["ReduceMax"] = n => Reduce(n, 18, (x, axes, keep) => x.Max(axes, keep));
        t["ReduceMin"] = n => Reduce(n, 18, (x, axes, keep) => x.Min(axes, keep));
        t["ReduceProd"] = n => Reduce(n, 18, (x, axes, keep) => x.Prod(axes, keep));
        t["ReduceSumSquare"] = n => Reduce(n, 18, (x, axes, keep) => (x * x).Sum(axes, keep));
        t["ReduceL2"] = n => Reduce(n, 18, (x, axes, keep) => (x * x).Sum(axes, keep).Sqrt());
        t["ReduceLogSumExp"] = n => Reduce(n, 18, (x, axes, keep) => x.LogSumExp(axes, keep));
    }

    /// <summary>
    /// keepdims (default 1) keeps reduced axes as size 1; no axes means all axes, unless noop_with_empty_axes is set,
    /// in which case the input passes through.
    /// </summary>
    private static OnnxValue[] Reduce(OnnxNode n, int axesInputFrom, Func<Tensor, int[], bool, Tensor> reduce)
    {
        var input = n.Input(0);
        var x = input.ToTensor();
        var keep = n.Int("keepdims", 1) != 0;
        var requested = n.Opset < axesInputFrom ? n.Ints("axes") : n.OptionalInts(1);
        int[] axes;
        if (requested is null || requested.Length == 0)
        {
            if (n.Opset >= axesInputFrom && n.Int("noop_with_empty_axes", 0) != 0) return One(input);
            axes = [.. Enumerable.Range(0, x.Rank)];
        }
        else
        {
            axes = n.Axes(requested, x.Rank);
        }
        var y = x.Rank == 0 ? x : reduce(x, axes, keep);
        if (input.IsFloat) return One(y);
        return One(OnnxValue.Int([.. y.ToArray().Select(v => (long)MathF.Round(v))], y.Shape.ToArray(), input.Type));
    }
}
