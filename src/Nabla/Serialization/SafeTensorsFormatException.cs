namespace Nabla.Serialization;

/// <summary>
/// A safetensors file (or stream) that is not a valid one: the message names the source and the first problem
/// found. Every way a file can be wrong is reported with this one type, before any tensor memory is allocated.
/// NOTE: System.IO.InvalidDataException is sealed, so this derives from IOException; <c>catch (IOException)</c>
/// handles both a missing file and a corrupt one.
/// </summary>
public sealed class SafeTensorsFormatException : IOException
{
    public SafeTensorsFormatException() { }

    public SafeTensorsFormatException(string message) : base(message) { }

    public SafeTensorsFormatException(string message, Exception innerException) : base(message, innerException) { }
}
