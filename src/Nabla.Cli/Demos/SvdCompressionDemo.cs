using Nabla.Cli.Reports;
using Nabla.Data;
using Nabla.Mathematics;
using Nabla.NN;
using Nabla.Optim;
using Nabla.Training;

namespace Nabla.Cli.Demos;

/// <summary>
/// Low-rank compression: each trained Linear weight W [out, in] is replaced by its best rank-r approximation
/// (truncated SVD, two thin layers with r·(in + out) parameters). Trained weights are close to low rank, so accuracy
/// holds up to a small fraction of the parameters and collapses only at very low ranks.
/// </summary>
internal sealed class SvdCompressionDemo : Demo
{
    public override string Name => "svd-compression";
    public override string Description => "compress a trained digit MLP by truncated SVD: rank vs parameters vs test accuracy";

    public override DemoResult Run(DemoContext context)
    {
        var (trainCount, epochs) = context.Quick ? (1500, 3) : (8000, 8);
        var train = DemoDataB.Mnist(train: true, trainCount);
        var test = DemoDataB.Mnist(train: false, context.Quick ? 500 : 2000);
        var g = new Generator(context.Seed);
        // [N, 1, 28, 28] -> [N, 10]
        var model = new Sequential(new Flatten(), new Linear(784, 128, generator: g), new Relu(), new Linear(128, 64, generator: g), new Relu(), new Linear(64, 10, generator: g));
        new Trainer(model, new Adam(model.Parameters(), 1e-3f), new CrossEntropyLoss()).Fit(new DataLoader(train, 32, shuffle: true, seed: context.Seed), epochs);

        int[] ranks = [1, 2, 4, 8, 16, 32, 64];
        var rows = LowRank.RankSweep(model, test.Inputs, test.Targets, ranks);
        foreach (var line in LowRank.FormatTable(rows).Split('\n', StringSplitOptions.RemoveEmptyEntries)) context.Say($"   {line.TrimEnd()}");
        var original = rows[0];
        var compressed = rows.Skip(1).ToList();
        var chart = SvgChart.Line("Accuracy vs parameters (truncated SVD of every Linear layer)", xLabel: "parameters", yLabel: "test accuracy")
            .Series("rank 1..64", [.. compressed.Select(r => (double)r.Parameters)], [.. compressed.Select(r => r.Accuracy)])
            .Series("original", [original.Parameters * 0.98, original.Parameters], [original.Accuracy, original.Accuracy], dashed: true).Markers();
        context.SaveChart("accuracy-vs-parameters.svg", chart);
        var result = new DemoResult { ["original_accuracy"] = original.Accuracy, ["original_parameters"] = original.Parameters };
        foreach (var row in compressed)
        {
            result[$"rank{row.Rank}_accuracy"] = row.Accuracy;
            result[$"rank{row.Rank}_parameters"] = row.Parameters;
        }
        var rank16 = rows.First(r => r.Rank == 16);
        context.Say($"   rank 16 keeps {100.0 * rank16.Parameters / original.Parameters:0}% of the parameters at {rank16.Accuracy:0.000} accuracy (original {original.Accuracy:0.000}).");
        return result;
    }
}
