namespace Nabla.Ops;

/// <summary>Resolves the axes argument of a reduction (null or empty = all axes) into a mask, and the kept shapes.</summary>
internal static class Axes
{
    public static bool[] Mask(int rank, int[]? axes, string op)
    {
        var mask = new bool[rank];
        if (axes is null || axes.Length == 0)
        {
            Array.Fill(mask, true);
            return mask;
        }
        foreach (var axis in axes)
        {
            var a = Shape.NormalizeAxis(axis, rank, op);
            if (mask[a]) throw new ArgumentException($"{op}: axis {axis} is listed twice.");
            mask[a] = true;
        }
        return mask;
    }

    /// <summary>The input's shape with reduced axes set to 1 (the keepDims shape).</summary>
    public static int[] KeptShape(Shape input, bool[] mask)
    {
        var dims = (int[])input.Dims.Clone();
        for (var d = 0; d < dims.Length; d++)
        {
            if (mask[d]) dims[d] = 1;
        }
        return dims;
    }

    /// <summary>Number of elements folded into each output element.</summary>
    public static int ReducedCount(Shape input, bool[] mask)
    {
        var n = 1;
        for (var d = 0; d < mask.Length; d++)
        {
            if (mask[d]) n *= input.Dims[d];
        }
        return n;
    }

    /// <summary>The input's shape with the listed axes removed.</summary>
    public static int[] KeptShapeWithout(Shape input, int[] axes)
    {
        var dims = new List<int>(input.Rank);
        for (var d = 0; d < input.Rank; d++)
        {
            if (Array.IndexOf(axes, d) < 0) dims.Add(input.Dims[d]);
        }
        return [.. dims];
    }
}
