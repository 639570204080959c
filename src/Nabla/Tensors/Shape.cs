using System.Text;

namespace Nabla;

/// <summary>
/// The sizes of a tensor's axes, outermost first. Immutable; compares by value and prints as
/// <c>[2, 3]</c>. A rank-0 shape (<c>[]</c>) is a scalar with one element.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    private static readonly int[] ScalarDims = [];
    private readonly int[]? _dims;
    private readonly int _count;

    /// <summary>Creates a shape from axis sizes; every size must be non-negative.</summary>
    public Shape(params int[] dims)
    {
        foreach (var d in dims)
        {
            if (d < 0) throw new ArgumentException($"Shape {Format(dims)}: axis sizes must be non-negative.", nameof(dims));
        }
        _dims = (int[])dims.Clone();
        _count = CountOf(_dims);
    }

    // Trusted constructor: the caller hands over an array it will never mutate again.
    private Shape(int[] dims, bool _)
    {
        _dims = dims;
        _count = CountOf(dims);
    }

    internal static Shape Wrap(int[] dims) => new(dims, false);

    /// <summary>The rank-0 shape of a scalar.</summary>
    public static Shape Scalar => default;

    /// <summary>Number of axes.</summary>
    public int Rank => Dims.Length;

    /// <summary>Total number of elements (the product of the sizes; 1 for a scalar).</summary>
    public int Count => _dims is null ? 1 : _count;

    /// <summary>Size of axis <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => Dims[NormalizeAxis(axis, Rank, "Shape")];

    internal int[] Dims => _dims ?? ScalarDims;

    /// <summary>The axis sizes as a span (read-only).</summary>
    public ReadOnlySpan<int> AsSpan() => Dims;

    /// <summary>A copy of the axis sizes.</summary>
    public int[] ToArray() => (int[])Dims.Clone();

    private static int CountOf(int[] dims)
    {
        long n = 1;
        foreach (var d in dims) n *= d;
        if (n > Array.MaxLength) throw new ArgumentException($"Shape {Format(dims)} has {n} elements, more than the {Array.MaxLength} a tensor can hold.");
        return (int)n;
    }

    /// <summary>Maps a possibly negative axis into [0, rank), or throws naming the operation.</summary>
    internal static int NormalizeAxis(int axis, int rank, string op)
    {
        var a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
        {
            var range = rank == 0 ? "none (the tensor is a scalar)" : $"-{rank}..{rank - 1}";
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for rank {rank}; allowed: {range}.");
        }
        return a;
    }

    /// <summary>Row-major (C order) strides for these sizes.</summary>
    internal static int[] ContiguousStrides(int[] dims)
    {
        var strides = new int[dims.Length];
        var s = 1;
        for (var i = dims.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(dims[i], 1);
        }
        return strides;
    }

    /// <summary>NumPy broadcasting of two shapes, or an error naming <paramref name="op"/> and both shapes.</summary>
    public static Shape Broadcast(Shape a, Shape b, string op = "Broadcast")
    {
        if (a == b) return a;
        var rank = Math.Max(a.Rank, b.Rank);
        var dims = new int[rank];
        for (var i = 1; i <= rank; i++)
        {
            var da = i <= a.Rank ? a.Dims[a.Rank - i] : 1;
            var db = i <= b.Rank ? b.Dims[b.Rank - i] : 1;
            if (da != db && da != 1 && db != 1)
            {
                throw new ArgumentException($"{op}: shapes {a} and {b} cannot be broadcast together: axis -{i} has sizes {da} and {db} (sizes must match or one must be 1).");
            }
            dims[rank - i] = da == 1 ? db : da;
        }
        return Wrap(dims);
    }

    public bool Equals(Shape other) => Dims.AsSpan().SequenceEqual(other.Dims);
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in Dims) h.Add(d);
        return h.ToHashCode();
    }
    public static bool operator ==(Shape a, Shape b) => a.Equals(b);
    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);
    public static implicit operator Shape(int[] dims) => new(dims);

    public override string ToString() => Format(Dims);

    internal static string Format(ReadOnlySpan<int> dims)
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < dims.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(dims[i]);
        }
        return sb.Append(']').ToString();
    }
}
