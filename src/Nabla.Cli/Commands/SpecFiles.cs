using Nabla.Specs;

namespace Nabla.Cli.Commands;

/// <summary>Where a spec's relative data paths start.</summary>
internal static class SpecFiles
{
    /// <summary>The working directory if the data is there, else the nearest folder above the spec that has it.</summary>
    public static string DataRoot(TrainingSpec spec, FileInfo specFile)
    {
        if (Path.IsPathRooted(spec.Data.Path) || Path.Exists(spec.Data.Path)) return Directory.GetCurrentDirectory();
        return DataFolders.FindBase(spec.Data.Path, specFile.DirectoryName!)
            ?? throw new SpecException("data.path", $"'{spec.Data.Path}' was not found in {Directory.GetCurrentDirectory()} or any folder above {specFile.DirectoryName}.");
    }
}
