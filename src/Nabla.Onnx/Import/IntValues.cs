using Nabla.Onnx.Proto;

namespace Nabla.Onnx.Import;

/// <summary>
/// Integer (int64/bool) values: exact elementwise arithmetic with NumPy broadcasting, and structural ops
/// (reshape, transpose, gather, slice...) done by applying the same float-tensor op to a tensor of element
/// positions and reading the integers back through it, so every structural op has one implementation.
/// </summary>
internal static class IntValues
{
    /// <summary>Positions are exact in float32 up to 2^24.</summary>
    private const int MaxStructuralCount = 1 << 24;

    /// <summary>Applies a float-tensor structural op to an integer value.</summary>
    public static OnnxValue Map(OnnxValue value, Func<Tensor, Tensor> op) => MapMany([value], ts => op(ts[0]), value.Type);

    /// <summary>Applies a structural op taking several tensors (Concat) to integer values of one type.</summary>
    public static OnnxValue MapMany(IReadOnlyList<OnnxValue> values, Func<Tensor[], Tensor> op, OnnxElementType type)
    {
        var total = values.Sum(v => (long)v.Count);
        if (total >= MaxStructuralCount) throw new NotSupportedException($"integer tensors of more than {MaxStructuralCount} elements are not supported in shape operations.");
        var source = new long[total];
        var positions = new Tensor[values.Count];
        var offset = 0;
        for (var i = 0; i < values.Count; i++)
        {
            var ints = values[i].ToInts("integer value");
            ints.CopyTo(source, offset);
            positions[i] = (Tensor.Arange(ints.Length) + offset).Reshape(values[i].Shape);
            offset += ints.Length;
        }
        var mapped = op(positions);
        var index = mapped.ToArray();
        var result = new long[index.Length];
        for (var i = 0; i < index.Length; i++) result[i] = source[(int)index[i]];
        return OnnxValue.Int(result, mapped.Shape.ToArray(), type);
    }

    /// <summary>Elementwise f(a, b) over the broadcast shape.</summary>
    public static OnnxValue Binary(OnnxValue a, OnnxValue b, Func<long, long, long> f, OnnxElementType type)
    {
        var shape = new Shape(a.Shape);
        var outShape = Shape.Broadcast(shape, new Shape(b.Shape)).ToArray();
        var ia = BroadcastIndex(a.Shape, outShape);
        var ib = BroadcastIndex(b.Shape, outShape);
        var (x, y) = (a.ToInts("integer value"), b.ToInts("integer value"));
        var result = new long[ia.Length];
        for (var i = 0; i < result.Length; i++) result[i] = f(x[ia[i]], y[ib[i]]);
        return OnnxValue.Int(result, outShape, type);
    }

    /// <summary>For each element of <paramref name="outShape"/> (row-major), the index of the element of <paramref name="shape"/> broadcast to it.</summary>
    public static int[] BroadcastIndex(int[] shape, int[] outShape)
    {
        var count = outShape.Aggregate(1, (p, d) => p * d);
        var rank = outShape.Length;
        var strides = new int[rank];
        var stride = 1;
        for (var d = shape.Length - 1; d >= 0; d--)
        {
            var axis = rank - shape.Length + d;
            strides[axis] = shape[d] == 1 ? 0 : stride;
            stride *= shape[d];
        }
        var result = new int[count];
        var position = new int[rank];
        for (var i = 0; i < count; i++)
        {
            var index = 0;
            for (var d = 0; d < rank; d++) index += position[d] * strides[d];
            result[i] = index;
            for (var d = rank - 1; d >= 0; d--)
            {
                if (++position[d] < outShape[d]) break;
                position[d] = 0;
            }
        }
        return result;
    }
}
