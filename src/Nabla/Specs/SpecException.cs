namespace Nabla.Specs;

/// <summary>A spec file that cannot be used: <see cref="Path"/> names the field (e.g. <c>model[3].kernelSize</c>), the message says what is allowed.</summary>
public sealed class SpecException(string path, string problem, Exception? inner = null)
    : Exception(path.Length == 0 ? problem : $"{path}: {problem}", inner)
{
    /// <summary>The JSON path of the offending field, or "" for the file as a whole.</summary>
    public string Path { get; } = path;

    /// <summary>What is wrong and what would be accepted.</summary>
    public string Problem { get; } = problem;
}
