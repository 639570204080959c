namespace Nabla.Cli.Commands;

/// <summary>Finds bundled data (e.g. <c>data/mnist</c>) relative to where the command runs or to a file it was given.</summary>
internal static class DataFolders
{
    /// <summary>
    /// The nearest folder, at or above each of <paramref name="starts"/> in turn, under which <paramref name="relative"/> exists;
    /// null when none has it.
    /// </summary>
    public static string? FindBase(string relative, params string[] starts)
    {
        foreach (var start in starts)
        {
            for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
            {
                if (Path.Exists(Path.Combine(dir.FullName, relative))) return dir.FullName;
            }
        }
        return null;
    }

    /// <summary><paramref name="relative"/> under the folder <see cref="FindBase"/> finds, or null.</summary>
    public static string? Find(string relative, params string[] starts) =>
        FindBase(relative, starts) is { } root ? Path.Combine(root, relative) : null;
}
