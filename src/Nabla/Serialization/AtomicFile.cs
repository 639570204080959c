namespace Nabla.Serialization;

/// <summary>
/// Replaces a file all at once: write a temporary file beside it, flush it to disk, then move it over the target.
/// A crash or an exception mid-write leaves the previous file as it was and removes the temporary file.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) => Write(path, stream =>
    {
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 12, leaveOpen: true);
        writer.Write(text);
    });

    /// <summary>Writes through <paramref name="write"/> to a temporary file, then moves it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        Directory.CreateDirectory(directory);
        // Same folder, so the final move is a rename on the same volume; hidden and unique so concurrent writers never clash.
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // Best effort: the original exception is the one worth reporting.
            }
            catch (UnauthorizedAccessException)
            {
            }
            throw;
        }
    }
}
