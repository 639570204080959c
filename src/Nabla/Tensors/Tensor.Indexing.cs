namespace Nabla;

public sealed partial class Tensor
{
    /// <summary>
    /// Picks elements along an axis by index: <c>y[i][j] = x[i][index[i][j]]</c> for axis 1.
    /// The index has this tensor's rank and holds whole numbers; the result has the index's shape.
    /// </summary>
    public Tensor Gather(int axis, Tensor index) => Ops.Gather.Apply(this, axis, index);

    /// <summary>
    /// A copy of this tensor with <paramref name="source"/> added at the indexed positions along an axis:
    /// <c>y[i][index[i][j]] += source[i][j]</c> for axis 1 (repeated indices accumulate).
    /// </summary>
    public Tensor ScatterAdd(int axis, Tensor index, Tensor source) => Ops.ScatterAdd.Apply(this, axis, index, source);

    /// <summary>The slices at the given positions along an axis, in that order (positions may repeat).</summary>
    public Tensor IndexSelect(int axis, Tensor indices)
    {
        var a = Shape.NormalizeAxis(axis, Rank, "IndexSelect");
        if (indices.Rank != 1) throw new ArgumentException($"IndexSelect: indices must be 1-D; got shape {indices.Shape}.");
        var outDims = (int[])Shape.Dims.Clone();
        outDims[a] = indices.Count;
        var shapeOfIndex = new int[Rank];
        Array.Fill(shapeOfIndex, 1);
        shapeOfIndex[a] = indices.Count;
        var index = indices.Detach().Reshape(shapeOfIndex).Expand(outDims);
        return Gather(a, index);
    }

    /// <inheritdoc cref="IndexSelect(int, Tensor)"/>
    public Tensor IndexSelect(int axis, params int[] indices) =>
        IndexSelect(axis, FromArray(Array.ConvertAll(indices, i => (float)i)));
}
