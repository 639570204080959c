using System.Globalization;
using System.Text;
using Nabla.Backends.Cpu;

namespace Nabla;

public sealed partial class Tensor
{
    private const int SummaryThreshold = 1000; // elements above which printing abbreviates
    private const int EdgeItems = 3;           // items kept at each end of an abbreviated axis

    /// <summary>The elements in row-major order, as a new array.</summary>
    public float[] ToArray() => (IsContiguous ? this : Elementwise.Contiguous(this)).Span.ToArray();

    /// <summary>Copies the elements, in row-major order, into <paramref name="destination"/> (exactly <see cref="Count"/> long), without allocating for a contiguous tensor.</summary>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length != Count)
        {
            throw new ArgumentException($"CopyTo: the destination holds {destination.Length} floats but the tensor of shape {Shape} has {Count} elements.", nameof(destination));
        }
        (IsContiguous ? this : Elementwise.Contiguous(this)).Span.CopyTo(destination);
    }

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Count != 1) throw new InvalidOperationException($"Item: only one-element tensors convert to a number; this one has shape {Shape} ({Count} elements).");
        return Storage.Data[Offset];
    }

    /// <summary>The element at the given coordinates (negative counts from the end).</summary>
    [System.Runtime.CompilerServices.IndexerName("ElementAt")]
    public float this[params int[] index]
    {
        get
        {
            if (index.Length != Rank) throw new ArgumentException($"Indexer: tensor of shape {Shape} needs {Rank} coordinates; got {index.Length}.");
            var offset = Offset;
            for (var d = 0; d < Rank; d++)
            {
                var size = Shape.Dims[d];
                var i = index[d] < 0 ? index[d] + size : index[d];
                if (i < 0 || i >= size) throw new ArgumentOutOfRangeException(nameof(index), $"Indexer: index {index[d]} is out of range for axis {d} of size {size}.");
                offset += i * StrideArray[d];
            }
            return Storage.Data[offset];
        }
    }

    /// <summary>
    /// True when both tensors have the same shape and every pair of elements satisfies
    /// |a - b| ≤ atol + rtol·|b| (NaNs equal only with <paramref name="equalNan"/>).
    /// </summary>
    public bool AllClose(Tensor other, float rtol = 1e-5f, float atol = 1e-8f, bool equalNan = false)
    {
        if (Shape != other.Shape) return false;
        var a = ToArray();
        var b = other.ToArray();
        for (var i = 0; i < a.Length; i++)
        {
            if (float.IsNaN(a[i]) || float.IsNaN(b[i]))
            {
                if (equalNan && float.IsNaN(a[i]) && float.IsNaN(b[i])) continue;
                return false;
            }
            if (a[i] == b[i]) continue; // includes equal infinities
            if (float.IsInfinity(a[i]) || float.IsInfinity(b[i])) return false;
            if (!(Math.Abs((double)a[i] - b[i]) <= atol + rtol * Math.Abs((double)b[i]))) return false;
        }
        return true;
    }

    /// <summary>True when shapes and all elements are exactly equal.</summary>
    public bool ValueEquals(Tensor other) => Shape == other.Shape && ToArray().AsSpan().SequenceEqual(other.ToArray());

    /// <summary>Prints like NumPy/PyTorch: nested brackets, aligned columns, abbreviated when large, then the shape.</summary>
    public override string ToString()
    {
        var values = ToArray();
        var summarize = Count > SummaryThreshold;
        var shown = new List<float>();
        if (Rank == 0) shown.Add(values[0]);
        else CollectShown(values, 0, 0, summarize, shown);
        var format = ChooseFormat(shown);
        var width = 0;
        foreach (var v in shown) width = Math.Max(width, FormatValue(v, format).Length);
        var sb = new StringBuilder("tensor(");
        if (Rank == 0)
        {
            sb.Append(FormatValue(values[0], format));
        }
        else
        {
            AppendAxis(sb, values, 0, 0, format, width, summarize, indent: "tensor(".Length);
        }
        sb.Append(", shape=").Append(Shape);
        if (GradFn is not null) sb.Append(", gradFn=").Append(GradFn.Name);
        else if (RequiresGrad) sb.Append(", requiresGrad=true");
        return sb.Append(')').ToString();
    }

    /// <summary>The values that will be printed (the edges of each axis when abbreviating): they alone set format and width.</summary>
    private void CollectShown(float[] values, int axis, int offset, bool summarize, List<float> shown)
    {
        var size = Shape.Dims[axis];
        var block = 1;
        for (var d = axis + 1; d < Rank; d++) block *= Shape.Dims[d];
        for (var i = 0; i < size; i++)
        {
            if (summarize && size > 2 * EdgeItems && i == EdgeItems) i = size - EdgeItems;
            if (axis == Rank - 1) shown.Add(values[offset + i]);
            else CollectShown(values, axis + 1, offset + i * block, summarize, shown);
        }
    }

    private void AppendAxis(StringBuilder sb, float[] values, int axis, int offset, Format format, int width, bool summarize, int indent)
    {
        var size = Shape.Dims[axis];
        var block = 1;
        for (var d = axis + 1; d < Rank; d++) block *= Shape.Dims[d];
        sb.Append('[');
        var last = axis == Rank - 1;
        for (var i = 0; i < size; i++)
        {
            if (summarize && size > 2 * EdgeItems && i == EdgeItems)
            {
                sb.Append(last ? "..., " : "...,\n" + new string(' ', indent + axis + 1));
                i = size - EdgeItems - 1;
                continue;
            }
            if (last)
            {
                sb.Append(FormatValue(values[offset + i], format).PadLeft(width));
            }
            else
            {
                AppendAxis(sb, values, axis + 1, offset + i * block, format, width, summarize, indent);
            }
            if (i < size - 1)
            {
                sb.Append(last ? ", " : "," + new string('\n', Rank - axis - 1) + new string(' ', indent + axis + 1));
            }
        }
        sb.Append(']');
    }

    private enum Format { Integer, Fixed, Scientific }

    /// <summary>PyTorch's rule: whole numbers print as "3.", others with 4 decimals, and scientific
    /// notation when the non-zero magnitudes span more than 1000x, exceed 1e8, or (for fractions) fall below 1e-4.</summary>
    private static Format ChooseFormat(List<float> values)
    {
        var allIntegers = true;
        double maxAbs = 0, minAbs = double.MaxValue;
        foreach (var v in values)
        {
            if (!float.IsFinite(v) || v == 0f) continue;
            if (v != MathF.Round(v)) allIntegers = false;
            var a = Math.Abs((double)v);
            maxAbs = Math.Max(maxAbs, a);
            minAbs = Math.Min(minAbs, a);
        }
        if (minAbs == double.MaxValue) return Format.Integer; // only zeros and non-finite values
        var wide = maxAbs / minAbs > 1000 || maxAbs > 1e8;
        if (allIntegers) return wide ? Format.Scientific : Format.Integer;
        return wide || minAbs < 1e-4 ? Format.Scientific : Format.Fixed;
    }

    private static string FormatValue(float v, Format format)
    {
        if (float.IsNaN(v)) return "nan";
        if (float.IsPositiveInfinity(v)) return "inf";
        if (float.IsNegativeInfinity(v)) return "-inf";
        return format switch
        {
            Format.Integer => v.ToString("0", CultureInfo.InvariantCulture) + ".",
            Format.Fixed => v.ToString("0.0000", CultureInfo.InvariantCulture),
            _ => v.ToString("0.0000e+00", CultureInfo.InvariantCulture),
        };
    }
}
