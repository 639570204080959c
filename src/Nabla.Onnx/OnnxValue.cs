using Nabla.Onnx.Proto;

namespace Nabla.Onnx;

/// <summary>
/// A value flowing through an ONNX graph: float data as a differentiable <see cref="Tensor"/> (float32, float64 and
/// float16 all become float32), or integer/bool data as an exact int64 array with its shape, which is what shape
/// arithmetic (Shape, Gather on shapes, Reshape targets, axes inputs) needs.
/// </summary>
internal sealed class OnnxValue
{
    private OnnxValue(OnnxElementType type, int[] shape, Tensor? floats, long[]? ints)
    {
        (Type, Shape, Floats, Ints) = (type, shape, floats, ints);
    }

    public OnnxElementType Type { get; }
    public int[] Shape { get; }
    public Tensor? Floats { get; }
    public long[]? Ints { get; }
    public bool IsFloat => Floats is not null;
    public int Rank => Shape.Length;
    public int Count => IsFloat ? Floats!.Count : Ints!.Length;

    public static OnnxValue Float(Tensor tensor) => new(OnnxElementType.Float, tensor.Shape.ToArray(), tensor, null);

    public static OnnxValue Int(long[] data, int[] shape, OnnxElementType type = OnnxElementType.Int64)
    {
        if (IsFloatType(type)) throw new ArgumentException($"OnnxValue: {type} is a float type.");
        return new(type, shape, null, data);
    }

    public static OnnxValue Int(params long[] data) => Int(data, [data.Length]);

    public static bool IsFloatType(OnnxElementType type) =>
        type is OnnxElementType.Float or OnnxElementType.Double or OnnxElementType.Float16 or OnnxElementType.BFloat16;

    /// <summary>The data as a float tensor (integers converted).</summary>
    public Tensor ToTensor() => Floats ?? Tensor.FromArray(Array.ConvertAll(Ints!, v => (float)v), Shape);

    /// <summary>The data as int64 values; float data must hold whole numbers.</summary>
    public long[] ToInts(string what)
    {
        if (Ints is not null) return Ints;
        var data = Floats!.ToArray();
        var result = new long[data.Length];
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] != MathF.Floor(data[i]) || !float.IsFinite(data[i])) throw new ArgumentException($"{what}: expected whole numbers; got {data[i]}.");
            result[i] = (long)data[i];
        }
        return result;
    }

    /// <summary>The same data as another element type (ONNX Cast).</summary>
    public OnnxValue Cast(OnnxElementType to)
    {
        if (IsFloatType(to)) return Float(ToTensor());
        if (to is OnnxElementType.String or OnnxElementType.Complex64 or OnnxElementType.Complex128 or OnnxElementType.Undefined)
        {
            throw new NotSupportedException($"Cast to {to} is not supported.");
        }
        long[] ints;
        if (Ints is not null)
        {
            ints = Ints;
        }
        else
        {
            // Float to integer truncates toward zero, as C and ONNX runtimes do.
            var data = Floats!.ToArray();
            ints = new long[data.Length];
            for (var i = 0; i < data.Length; i++) ints[i] = float.IsFinite(data[i]) ? (long)MathF.Truncate(data[i]) : 0;
        }
        if (to == OnnxElementType.Bool) ints = Array.ConvertAll(ints, v => v != 0 ? 1L : 0L);
        return Int(ints, Shape, to);
    }

    public override string ToString() => $"{Type}[{string.Join(", ", Shape)}]";
}
