using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Nabla.Serialization;

/// <summary>One tensor as the header describes it; offsets are relative to the start of the data section.</summary>
internal sealed record SafeTensorsEntry(string Name, SafeTensorsDType DType, int[] Shape, int Count, long Begin, long End);

/// <summary>
/// Parses and validates a safetensors header (the JSON after the 8-byte length) against the length of the data
/// section, so that nothing is allocated for a file that cannot be right. Checks: UTF-8 JSON object nested at most
/// three levels, <c>__metadata__</c> an object of strings, each tensor an object with exactly <c>dtype</c> (a known
/// name), <c>shape</c> (non-negative integers, at most <see cref="MaxRank"/>, at most Array.MaxLength elements) and
/// <c>data_offsets</c> (two non-negative integers, begin ≤ end, end - begin = elements · element size), names unique,
/// and the byte ranges tiling the data section from 0 to its end with no gap or overlap.
/// </summary>
internal static class SafeTensorsHeader
{
    /// <summary>The largest rank accepted; real tensors have a handful of axes.</summary>
    public const int MaxRank = 64;

    // Top-level object > tensor object > shape array: anything deeper is not a safetensors header.
    private const int MaxDepth = 3;

    public static (List<SafeTensorsEntry> Entries, Dictionary<string, string> Metadata) Parse(ReadOnlyMemory<byte> json, long dataLength, string source)
    {
        var bytes = json.Span;
        if (!Utf8.IsValid(bytes)) throw Error(source, "the header is not valid UTF-8");
        if (bytes.Length == 0 || bytes[0] != (byte)'{')
        {
            throw Error(source, $"the header must start with '{{' (a JSON object) but starts with {Describe(bytes)}");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw new SafeTensorsFormatException($"{source}: the header is not valid JSON nested at most {MaxDepth} levels deep: {e.Message}", e);
        }
        using (document)
        {
            var entries = new List<SafeTensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                var name = property.Name;
                if (!names.Add(name)) throw Error(source, $"the name '{name}' appears twice in the header");
                if (name == "__metadata__")
                {
                    ReadMetadata(property.Value, metadata, source);
                    continue;
                }
                entries.Add(ReadEntry(name, property.Value, dataLength, source));
            }
            CheckTiling(entries, dataLength, source);
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata, string source)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Error(source, $"__metadata__ must be an object mapping strings to strings but is {Kind(element)}");
        }
        foreach (var item in element.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw Error(source, $"__metadata__ value '{item.Name}' must be a string but is {Kind(item.Value)}");
            }
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!)) throw Error(source, $"__metadata__ key '{item.Name}' appears twice");
        }
    }

    private static SafeTensorsEntry ReadEntry(string name, JsonElement element, long dataLength, string source)
    {
        if (name.Length == 0) throw Error(source, "a tensor has an empty name");
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Error(source, $"tensor '{name}' must be an object with dtype, shape and data_offsets but is {Kind(element)}");
        }
        JsonElement? dtypeElement = null, shapeElement = null, offsetsElement = null;
        foreach (var field in element.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtypeElement is null: dtypeElement = field.Value; break;
                case "shape" when shapeElement is null: shapeElement = field.Value; break;
                case "data_offsets" when offsetsElement is null: offsetsElement = field.Value; break;
                case "dtype" or "shape" or "data_offsets": throw Error(source, $"tensor '{name}' has field '{field.Name}' twice");
                default: throw Error(source, $"tensor '{name}' has unknown field '{field.Name}'; expected dtype, shape and data_offsets");
            }
        }
        if (dtypeElement is not { } dtypeValue) throw Error(source, $"tensor '{name}' has no dtype");
        if (shapeElement is not { } shapeValue) throw Error(source, $"tensor '{name}' has no shape");
        if (offsetsElement is not { } offsetsValue) throw Error(source, $"tensor '{name}' has no data_offsets");

        if (dtypeValue.ValueKind != JsonValueKind.String) throw Error(source, $"tensor '{name}': dtype must be a string but is {Kind(dtypeValue)}");
        var dtypeName = dtypeValue.GetString()!;
        if (!DTypes.TryParse(dtypeName, out var dtype))
        {
            throw Error(source, $"tensor '{name}': unknown dtype '{dtypeName}'; supported: {DTypes.Supported}");
        }

        var shape = ReadShape(name, shapeValue, source);
        var count = CountOf(name, shape, source);

        if (offsetsValue.ValueKind != JsonValueKind.Array || offsetsValue.GetArrayLength() != 2)
        {
            throw Error(source, $"tensor '{name}': data_offsets must be an array of two integers [begin, end] but is {Kind(offsetsValue)}");
        }
        var begin = ReadOffset(name, "begin", offsetsValue[0], source);
        var end = ReadOffset(name, "end", offsetsValue[1], source);
        if (begin > end) throw Error(source, $"tensor '{name}': data_offsets begin {begin} is after end {end}");
        if (end > dataLength)
        {
            throw Error(source, $"tensor '{name}': data_offsets [{begin}, {end}] are out of range: the data section has {dataLength} bytes");
        }
        var bytes = count * (long)DTypes.SizeOf(dtype);
        if (end - begin != bytes)
        {
            throw Error(source, $"tensor '{name}': shape {Shape.Format(shape)} of {DTypes.Name(dtype)} needs {count} × {DTypes.SizeOf(dtype)} = {bytes} bytes but data_offsets [{begin}, {end}] hold {end - begin}");
        }
        return new SafeTensorsEntry(name, dtype, shape, (int)count, begin, end);
    }

    private static int[] ReadShape(string name, JsonElement element, string source)
    {
        if (element.ValueKind != JsonValueKind.Array) throw Error(source, $"tensor '{name}': shape must be an array of integers but is {Kind(element)}");
        var rank = element.GetArrayLength();
        if (rank > MaxRank) throw Error(source, $"tensor '{name}': shape has {rank} axes, more than the {MaxRank} allowed");
        var shape = new int[rank];
        var d = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number) throw Error(source, $"tensor '{name}': shape axis {d} must be an integer but is {Kind(item)}");
            if (!item.TryGetInt64(out var size))
            {
                throw Error(source, $"tensor '{name}': shape axis {d} is {item.GetRawText()}, not an integer a tensor axis can have");
            }
            if (size < 0) throw Error(source, $"tensor '{name}': shape axis {d} has negative size {size}");
            if (size > Array.MaxLength) throw Error(source, $"tensor '{name}': shape axis {d} has absurd size {size} (more than {Array.MaxLength})");
            shape[d++] = (int)size;
        }
        return shape;
    }

    /// <summary>The product of the sizes, rejecting counts beyond what one array can hold without overflowing.</summary>
    private static long CountOf(string name, int[] shape, string source)
    {
        if (shape.Contains(0)) return 0;
        long count = 1;
        foreach (var size in shape)
        {
            count *= size; // both factors are below 2^31, so this cannot overflow before the check
            if (count > Array.MaxLength)
            {
                throw Error(source, $"tensor '{name}': shape {Shape.Format(shape)} has more than {Array.MaxLength} elements, more than a tensor can hold");
            }
        }
        return count;
    }

    private static long ReadOffset(string name, string which, JsonElement element, string source)
    {
        if (element.ValueKind != JsonValueKind.Number) throw Error(source, $"tensor '{name}': data_offsets {which} must be an integer but is {Kind(element)}");
        if (!element.TryGetInt64(out var value))
        {
            throw Error(source, $"tensor '{name}': data_offsets {which} {element.GetRawText()} is not an integer within the file's range");
        }
        if (value < 0) throw Error(source, $"tensor '{name}': data_offsets {which} is negative ({value})");
        return value;
    }

    /// <summary>Sorted by offset, the byte ranges must follow one another from 0 to the end of the data section.</summary>
    private static void CheckTiling(List<SafeTensorsEntry> entries, long dataLength, string source)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long position = 0;
        SafeTensorsEntry? previous = null;
        foreach (var e in sorted)
        {
            if (e.Begin < position)
            {
                throw Error(source, $"tensors '{previous!.Name}' [{previous.Begin}, {previous.End}] and '{e.Name}' [{e.Begin}, {e.End}] overlap");
            }
            if (e.Begin > position)
            {
                throw Error(source, $"bytes {position} to {e.Begin} of the data section belong to no tensor (a gap before '{e.Name}'); tensors must be stored back to back");
            }
            position = e.End;
            previous = e;
        }
        if (position != dataLength)
        {
            throw Error(source, $"the tensors cover {position} bytes but the data section has {dataLength}: {dataLength - position} trailing bytes belong to no tensor");
        }
    }

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => $"an array of {element.GetArrayLength()}",
        JsonValueKind.String => $"the string \"{Shorten(element.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Shorten(element.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => "null",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static string Describe(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 0 ? "nothing" : $"'{Shorten(Encoding.UTF8.GetString(bytes[..Math.Min(bytes.Length, 20)]))}'";

    private static SafeTensorsFormatException Error(string source, string problem) => new($"{source}: {problem}.");
}
