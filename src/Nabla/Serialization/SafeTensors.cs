using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Nabla.NN;

namespace Nabla.Serialization;

/// <summary>What a safetensors file holds: tensors (converted to float32, in header order), string metadata, and each tensor's stored type.</summary>
public sealed class SafeTensorsContent(StateDict tensors, IReadOnlyDictionary<string, string> metadata, IReadOnlyDictionary<string, SafeTensorsDType> dtypes)
{
    public StateDict Tensors { get; } = tensors;
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    /// <summary>The element type each tensor had in the file (the tensors themselves are float32).</summary>
    public IReadOnlyDictionary<string, SafeTensorsDType> DTypes { get; } = dtypes;

    public void Deconstruct(out StateDict tensors, out IReadOnlyDictionary<string, string> metadata) => (tensors, metadata) = (Tensors, Metadata);
}

/// <summary>
/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian unsigned header length N, N bytes
/// of UTF-8 JSON mapping each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (byte offsets into
/// the data section, which follows the header) plus an optional <c>"__metadata__"</c> object of strings, then the raw
/// little-endian row-major data. Files hold no code, so loading an untrusted one is safe: every header is validated
/// against the file's length before any tensor memory is allocated (see <see cref="SafeTensorsFormatException"/>).
/// <code>
/// SafeTensors.Write("weights.safetensors", model.StateDict(), new Dictionary&lt;string, string&gt; { ["epoch"] = "3" });
/// var (tensors, metadata) = SafeTensors.Read("weights.safetensors");
/// </code>
/// </summary>
public static class SafeTensors
{
    /// <summary>Headers longer than this (100 MB) are rejected as absurd, as the reference implementation does.</summary>
    public const long MaxHeaderLength = 100L * 1024 * 1024;

    private const int ChunkBytes = 1 << 16;
    private const int MaxReadElements = 1 << 28; // one F32 read stays well under 2 GB

    // ---- writing --------------------------------------------------------------------------------

