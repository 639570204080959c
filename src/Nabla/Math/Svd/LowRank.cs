using System.Globalization;
using System.Text;
using Nabla.NN;

namespace Nabla.Mathematics;

/// <summary>One row of <see cref="LowRank.RankSweep"/>: the rank kept (null for the original model), parameter count and accuracy.</summary>
public sealed record RankSweepRow(int? Rank, long Parameters, double Accuracy);

/// <summary>
/// Low-rank compression of fully connected layers by truncated SVD. A weight W [out, in] = UΣVᵀ becomes two layers,
/// in -> r (weight √Σᵣ·Vᵣᵀ, no bias) and r -> out (weight Uᵣ·√Σᵣ, the original bias), whose product Wᵣ is the best rank-r
/// approximation of W (Eckart–Young): ‖W - Wᵣ‖_F² = Σ_{i>r} σᵢ² and ‖W - Wᵣ‖₂ = σᵣ₊₁. Parameters drop from
/// in·out to r·(in + out) when r &lt; in·out/(in + out).
/// </summary>
public static class LowRank
{
    /// <summary>Sequential(Linear(in, r, no bias), Linear(r, out)) approximating <paramref name="layer"/> with rank r ≤ min(in, out).</summary>
    public static Sequential Compress(Linear layer, int rank)
    {
        ArgumentNullException.ThrowIfNull(layer);
        var max = Math.Min(layer.InFeatures, layer.OutFeatures);
        if (rank < 1 || rank > max)
        {
            throw new ArgumentException($"LowRank.Compress: rank must lie in [1, {max}] for {layer.Describe()}; got {rank}.");
        }
        using var _ = Autograd.NoGrad();
        var (u, s, vt) = Linalg.Svd(layer.Weight.Detach()); // [out, k], [k], [k, in]
        var root = s.Narrow(0, 0, rank).Sqrt();
        var first = new Linear(layer.InFeatures, rank, bias: false);
        var second = new Linear(rank, layer.OutFeatures, bias: layer.Bias is not null);
        first.Weight.CopyFrom(root.Unsqueeze(1) * vt.Narrow(0, 0, rank)); // [r, in]
        second.Weight.CopyFrom(u.Narrow(1, 0, rank) * root.Unsqueeze(0)); // [out, r]
        if (layer.Bias is not null) second.Bias!.CopyFrom(layer.Bias);
        return new Sequential(first, second);
    }

    /// <summary>
    /// A copy of <paramref name="model"/> in which each chosen Linear child (default: every top-level Linear) is replaced by
    /// its rank-min(r, in, out) compression. Other children are shared with the original model, not copied.
    /// </summary>
    public static Sequential CompressLinearLayers(Sequential model, int rank, IReadOnlyCollection<int>? layers = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (rank < 1) throw new ArgumentException($"LowRank.CompressLinearLayers: rank must be positive; got {rank}.");
        var chosen = layers ?? [.. Enumerable.Range(0, model.Count).Where(i => model[i] is Linear)];
        foreach (var i in chosen)
        {
            if (i < 0 || i >= model.Count || model[i] is not Linear)
            {
                throw new ArgumentException($"LowRank.CompressLinearLayers: child {i} of the model is {(i >= 0 && i < model.Count ? model[i].Describe() : "out of range")}, not a Linear layer.");
            }
        }
        var result = new Sequential();
        for (var i = 0; i < model.Count; i++)
        {
            result.Append(model[i] is Linear linear && chosen.Contains(i)
                ? Compress(linear, Math.Min(rank, Math.Min(linear.InFeatures, linear.OutFeatures)))
                : model[i]);
        }
        return result;
    }

    /// <summary>
    /// Rank versus parameters versus accuracy: the original model first (Rank null), then one row per rank with every
    /// chosen Linear layer compressed. Accuracy = share of argmax(model(inputs)) equal to the class labels [N], evaluated in
    /// eval mode, without gradients, in batches.
    /// </summary>
    public static IReadOnlyList<RankSweepRow> RankSweep(Sequential model, Tensor inputs, Tensor labels, IEnumerable<int> ranks, IReadOnlyCollection<int>? layers = null, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(ranks);
        var rows = new List<RankSweepRow> { new(null, model.ParameterCount(), Accuracy(model, inputs, labels, batchSize)) };
        foreach (var rank in ranks)
        {
            var compressed = CompressLinearLayers(model, rank, layers);
            rows.Add(new RankSweepRow(rank, compressed.ParameterCount(), Accuracy(compressed, inputs, labels, batchSize)));
        }
        return rows;
    }

    /// <summary>The sweep as a plain-text table (rank, parameters, share of the original's parameters, accuracy).</summary>
    public static string FormatTable(IReadOnlyList<RankSweepRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var original = rows.FirstOrDefault(r => r.Rank is null)?.Parameters ?? rows.Max(r => r.Parameters);
        var text = new StringBuilder();
        text.AppendLine("rank      parameters  of original  accuracy");
        foreach (var row in rows)
        {
            var rank = row.Rank?.ToString(CultureInfo.InvariantCulture) ?? "original";
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{rank,-8}  {row.Parameters,10}  {100.0 * row.Parameters / original,10:F1}%  {100 * row.Accuracy,7:F2}%"));
        }
        return text.ToString();
    }

    /// <summary>Share of rows of <paramref name="inputs"/> whose argmax prediction equals the label; restores the model's train/eval mode.</summary>
    public static double Accuracy(Module model, Tensor inputs, Tensor labels, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(labels);
        var n = inputs.Rank == 0 ? 0 : inputs.Shape[0];
        if (n == 0 || labels.Rank != 1 || labels.Shape[0] != n)
        {
            throw new ArgumentException($"LowRank.Accuracy: expected inputs [N, ...] with N ≥ 1 and class labels [N]; got inputs {inputs.Shape} and labels {labels.Shape}.");
        }
        if (batchSize <= 0) throw new ArgumentException($"LowRank.Accuracy: batchSize must be positive; got {batchSize}.");
        var wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            using var _ = Autograd.NoGrad();
            var correct = 0.0;
            for (var start = 0; start < n; start += batchSize)
            {
                var size = Math.Min(batchSize, n - start);
                var predicted = model.Forward(inputs.Narrow(0, start, size)).ArgMax(-1);
                correct += predicted.Eq(labels.Narrow(0, start, size)).Sum().Item();
            }
            return correct / n;
        }
        finally
        {
            model.Train(wasTraining);
        }
    }
}
