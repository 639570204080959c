namespace Nabla.Ops;

/// <summary>
/// y = x with a new shape of the same element count: a view when the strides allow it, else a copy ·
/// backward: dx = dy reshaped to x's shape.
/// </summary>
internal sealed class Reshape : Node
{
    private Shape _inputShape;

    public static Tensor Apply(Tensor x, int[] dims, bool allowCopy = true)
    {
        var shape = Infer(x.Shape, dims);
        if (shape == x.Shape) return x;
        var strides = ViewStrides(x, shape.Dims);
        if (strides is null && !allowCopy)
        {
            throw new InvalidOperationException($"View: a tensor of shape {x.Shape} with strides {Shape.Format(x.StrideArray)} cannot be viewed as {shape} without copying; use Reshape (which copies when needed) or Contiguous() first.");
        }
        var y = strides is null
            ? Backends.Cpu.Elementwise.Contiguous(x).AsView(shape, Shape.ContiguousStrides(shape.Dims), 0)
            : x.AsView(shape, strides, x.Offset);
        return Graph.Needs(x) ? Graph.Attach(y, new Reshape { _inputShape = x.Shape }, x) : y;
    }

    internal override Tensor?[] Backward(Tensor dy) => [dy.Reshape(_inputShape.Dims)];

    /// <summary>Resolves one -1 and checks the element count, naming both shapes on error.</summary>
    private static Shape Infer(Shape from, int[] dims)
    {
        var inferAt = -1;
        long known = 1;
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] == -1)
            {
                if (inferAt >= 0) throw new ArgumentException($"Reshape: {from} to {Shape.Format(dims)}: only one size may be -1.");
                inferAt = i;
            }
            else if (dims[i] < 0)
            {
                throw new ArgumentException($"Reshape: {from} to {Shape.Format(dims)}: sizes must be non-negative (or -1 to infer one).");
            }
            else
            {
                known *= dims[i];
            }
        }
        var resolved = (int[])dims.Clone();
        if (inferAt >= 0)
        {
            if (known == 0 || from.Count % known != 0)
            {
                throw new ArgumentException($"Reshape: {from} ({from.Count} elements) to {Shape.Format(dims)}: the -1 size cannot be inferred.");
            }
            resolved[inferAt] = (int)(from.Count / known);
        }
        else if (known != from.Count)
        {
            throw new ArgumentException($"Reshape: {from} ({from.Count} elements) to {Shape.Format(dims)} ({known} elements): element counts differ.");
        }
        return Shape.Wrap(resolved);
    }

    /// <summary>
    /// Strides that show x's elements in the new shape without copying, or null when impossible.
    /// Walks x's axes from the innermost in chunks that are contiguous among themselves and matches
    /// each chunk against a run of new axes with the same element count.
    /// </summary>
    private static int[]? ViewStrides(Tensor x, int[] newDims)
    {
        var oldDims = x.Shape.Dims;
        var oldStrides = x.StrideArray;
        if (x.Count == 0 || oldDims.Length == 0 || x.IsContiguous) return Shape.ContiguousStrides(newDims);
        var newStrides = new int[newDims.Length];
        var viewAxis = newDims.Length - 1;
        var chunkBaseStride = oldStrides[^1];
        long tensorCount = 1, viewCount = 1;
        for (var d = oldDims.Length - 1; d >= 0; d--)
        {
            tensorCount *= oldDims[d];
            var chunkEnds = d == 0 || (oldDims[d - 1] != 1 && oldStrides[d - 1] != tensorCount * chunkBaseStride);
            if (!chunkEnds) continue;
            while (viewAxis >= 0 && (viewCount < tensorCount || newDims[viewAxis] == 1))
            {
                newStrides[viewAxis] = (int)(viewCount * chunkBaseStride);
                viewCount *= newDims[viewAxis];
                viewAxis--;
            }
            if (viewCount != tensorCount) return null;
            if (d > 0)
            {
                chunkBaseStride = oldStrides[d - 1];
                tensorCount = 1;
                viewCount = 1;
            }
        }
        return viewAxis == -1 ? newStrides : null;
    }
}
