using Nabla.Mathematics;
using Nabla.Specs;
using Nabla.Tests.Support;

namespace Nabla.Tests.MathTests;

/// <summary>Low-rank compression of the trained digit MLP: the rank / parameters / test accuracy table.</summary>
public class DigitCompressionTests
{
    [Fact]
    public void Compressing_the_digit_mlp_trades_parameters_for_accuracy()
    {
        var experiment = Experiment.Create(TrainingSpec.Load(Repo.Path("examples", "mnist-mlp.json")), Repo.Root);
        experiment.Run();
        var test = experiment.Data.Test;
        // The first Linear (784 -> 128, index 1 of the Sequential) holds 100,352 of the 109,386 parameters.
        var rows = LowRank.RankSweep(experiment.Model, test.Inputs, test.Targets, [4, 16, 64, 128], layers: [1]);
        var table = LowRank.FormatTable(rows);
        Assert.Contains("original", table);
        var original = rows[0];
        Assert.True(original.Accuracy > 0.9, table);
        // Full rank (128 = min(784, 128)) reproduces the model; rank 16 keeps nearly all of it with a quarter of the parameters.
        var full = rows.Single(r => r.Rank == 128);
        Assert.InRange(full.Accuracy, original.Accuracy - 0.002, original.Accuracy + 0.002);
        var small = rows.Single(r => r.Rank == 16);
        Assert.True(small.Parameters < original.Parameters * 0.25, table);
        Assert.True(small.Accuracy > original.Accuracy - 0.01, table);
        // Rank 4 squeezes 784 inputs through 4 numbers: clearly worse.
        Assert.True(rows.Single(r => r.Rank == 4).Accuracy < original.Accuracy - 0.05, table);
    }
}
