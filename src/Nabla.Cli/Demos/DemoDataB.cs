using Nabla.Data;

namespace Nabla.Cli.Demos;

/// <summary>Bundled data for the demos of this group: finds data/ from the current folder or above the executable.</summary>
internal static class DemoDataB
{
    /// <summary>The folder data/NAME found relative to the current directory or walking up from the executable.</summary>
    public static string DataDirectory(string name) =>
        Commands.DataFolders.Find(Path.Combine("data", name), Directory.GetCurrentDirectory(), AppContext.BaseDirectory)
        ?? throw new DirectoryNotFoundException($"demo: could not find data/{name} above {Directory.GetCurrentDirectory()} or {AppContext.BaseDirectory}.");

    /// <summary>The first <paramref name="count"/> MNIST digits (train or test part) whose label is in <paramref name="digits"/> (all when null).</summary>
    public static TensorDataset Mnist(bool train, int count, IReadOnlyCollection<int>? digits = null)
    {
        var all = Nabla.Data.Mnist.Load(DataDirectory("mnist"), train);
        var labels = all.Targets.ToArray();
        var picked = new List<int>();
        for (var i = 0; i < labels.Length && picked.Count < count; i++)
        {
            if (digits is null || digits.Contains((int)labels[i])) picked.Add(i);
        }
        return all.Subset(picked);
    }

    /// <summary>The fraction of rows whose arg-max of <paramref name="logits"/> [N, C] equals <paramref name="labels"/> [N].</summary>
    public static double Accuracy(Tensor logits, Tensor labels)
    {
        var predicted = logits.ArgMax(1).ToArray();
        var truth = labels.ToArray();
        var correct = 0;
        for (var i = 0; i < truth.Length; i++) if (predicted[i] == truth[i]) correct++;
        return (double)correct / truth.Length;
    }
}
