namespace Nabla.Onnx;

/// <summary>
/// An ONNX file (or TensorProto file) that is not a valid one: truncated or malformed protobuf, impossible sizes,
/// tensors whose data does not match their shape, graphs that reference names never defined. Every way a file can
/// be wrong is reported with this one type, before any large allocation. Derives from IOException (as
/// SafeTensorsFormatException does), so <c>catch (IOException)</c> handles a missing file and a corrupt one alike.
/// </summary>
public sealed class OnnxFormatException : IOException
{
    public OnnxFormatException() { }

    public OnnxFormatException(string message) : base(message) { }

    public OnnxFormatException(string message, Exception innerException) : base(message, innerException) { }
}