    /// <summary>
    /// Writes <paramref name="tensors"/> (in their enumeration order) and <paramref name="metadata"/> to <paramref name="path"/>
    /// atomically: the bytes go to a temporary file in the same folder, are flushed to disk, and the temporary file then
    /// replaces <paramref name="path"/>, so a crash mid-write leaves the previous file intact. Values are stored as
    /// <paramref name="dtype"/> (F32 by default, exact; F16/BF16 round; integer types require whole numbers in range).
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        SafeTensorsDType dtype = SafeTensorsDType.F32) =>
        Write(path, tensors, metadata, _ => dtype);

    /// <summary>As <see cref="Write(string, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, string}?, SafeTensorsDType)"/> with a type chosen per tensor name.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata,
        Func<string, SafeTensorsDType> dtypeOf)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var plan = Plan(tensors, metadata, dtypeOf);
        AtomicFile.Write(path, stream => WritePlanned(stream, plan));
    }

    /// <summary>Writes the safetensors bytes to <paramref name="stream"/> (not atomic: the caller owns the stream).</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null,
        SafeTensorsDType dtype = SafeTensorsDType.F32)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WritePlanned(stream, Plan(tensors, metadata, _ => dtype));
    }

    /// <summary>As the stream overload above with a type chosen per tensor name.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata,
        Func<string, SafeTensorsDType> dtypeOf)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WritePlanned(stream, Plan(tensors, metadata, dtypeOf));
    }

    private sealed record Planned(byte[] Header, List<(string Name, Tensor Tensor, SafeTensorsDType DType)> Items);

    /// <summary>Checks the arguments and builds the header; touches shapes only, not tensor data.</summary>
    private static Planned Plan(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata, Func<string, SafeTensorsDType> dtypeOf)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(dtypeOf);
        var items = new List<(string, Tensor, SafeTensorsDType)>(tensors.Count);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject("__metadata__");
                foreach (var (key, value) in metadata)
                {
                    if (key is null || value is null) throw new ArgumentException("SafeTensors.Write: metadata keys and values must not be null.", nameof(metadata));
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in tensors)
            {
                if (string.IsNullOrEmpty(name) || name == "__metadata__")
                {
                    throw new ArgumentException($"SafeTensors.Write: '{name}' cannot name a tensor (names are non-empty and not __metadata__).", nameof(tensors));
                }
                if (tensor is null) throw new ArgumentException($"SafeTensors.Write: tensor '{name}' is null.", nameof(tensors));
                var dtype = dtypeOf(name);
                if (!Enum.IsDefined(dtype)) throw new ArgumentException($"SafeTensors.Write: {dtype} is not a safetensors dtype (tensor '{name}').", nameof(dtypeOf));
                var bytes = (long)tensor.Count * DTypes.SizeOf(dtype);
                json.WriteStartObject(name);
                json.WriteString("dtype", DTypes.Name(dtype));
                json.WriteStartArray("shape");
                foreach (var d in tensor.Shape.AsSpan()) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
                items.Add((name, tensor, dtype));
            }
            json.WriteEndObject();
        }
        // Pad with spaces so the data section starts 8-byte aligned (as the reference writer does).
        var length = buffer.WrittenCount;
        var padded = (length + 7) / 8 * 8;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return new Planned(header, items);
    }

    private static void WritePlanned(Stream stream, Planned plan)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)plan.Header.Length);
        stream.Write(length);
        stream.Write(plan.Header);
        var scratch = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            foreach (var (name, tensor, dtype) in plan.Items) WriteData(stream, name, tensor, dtype, scratch);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
        stream.Flush();
    }

    private static void WriteData(Stream stream, string name, Tensor tensor, SafeTensorsDType dtype, byte[] scratch)
    {
        if (tensor.Count == 0) return;
        ReadOnlySpan<float> values;
        using (Autograd.NoGrad()) values = tensor.Detach().Contiguous().Span;
        if (dtype == SafeTensorsDType.F32 && BitConverter.IsLittleEndian)
        {
            for (var start = 0; start < values.Length; start += MaxReadElements)
            {
                stream.Write(MemoryMarshal.AsBytes(values.Slice(start, Math.Min(MaxReadElements, values.Length - start))));
            }
            return;
        }
        var size = DTypes.SizeOf(dtype);
        var perChunk = ChunkBytes / size;
        for (var start = 0; start < values.Length; start += perChunk)
        {
            var n = Math.Min(perChunk, values.Length - start);
            DTypes.Encode(dtype, values.Slice(start, n), scratch, name, start);
            stream.Write(scratch, 0, n * size);
        }
    }

    // ---- reading --------------------------------------------------------------------------------

    /// <summary>Reads a safetensors file; any defect throws <see cref="SafeTensorsFormatException"/> naming the path.</summary>
    public static SafeTensorsContent Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"safetensors file not found: {path}", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkBytes, FileOptions.SequentialScan);
        return Read(stream, path);
    }

    /// <summary>
    /// Reads safetensors bytes from the current position of a seekable <paramref name="stream"/> to its end
    /// (the length is needed to validate the header before allocating); <paramref name="source"/> names it in errors.
    /// </summary>
    public static SafeTensorsContent Read(Stream stream, string source = "safetensors stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("SafeTensors.Read: the stream must be readable and seekable (copy it to a MemoryStream or a file first).", nameof(stream));
        }
        var available = stream.Length - stream.Position;
        if (available < 8) throw Error(source, $"{available} bytes is too short for the 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderLength)
        {
            throw Error(source, $"the header length {headerLength} bytes is absurd (the limit is {MaxHeaderLength} bytes, 100 MB)");
        }
        if ((long)headerLength > available - 8)
        {
            throw Error(source, $"the header length {headerLength} bytes goes beyond the end of the file (only {available - 8} bytes follow the length)");
        }
        if (headerLength < 2) throw Error(source, $"the header length {headerLength} is too small for a JSON object");
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var dataLength = available - 8 - (long)headerLength;
        var (entries, metadata) = SafeTensorsHeader.Parse(header, dataLength, source);

        var loaded = new Dictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        var start = stream.Position;
        try
        {
            // The tiling check guarantees the ranges follow one another, so one forward pass reads everything.
            foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
            {
                stream.Position = start + entry.Begin;
                loaded.Add(entry.Name, ReadTensor(stream, entry));
            }
        }
        catch (EndOfStreamException e)
        {
            throw new SafeTensorsFormatException($"{source}: the file ended before its data section did (it changed while being read?).", e);
        }
        var tensors = new StateDict();
        var dtypes = new Dictionary<string, SafeTensorsDType>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            tensors.Add(entry.Name, loaded[entry.Name]);
            dtypes.Add(entry.Name, entry.DType);
        }
        return new SafeTensorsContent(tensors, metadata, dtypes);
    }

    /// <summary>Reads one tensor's bytes straight into its float buffer (F32) or through a small scratch buffer (other types).</summary>
    private static Tensor ReadTensor(Stream stream, SafeTensorsEntry entry)
    {
        var data = entry.Count == 0 ? [] : GC.AllocateUninitializedArray<float>(entry.Count);
        if (entry.DType == SafeTensorsDType.F32 && BitConverter.IsLittleEndian)
        {
            for (var start = 0; start < data.Length; start += MaxReadElements)
            {
                stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan(start, Math.Min(MaxReadElements, data.Length - start))));
            }
        }
        else
        {
            var size = DTypes.SizeOf(entry.DType);
            var perChunk = ChunkBytes / size;
            var scratch = ArrayPool<byte>.Shared.Rent(ChunkBytes);
            try
            {
                for (var start = 0; start < data.Length; start += perChunk)
                {
                    var n = Math.Min(perChunk, data.Length - start);
                    stream.ReadExactly(scratch, 0, n * size);
                    DTypes.Decode(entry.DType, scratch.AsSpan(0, n * size), data.AsSpan(start, n));
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
        return Tensor.Wrap(data, new Shape(entry.Shape));
    }

    private static SafeTensorsFormatException Error(string source, string problem) => new($"{source}: {problem}.");
}
