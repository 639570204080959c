using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using Nabla.Data;
using Nabla.NN;
using Nabla.Serialization;

namespace Nabla.Tests.Serialization;

/// <summary>
/// Seeded fuzzing of the readers: valid files mutated by bit flips, truncations, length-field edits, random byte
/// overwrites, insertions and deletions (and, for safetensors, edits of the header's numbers and types with the
/// length fixed up so the parser sees them). Every case must load or throw the format's own exception, and no
/// case may allocate more than a few megabytes: the files are under a few kilobytes.
/// </summary>
public partial class FuzzTests
{
    private const int Cases = 10_000;
    private const long AllocationLimit = 8 << 20;

    /// <summary>Runs <paramref name="read"/> on every mutated file and reports the cases that broke the rules.</summary>
    private static void Fuzz(string format, int seed, Func<Random, byte[]> mutate, Action<byte[]> read, Func<Exception, bool> expected)
    {
        var rng = new Random(seed);
        var failures = new List<string>();
        int loaded = 0, refused = 0;
        for (var i = 0; i < Cases; i++)
        {
            var bytes = mutate(rng);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                read(bytes);
                loaded++;
            }
            catch (Exception e) when (expected(e))
            {
                refused++;
            }
            catch (Exception e)
            {
                failures.Add($"case {i}: {e.GetType().Name}: {e.Message} (bytes {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 96)))})");
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > AllocationLimit) failures.Add($"case {i}: allocated {allocated} bytes for a {bytes.Length}-byte file");
        }
        Assert.True(failures.Count == 0, $"{format}: {failures.Count} of {Cases} cases broke the rules:\n{string.Join("\n", failures.Take(10))}");
        // Both outcomes must occur, or the mutations are not exercising the reader.
        Assert.True(loaded > Cases / 50 && refused > Cases / 2, $"{format}: {loaded} loaded, {refused} refused");
    }

    /// <summary>The mutations every format gets; <paramref name="lengthField"/> says where the format's length or size fields are.</summary>
    private static byte[] Mutate(Random rng, byte[] original, (int Offset, int Size)[] lengthFields)
    {
        var bytes = original;
        var rounds = rng.Next(1, 4);
        for (var round = 0; round < rounds && bytes.Length > 0; round++)
        {
            bytes = (byte[])bytes.Clone();
            switch (rng.Next(6))
            {
                case 0: // bit flips
                    for (var k = rng.Next(1, 5); k > 0; k--) bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1: // truncation
                    bytes = bytes[..rng.Next(bytes.Length)];
                    break;
                case 2: // random byte overwrites
                    for (var k = rng.Next(1, 9); k > 0; k--) bytes[rng.Next(bytes.Length)] = (byte)rng.Next(256);
                    break;
                case 3: // length-field edits: small shifts, extremes and random values
                    var (offset, size) = lengthFields[rng.Next(lengthFields.Length)];
                    if (offset + size > bytes.Length) break;
                    var field = bytes.AsSpan(offset, size);
                    var value = size == 8 ? BinaryPrimitives.ReadUInt64LittleEndian(field) : BinaryPrimitives.ReadUInt32BigEndian(field);
                    value = rng.Next(5) switch
                    {
                        0 => value + (ulong)rng.Next(1, 17),
                        1 => value - (ulong)rng.Next(1, 17),
                        2 => size == 8 ? ulong.MaxValue >> rng.Next(64) : uint.MaxValue >> rng.Next(32),
                        3 => (ulong)rng.NextInt64(),
                        _ => 0,
                    };
                    if (size == 8) BinaryPrimitives.WriteUInt64LittleEndian(field, value);
                    else BinaryPrimitives.WriteUInt32BigEndian(field, (uint)value);
                    break;
                case 4: // insert random bytes
                    var at = rng.Next(bytes.Length + 1);
                    var extra = new byte[rng.Next(1, 9)];
                    rng.NextBytes(extra);
                    bytes = [.. bytes[..at], .. extra, .. bytes[at..]];
                    break;
                default: // delete a run
                    var from = rng.Next(bytes.Length);
                    bytes = [.. bytes[..from], .. bytes[Math.Min(bytes.Length, from + rng.Next(1, 9))..]];
                    break;
            }
        }
        return bytes;
    }

    // ---- safetensors ----------------------------------------------------------------------------

    private static byte[] ValidSafeTensors()
    {
        var dict = new StateDict
        {
            { "conv.weight", Tensor.Arange(0, 12).Reshape(2, 3, 2) },
            { "half", Tensor.FromArray([0.5f, -1f, 2f, 4f], 4) },
            { "steps", Tensor.Scalar(3f) },
            { "empty", Tensor.Zeros(0, 2) },
            { "bytes", Tensor.FromArray([1f, 2f, 255f], 3) },
            { "b16", Tensor.FromArray([1f, -0.5f, 8f], 3) },
        };
        var types = new Dictionary<string, SafeTensorsDType>
        {
            ["conv.weight"] = SafeTensorsDType.F32, ["half"] = SafeTensorsDType.F16, ["steps"] = SafeTensorsDType.I64,
            ["empty"] = SafeTensorsDType.F64, ["bytes"] = SafeTensorsDType.U8, ["b16"] = SafeTensorsDType.BF16,
        };
        using var stream = new MemoryStream();
        SafeTensors.Write(stream, dict, new Dictionary<string, string> { ["epoch"] = "7", ["json"] = "{\"a\": [1, 2]}" }, name => types[name]);
        return stream.ToArray();
    }

    [GeneratedRegex("-?[0-9]+")]
    private static partial Regex Number();

    private static readonly string[] Replacements =
    [
        "0", "1", "-1", "3", "8", "12", "2147483647", "2147483648", "4294967296", "9223372036854775807", "18446744073709551615",
        "99999999999999999999999", "1e3", "1.5", "-0", "null", "true", "\"x\"", "[]", "{}", "[[1]]", "[1,2,3]", "\"F64\"", "\"I8\"",
    ];

    /// <summary>Edits inside the JSON header (a number or a dtype replaced, a field renamed), with the length field fixed up.</summary>
    private static byte[] MutateHeader(Random rng, byte[] original)
    {
        var n = (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        var header = Encoding.UTF8.GetString(original, 8, n);
        switch (rng.Next(3))
        {
            case 0:
                var numbers = Number().Matches(header);
                var m = numbers[rng.Next(numbers.Count)];
                header = header[..m.Index] + Replacements[rng.Next(Replacements.Length)] + header[(m.Index + m.Length)..];
                break;
            case 1:
                var dtypes = new[] { "\"F32\"", "\"F16\"", "\"I64\"", "\"U8\"", "\"BF16\"", "\"F64\"" };
                var from = dtypes[rng.Next(dtypes.Length)];
                var to = Replacements.Concat(["\"BOOL\"", "\"I32\"", "\"F8_E5M2\"", "\"f32\""]).ElementAt(rng.Next(Replacements.Length + 4));
                var at = header.IndexOf(from, StringComparison.Ordinal);
                if (at >= 0) header = header[..at] + to + header[(at + from.Length)..];
                break;
            default:
                var names = new[] { "\"shape\"", "\"dtype\"", "\"data_offsets\"", "\"half\"", "\"__metadata__\"", "\"epoch\"" };
                var name = names[rng.Next(names.Length)];
                var where = header.IndexOf(name, StringComparison.Ordinal);
                if (where >= 0) header = header[..where] + names[rng.Next(names.Length)] + header[(where + name.Length)..];
                break;
        }
        var text = Encoding.UTF8.GetBytes(header);
        var data = original.AsSpan(8 + n);
        var bytes = new byte[8 + text.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)text.Length);
        text.CopyTo(bytes, 8);
        data.CopyTo(bytes.AsSpan(8 + text.Length));
        return bytes;
    }

    [Fact]
    public void Mutated_safetensors_load_or_throw_the_format_exception()
    {
        var valid = ValidSafeTensors();
        Assert.Equal(6, SafeTensorsBytes.Read(valid).Tensors.Count);
        Fuzz("safetensors", 20240607,
            rng => rng.Next(3) == 0 ? MutateHeader(rng, valid) : Mutate(rng, valid, [(0, 8)]),
            bytes => SafeTensorsBytes.Read(bytes, "fuzz"),
            e => e is SafeTensorsFormatException && e.Message.StartsWith("fuzz: ", StringComparison.Ordinal));
    }

    // ---- IDX ------------------------------------------------------------------------------------

    [Fact]
    public void Mutated_idx_files_raw_and_gzipped_load_or_throw_invalid_data()
    {
        var pixels = new byte[3 * 5 * 4];
        new Random(3).NextBytes(pixels);
        byte[] raw = [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 5, 0, 0, 0, 4, .. pixels];
        var packed = CorruptFileTests.Gzip(raw);
        Assert.Equal(pixels, Idx.Read(new MemoryStream(packed), true, "fuzz").Data);
        (int, int)[] sizeFields = [(4, 4), (8, 4), (12, 4)];
        Fuzz("IDX", 1234,
            rng => rng.Next(3) switch
            {
                0 => [1, .. Mutate(rng, raw, sizeFields)],                         // raw
                1 => [2, .. CorruptFileTests.Gzip(Mutate(rng, raw, sizeFields))],  // a well-formed gzip of a corrupt file
                _ => [2, .. Mutate(rng, packed, [(4, 4)])],                        // a corrupt gzip stream
            },
            bytes =>
            {
                using var stream = new MemoryStream(bytes, 1, bytes.Length - 1, writable: false);
                Idx.Read(stream, gzipped: bytes[0] == 2, "fuzz");
            },
            e => e.GetType() == typeof(InvalidDataException) && e.Message.StartsWith("fuzz: ", StringComparison.Ordinal));
    }

    // ---- CSV ------------------------------------------------------------------------------------

    [Fact]
    public void Mutated_csv_files_load_or_throw_invalid_data()
    {
        var text = "sepal_length,sepal_width,petal_length,petal_width,species\n" +
                   string.Join("\n", Enumerable.Range(0, 12).Select(i => $"{4.5 + i * 0.1:0.0},{3.0 + i % 3 * 0.2:0.0},{1.0 + i * 0.3:0.0},{0.1 * (i % 4):0.0},{(i % 3 == 0 ? "setosa" : i % 3 == 1 ? "versicolor" : "virginica")}")) + "\n";
        var valid = Encoding.UTF8.GetBytes(text);
        Assert.Equal([12, 4], Csv.Parse(text.Split('\n'), "fuzz", "species").Features.Shape.ToArray());
        string[] tokens = ["NaN", "1e999", "-Infinity", "", ",", "\n", "\r\n", "\"", "x", "∞", "1,5", "0x10", " 2 ", "species", "\0"];
        Fuzz("CSV", 99,
            rng =>
            {
                if (rng.Next(3) != 0) return Mutate(rng, valid, [(0, 4)]);
                var cells = text.Split(',');
                var k = rng.Next(cells.Length);
                cells[k] = tokens[rng.Next(tokens.Length)] + (rng.Next(2) == 0 ? "" : "\n");
                return Encoding.UTF8.GetBytes(string.Join(",", cells));
            },
            bytes =>
            {
                var lines = Encoding.UTF8.GetString(bytes).ReplaceLineEndings("\n").Split('\n');
                Csv.Parse(lines, "fuzz", "species", oneHot: bytes.Length % 2 == 0);
            },
            // NOTE: a header that lost the requested column is the caller's ArgumentException (Csv.Load's documented contract).
            e => (e.GetType() == typeof(InvalidDataException) && e.Message.StartsWith("fuzz", StringComparison.Ordinal)) ||
                 (e.GetType() == typeof(ArgumentException) && e.Message.StartsWith("fuzz: no column named 'species'", StringComparison.Ordinal)));
    }
}
