using System.Buffers.Binary;
using System.Text;
using Nabla.Serialization;

namespace Nabla.Tests.Serialization;

/// <summary>Hand-built safetensors bytes for the tests: an 8-byte little-endian length, the header text, the data.</summary>
internal static class SafeTensorsBytes
{
    public static byte[] Build(string header, byte[] data, ulong? declaredLength = null)
    {
        var text = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + text.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredLength ?? (ulong)text.Length);
        text.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + text.Length);
        return bytes;
    }

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    public static SafeTensorsContent Read(byte[] bytes, string source = "test")
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return SafeTensors.Read(stream, source);
    }

    public static byte[] Write(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        SafeTensorsDType dtype = SafeTensorsDType.F32)
    {
        using var stream = new MemoryStream();
        SafeTensors.Write(stream, tensors, metadata, dtype);
        return stream.ToArray();
    }

    /// <summary>A fresh empty folder for file tests.</summary>
    public static string TempFolder() => Directory.CreateTempSubdirectory("nabla-serialization").FullName;
}
