using System.Buffers.Binary;
using Nabla.Onnx.Proto;

namespace Nabla.Onnx;

/// <summary>
/// TensorProto files (the ONNX test-data layout <c>input_0.pb</c>, <c>output_0.pb</c>) and the conversion between
/// TensorProto messages and values: sizes are checked against the data present before anything is allocated.
/// </summary>
public static class OnnxTensors
{
    /// <summary>Largest rank accepted in a file.</summary>
    internal const int MaxRank = 32;

    /// <summary>Reads a serialized TensorProto as a float tensor (integer data is converted to float).</summary>
    public static Tensor Read(string path) => ReadValue(path).ToTensor();

    /// <summary>Writes <paramref name="tensor"/> as a serialized float TensorProto named <paramref name="name"/> (atomically).</summary>
    public static void Write(string path, Tensor tensor, string name = "")
    {
        ArgumentNullException.ThrowIfNull(tensor);
        WriteValue(path, OnnxValue.Float(tensor), name);
    }

    internal static OnnxValue ReadValue(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return ToValue(ProtoReader.ReadTensor(bytes, path), path);
    }

    internal static void WriteValue(string path, OnnxValue value, string name)
    {
        var proto = ToProto(value, name);
        var bytes = ProtoWriter.Write(proto);
        Serialization.AtomicFile.Write(path, s => s.Write(bytes));
    }

    /// <summary>A TensorProto as a value: float types become float32; integer and bool types stay exact int64.</summary>
    internal static OnnxValue ToValue(TensorProto t, string context)
    {
        var label = t.Name.Length > 0 ? $"{context}: tensor '{t.Name}'" : $"{context}: tensor";
        if (t.DataLocation != 0 || t.ExternalDataCount > 0) throw new OnnxFormatException($"{label} keeps its data in an external file, which is not supported.");
        if (t.HasSegment) throw new OnnxFormatException($"{label} is segmented, which is not supported.");
        if (t.Dims.Count > MaxRank) throw new OnnxFormatException($"{label} has rank {t.Dims.Count}; at most {MaxRank} is supported.");
        var shape = new int[t.Dims.Count];
        long count = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            var d = t.Dims[i];
            if (d < 0 || d > int.MaxValue) throw new OnnxFormatException($"{label} has dimension {d} on axis {i}; dimensions must be in [0, {int.MaxValue}].");
            shape[i] = (int)d;
            count = count == 0 || d == 0 ? 0 : count * d;
            if (count > int.MaxValue) throw new OnnxFormatException($"{label} of shape [{string.Join(", ", t.Dims)}] has more than {int.MaxValue} elements.");
        }
        var n = (int)count;
        var type = t.DataType;
        var size = ElementSize(type) ?? throw new OnnxFormatException($"{label} has data type {Describe(type)}, which is not supported.");

