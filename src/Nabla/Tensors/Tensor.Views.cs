using Nabla.Ops;

namespace Nabla;

public sealed partial class Tensor
{
    // ---- raw views (no recording; for kernels and ops) -------------------------------------------

    internal Tensor AsView(Shape shape, int[] strides, int offset) => new(Storage, shape, strides, offset);

    internal Tensor PermuteView(int[] order)
    {
        var dims = new int[order.Length];
        var strides = new int[order.Length];
        for (var i = 0; i < order.Length; i++)
        {
            dims[i] = Shape.Dims[order[i]];
            strides[i] = StrideArray[order[i]];
        }
        return AsView(Shape.Wrap(dims), strides, Offset);
    }

    /// <summary>Zero-stride view broadcasting this tensor to <paramref name="shape"/> (NumPy rules, checked).</summary>
    internal Tensor ExpandView(Shape shape)
    {
        if (shape == Shape) return this;
        var rank = shape.Rank;
        var lead = rank - Rank;
        if (lead < 0)
        {
            throw new ArgumentException($"Expand: cannot expand shape {Shape} to {shape}, which has fewer axes.");
        }
        var strides = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            if (d < lead) continue;
            var own = Shape.Dims[d - lead];
            if (own == shape.Dims[d]) strides[d] = StrideArray[d - lead];
            else if (own != 1)
            {
                throw new ArgumentException($"Expand: cannot expand shape {Shape} to {shape}: axis {d} has size {own}, which is neither {shape.Dims[d]} nor 1.");
            }
        }
        return AsView(shape, strides, Offset);
    }

    internal Tensor SliceView(int axis, int start, int length)
    {
        var dims = (int[])Shape.Dims.Clone();
        dims[axis] = length;
        return AsView(Shape.Wrap(dims), StrideArray, Offset + start * StrideArray[axis]);
    }

    // ---- public views --------------------------------------------------------------------------

    /// <summary>The same elements in a new shape (one size may be -1); a view when strides allow, else a copy.</summary>
    public Tensor Reshape(params int[] shape) => Ops.Reshape.Apply(this, shape);

    /// <summary>Like <see cref="Reshape"/> but never copies: throws when the strides do not allow a view.</summary>
    public Tensor View(params int[] shape) => Ops.Reshape.Apply(this, shape, allowCopy: false);

    /// <summary>Reorders the axes: result axis i is this tensor's axis <c>order[i]</c>.</summary>
    public Tensor Permute(params int[] order) => Ops.Permute.Apply(this, order);

    /// <summary>Swaps two axes (a view).</summary>
    public Tensor Transpose(int axis0, int axis1)
    {
        var order = new int[Rank];
        for (var i = 0; i < Rank; i++) order[i] = i;
        var a = Shape.NormalizeAxis(axis0, Rank, "Transpose");
        var b = Shape.NormalizeAxis(axis1, Rank, "Transpose");
        (order[a], order[b]) = (order[b], order[a]);
        return Permute(order);
    }

    /// <summary>The axes in reverse order (the matrix transpose for 2-D tensors).</summary>
    public Tensor T
    {
        get
        {
            var order = new int[Rank];
            for (var i = 0; i < Rank; i++) order[i] = Rank - 1 - i;
            return Permute(order);
        }
    }

    /// <summary>Elements <c>start, start+step, ...</c> before <c>stop</c> along an axis (Python slice rules; a view).</summary>
    public Tensor Slice(int axis, int? start = null, int? stop = null, int step = 1) => Ops.Slice.Apply(this, axis, start, stop, step);

    /// <summary><paramref name="length"/> elements from <paramref name="start"/> along an axis (a view).</summary>
    public Tensor Narrow(int axis, int start, int length)
    {
        var a = Shape.NormalizeAxis(axis, Rank, "Narrow");
        var size = Shape.Dims[a];
        if (start < 0) start += size;
        if (start < 0 || length < 0 || start + length > size)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow: start {start} and length {length} do not fit axis {axis} of size {size} in shape {Shape}.");
        }
        return Slice(a, start, start + length);
    }

    /// <summary>The slice at <paramref name="index"/> along an axis, with that axis removed (a view).</summary>
    public Tensor Select(int axis, int index)
    {
        var a = Shape.NormalizeAxis(axis, Rank, "Select");
        var size = Shape.Dims[a];
        var i = index < 0 ? index + size : index;
        if (i < 0 || i >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"Select: index {index} is out of range for axis {axis} of size {size} in shape {Shape}.");
        }
        var dims = new int[Rank - 1];
        for (int d = 0, k = 0; d < Rank; d++)
        {
            if (d != a) dims[k++] = Shape.Dims[d];
        }
        return Slice(a, i, i + 1).Reshape(dims);
    }

    /// <summary>Broadcasts to a larger shape without copying (-1 keeps a size); gradients sum back.</summary>
    public Tensor Expand(params int[] shape)
    {
        var dims = (int[])shape.Clone();
        var lead = dims.Length - Rank;
        for (var d = 0; d < dims.Length; d++)
        {
            if (dims[d] == -1)
            {
                if (d < lead) throw new ArgumentException($"Expand: -1 is not allowed for the new leading axis {d} (shape {Shape} to {Shape.Format(shape)}).");
                dims[d] = Shape.Dims[d - lead];
            }
        }
        var target = new Shape(dims);
        ExpandView(target); // validates with a clear message
        return Ops.Expand.Apply(this, target);
    }

    /// <summary>Broadcasts to the shape of <paramref name="other"/>.</summary>
    public Tensor ExpandAs(Tensor other) => Expand(other.Shape.Dims);

    /// <summary>Removes all axes of size 1, or just <paramref name="axis"/> if it has size 1.</summary>
    public Tensor Squeeze(int? axis = null)
    {
        var dims = new List<int>(Rank);
        var only = axis is { } a ? Shape.NormalizeAxis(a, Rank, "Squeeze") : -1;
        for (var d = 0; d < Rank; d++)
        {
            if (Shape.Dims[d] == 1 && (only < 0 || only == d)) continue;
            dims.Add(Shape.Dims[d]);
        }
        return Reshape([.. dims]);
    }

    /// <summary>Inserts an axis of size 1 at <paramref name="axis"/> (negative counts from the end of the result).</summary>
    public Tensor Unsqueeze(int axis)
    {
        var a = Shape.NormalizeAxis(axis, Rank + 1, "Unsqueeze");
        var dims = new List<int>(Shape.Dims);
        dims.Insert(a, 1);
        return Reshape([.. dims]);
    }

    /// <summary>Merges axes <paramref name="startAxis"/>..<paramref name="endAxis"/> into one.</summary>
    public Tensor Flatten(int startAxis = 0, int endAxis = -1)
    {
        if (Rank == 0) return Reshape(1);
        var s = Shape.NormalizeAxis(startAxis, Rank, "Flatten");
        var e = Shape.NormalizeAxis(endAxis, Rank, "Flatten");
        if (s > e) throw new ArgumentException($"Flatten: start axis {startAxis} comes after end axis {endAxis}.");
        var dims = new List<int>();
        var merged = 1;
        for (var d = 0; d < Rank; d++)
        {
            if (d < s || d > e) dims.Add(Shape.Dims[d]);
            else
            {
                merged *= Shape.Dims[d];
                if (d == e) dims.Add(merged);
            }
        }
        return Reshape([.. dims]);
    }

    /// <summary>This tensor if it is already contiguous, else a contiguous copy.</summary>
    public Tensor Contiguous() => IsContiguous ? this : Copy.Apply(this);

    /// <summary>A contiguous copy with its own storage (differentiable: gradients pass through).</summary>
    public Tensor Clone() => Copy.Apply(this);

    /// <summary>Joins tensors along an existing axis; all other sizes must match.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis = 0) => Ops.Concat.Apply(tensors, axis);

    /// <summary>Joins same-shape tensors along a new axis.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Stack: needs at least one tensor.");
        var first = tensors[0].Shape;
        var expanded = new Tensor[tensors.Count];
        for (var i = 0; i < tensors.Count; i++)
        {
            if (tensors[i].Shape != first)
            {
                throw new ArgumentException($"Stack: tensor {i} has shape {tensors[i].Shape} but tensor 0 has {first}; all must match.");
            }
            expanded[i] = tensors[i].Unsqueeze(axis);
        }
        return Concat(expanded, axis);
    }

    /// <summary>Splits along an axis into pieces of <paramref name="size"/> (the last may be smaller); views.</summary>
    public Tensor[] Split(int size, int axis = 0)
    {
        if (size <= 0) throw new ArgumentException($"Split: size must be positive; got {size}.");
        var a = Shape.NormalizeAxis(axis, Rank, "Split");
        var total = Shape.Dims[a];
        var pieces = new Tensor[Math.Max(1, (total + size - 1) / size)];
        for (var i = 0; i < pieces.Length; i++) pieces[i] = Narrow(a, i * size, Math.Min(size, total - i * size));
        return pieces;
    }

    /// <summary>Splits along an axis into pieces of the given sizes, which must add up to the axis size; views.</summary>
    public Tensor[] Split(int[] sizes, int axis = 0)
    {
        var a = Shape.NormalizeAxis(axis, Rank, "Split");
        var sum = 0;
        foreach (var s in sizes) sum += s;
        if (sum != Shape.Dims[a])
        {
            throw new ArgumentException($"Split: sizes {Shape.Format(sizes)} add up to {sum} but axis {axis} of shape {Shape} has size {Shape.Dims[a]}.");
        }
        var pieces = new Tensor[sizes.Length];
        var start = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            pieces[i] = Narrow(a, start, sizes[i]);
            start += sizes[i];
        }
        return pieces;
    }

    /// <summary>Splits along an axis into <paramref name="chunks"/> nearly equal pieces (ceil-sized, as PyTorch).</summary>
    public Tensor[] Chunk(int chunks, int axis = 0)
    {
        if (chunks <= 0) throw new ArgumentException($"Chunk: the number of chunks must be positive; got {chunks}.");
        var a = Shape.NormalizeAxis(axis, Rank, "Chunk");
        var size = Math.Max(1, (Shape.Dims[a] + chunks - 1) / chunks);
        return Split(size, a);
    }

    /// <summary>Pads with a constant: one (before, after) pair per axis, outermost first (NumPy order).</summary>
    public Tensor Pad((int Before, int After)[] widths, float value = 0f) => Ops.Pad.Apply(this, widths, value);
}
