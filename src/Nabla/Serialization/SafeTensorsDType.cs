using System.Buffers.Binary;

namespace Nabla.Serialization;

/// <summary>
/// Element types of a safetensors file that Nabla reads (every one is converted to float32 on load) and can
/// write (converting from float32). Names in the file header are the enum names, <c>BOOL</c> for <see cref="Bool"/>.
/// </summary>
public enum SafeTensorsDType
{
    /// <summary>IEEE 754 single precision (4 bytes), Nabla's own type: written and read without conversion.</summary>
    F32,
    /// <summary>IEEE 754 double precision (8 bytes); rounded to float32 on load.</summary>
    F64,
    /// <summary>IEEE 754 half precision (2 bytes).</summary>
    F16,
    /// <summary>bfloat16: the upper 16 bits of a float32 (2 bytes).</summary>
    BF16,
    /// <summary>Signed 64-bit integer (e.g. PyTorch's <c>num_batches_tracked</c>).</summary>
    I64,
    I32,
    I16,
    I8,
    U8,
    /// <summary>One byte per value, 0 or 1 (any non-zero byte reads as 1).</summary>
    Bool,
}

/// <summary>Sizes, names and the conversions between file bytes (little-endian) and float32.</summary>
internal static class DTypes
{
    public static readonly SafeTensorsDType[] All = Enum.GetValues<SafeTensorsDType>();

    public static int SizeOf(SafeTensorsDType type) => type switch
    {
        SafeTensorsDType.F64 or SafeTensorsDType.I64 => 8,
        SafeTensorsDType.F32 or SafeTensorsDType.I32 => 4,
        SafeTensorsDType.F16 or SafeTensorsDType.BF16 or SafeTensorsDType.I16 => 2,
        _ => 1,
    };

    public static string Name(SafeTensorsDType type) => type == SafeTensorsDType.Bool ? "BOOL" : type.ToString();

    public static bool TryParse(string name, out SafeTensorsDType type)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(Name(candidate), name, StringComparison.Ordinal))
            {
                type = candidate;
                return true;
            }
        }
        type = default;
        return false;
    }

    public static string Supported => string.Join(", ", All.Select(Name));

    /// <summary>Converts <c>destination.Length</c> values of <paramref name="type"/> from <paramref name="source"/>.</summary>
    public static void Decode(SafeTensorsDType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        var n = destination.Length;
        switch (type)
        {
            case SafeTensorsDType.F32:
                for (var i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                break;
            case SafeTensorsDType.F64:
                for (var i = 0; i < n; i++) destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(source[(8 * i)..]);
                break;
            case SafeTensorsDType.F16:
                for (var i = 0; i < n; i++) destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(2 * i)..]);
                break;
            case SafeTensorsDType.BF16:
                // bfloat16 is the high half of a float32, so widening is a shift.
                for (var i = 0; i < n; i++) destination[i] = BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]) << 16);
                break;
            case SafeTensorsDType.I64:
                for (var i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadInt64LittleEndian(source[(8 * i)..]);
                break;
            case SafeTensorsDType.I32:
                for (var i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadInt32LittleEndian(source[(4 * i)..]);
                break;
            case SafeTensorsDType.I16:
                for (var i = 0; i < n; i++) destination[i] = BinaryPrimitives.ReadInt16LittleEndian(source[(2 * i)..]);
                break;
            case SafeTensorsDType.I8:
                for (var i = 0; i < n; i++) destination[i] = (sbyte)source[i];
                break;
            case SafeTensorsDType.U8:
                for (var i = 0; i < n; i++) destination[i] = source[i];
                break;
            default:
                for (var i = 0; i < n; i++) destination[i] = source[i] != 0 ? 1f : 0f;
                break;
        }
    }

    /// <summary>
    /// Converts float32 values to <paramref name="type"/>. Floating types round to nearest (even); integer types
    /// take only whole numbers in their range, and anything else is an error naming the tensor and element.
    /// </summary>
    public static void Encode(SafeTensorsDType type, ReadOnlySpan<float> source, Span<byte> destination, string name, long firstIndex)
    {
        for (var i = 0; i < source.Length; i++)
        {
            var v = source[i];
            switch (type)
            {
                case SafeTensorsDType.F32: BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], v); break;
                case SafeTensorsDType.F64: BinaryPrimitives.WriteDoubleLittleEndian(destination[(8 * i)..], v); break;
                case SafeTensorsDType.F16: BinaryPrimitives.WriteHalfLittleEndian(destination[(2 * i)..], (Half)v); break;
                case SafeTensorsDType.BF16: BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], ToBFloat16(v)); break;
                case SafeTensorsDType.I64: BinaryPrimitives.WriteInt64LittleEndian(destination[(8 * i)..], (long)Whole(v, -9223372036854775808.0, 9223372036854775808.0, type, name, firstIndex + i)); break;
                case SafeTensorsDType.I32: BinaryPrimitives.WriteInt32LittleEndian(destination[(4 * i)..], (int)Whole(v, int.MinValue, 2147483648.0, type, name, firstIndex + i)); break;
                case SafeTensorsDType.I16: BinaryPrimitives.WriteInt16LittleEndian(destination[(2 * i)..], (short)Whole(v, short.MinValue, short.MaxValue + 1.0, type, name, firstIndex + i)); break;
                case SafeTensorsDType.I8: destination[i] = (byte)(sbyte)Whole(v, sbyte.MinValue, sbyte.MaxValue + 1.0, type, name, firstIndex + i); break;
                case SafeTensorsDType.U8: destination[i] = (byte)Whole(v, 0, byte.MaxValue + 1.0, type, name, firstIndex + i); break;
                default: destination[i] = (byte)Whole(v, 0, 2, type, name, firstIndex + i); break;
            }
        }
    }

    /// <summary>Round to nearest even on the 16 bits dropped; NaN stays a (quiet) NaN.</summary>
    internal static ushort ToBFloat16(float value)
    {
        if (float.IsNaN(value)) return 0x7FC0;
        var bits = BitConverter.SingleToUInt32Bits(value);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    /// <summary>Checks that <paramref name="v"/> is a whole number in [min, maxExclusive).</summary>
    private static double Whole(float v, double min, double maxExclusive, SafeTensorsDType type, string name, long index)
    {
        if (v >= min && v < maxExclusive && v == MathF.Floor(v)) return v;
        var range = type == SafeTensorsDType.Bool ? "0 or 1" : $"whole numbers from {min:R} to below {maxExclusive:R}";
        throw new ArgumentException($"SafeTensors.Write: tensor '{name}' element {index} is {v}, which {Name(type)} cannot hold ({range}); write it as F32 instead.");
    }
}