        if (t.RawData is { } raw)
        {
            if (raw.LongLength != (long)n * size)
            {
                throw new OnnxFormatException($"{label} of shape [{string.Join(", ", shape)}] and type {type} needs {(long)n * size} bytes of raw data; it has {raw.LongLength}.");
            }
            return FromRaw(raw, type, n, shape);
        }
        var typed = TypedCount(t);
        if (typed != n)
        {
            throw new OnnxFormatException($"{label} of shape [{string.Join(", ", shape)}] needs {n} values; it has {typed}.");
        }
        switch (type)
        {
            case OnnxElementType.Float: return OnnxValue.Float(Tensor.FromArray([.. t.FloatData], shape));
            case OnnxElementType.Double: return OnnxValue.Float(Tensor.FromArray([.. t.DoubleData.Select(v => (float)v)], shape));
            case OnnxElementType.Float16:
                return OnnxValue.Float(Tensor.FromArray([.. t.Int32Data.Select(v => (float)BitConverter.UInt16BitsToHalf((ushort)v))], shape));
            case OnnxElementType.BFloat16:
                return OnnxValue.Float(Tensor.FromArray([.. t.Int32Data.Select(v => BitConverter.Int32BitsToSingle((v & 0xFFFF) << 16))], shape));
            case OnnxElementType.Int64: return OnnxValue.Int([.. t.Int64Data], shape, type);
            case OnnxElementType.UInt32 or OnnxElementType.UInt64: return OnnxValue.Int([.. t.UInt64Data.Select(v => (long)v)], shape, type);
            default: return OnnxValue.Int([.. t.Int32Data.Select(v => type == OnnxElementType.Bool ? (v != 0 ? 1L : 0L) : v)], shape, type);
        }
    }

    private static int TypedCount(TensorProto t) => t.DataType switch
    {
        OnnxElementType.Float => t.FloatData.Count,
        OnnxElementType.Double => t.DoubleData.Count,
        OnnxElementType.Int64 => t.Int64Data.Count,
        OnnxElementType.UInt32 or OnnxElementType.UInt64 => t.UInt64Data.Count,
        _ => t.Int32Data.Count,
    };

    private static OnnxValue FromRaw(byte[] raw, OnnxElementType type, int n, int[] shape)
    {
        var span = raw.AsSpan();
        if (OnnxValue.IsFloatType(type))
        {
            var data = new float[n];
            for (var i = 0; i < n; i++)
            {
                data[i] = type switch
                {
                    OnnxElementType.Float => BinaryPrimitives.ReadSingleLittleEndian(span[(4 * i)..]),
                    OnnxElementType.Double => (float)BinaryPrimitives.ReadDoubleLittleEndian(span[(8 * i)..]),
                    OnnxElementType.Float16 => (float)BinaryPrimitives.ReadHalfLittleEndian(span[(2 * i)..]),
                    _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(span[(2 * i)..]) << 16),
                };
            }
            return OnnxValue.Float(Tensor.FromArray(data, shape));
        }
        var ints = new long[n];
        for (var i = 0; i < n; i++)
        {
            ints[i] = type switch
            {
                OnnxElementType.Int64 or OnnxElementType.UInt64 => BinaryPrimitives.ReadInt64LittleEndian(span[(8 * i)..]),
                OnnxElementType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(span[(4 * i)..]),
                OnnxElementType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(span[(4 * i)..]),
                OnnxElementType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(span[(2 * i)..]),
                OnnxElementType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(span[(2 * i)..]),
                OnnxElementType.Int8 => (sbyte)span[i],
                OnnxElementType.Bool => span[i] != 0 ? 1 : 0,
                _ => span[i],
            };
        }
        return OnnxValue.Int(ints, shape, type);
    }

    /// <summary>Bytes per element in raw_data, or null for types Nabla does not read.</summary>
    internal static int? ElementSize(OnnxElementType type) => type switch
    {
        OnnxElementType.Float or OnnxElementType.Int32 or OnnxElementType.UInt32 => 4,
        OnnxElementType.Double or OnnxElementType.Int64 or OnnxElementType.UInt64 => 8,
        OnnxElementType.Float16 or OnnxElementType.BFloat16 or OnnxElementType.Int16 or OnnxElementType.UInt16 => 2,
        OnnxElementType.Int8 or OnnxElementType.UInt8 or OnnxElementType.Bool => 1,
        _ => null,
    };

    internal static string Describe(OnnxElementType type) =>
        Enum.IsDefined(type) ? type.ToString().ToUpperInvariant() : ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A value as a TensorProto with raw little-endian data (float32 for float values, int32 kept, int64 for other integers, bytes for bool).</summary>
    internal static TensorProto ToProto(OnnxValue value, string name)
    {
        var proto = new TensorProto { Name = name };
        proto.Dims.AddRange(value.Shape.Select(d => (long)d));
        if (value.IsFloat)
        {
            var data = value.Floats!.ToArray();
            var raw = new byte[data.Length * 4];
            for (var i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), data[i]);
            proto.DataType = OnnxElementType.Float;
            proto.RawData = raw;
        }
        else if (value.Type == OnnxElementType.Bool)
        {
            proto.DataType = OnnxElementType.Bool;
            proto.RawData = [.. value.Ints!.Select(v => (byte)(v != 0 ? 1 : 0))];
        }
        else if (value.Type == OnnxElementType.Int32)
        {
            var ints = value.Ints!;
            var raw = new byte[ints.Length * 4];
            for (var i = 0; i < ints.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(4 * i), (int)ints[i]);
            proto.DataType = OnnxElementType.Int32;
            proto.RawData = raw;
        }
        else
        {
            var ints = value.Ints!;
            var raw = new byte[ints.Length * 8];
            for (var i = 0; i < ints.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(8 * i), ints[i]);
            proto.DataType = OnnxElementType.Int64;
            proto.RawData = raw;
        }
        return proto;
    }
}
