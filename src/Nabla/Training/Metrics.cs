using System.Globalization;

namespace Nabla.Training;

/// <summary>
/// A quality measure accumulated over the batches of an epoch: <see cref="Reset"/>, then <see cref="Update"/>
/// per batch with predictions and targets, then <see cref="Result"/>. Values are copied out of the tensors,
/// so a metric never holds on to a batch.
/// </summary>
public abstract class Metric
{
    /// <summary>Log key, e.g. "accuracy" (validation logs prefix it with "val_").</summary>
    public abstract string Name { get; }

    /// <summary>True when larger is better (for EarlyStopping and checkpoints in "auto" mode).</summary>
    public virtual bool HigherIsBetter => true;

    public abstract void Reset();

    /// <summary>The accumulated counts or sums, so a checkpoint taken mid-epoch resumes the epoch's figures exactly.</summary>
    public abstract double[] GetState();

    /// <summary>Restores what <see cref="GetState"/> returned.</summary>
    public abstract void SetState(double[] state);

    private protected static double[] Expect(double[] state, int length, string metric) =>
        state.Length == length ? state : throw new ArgumentException($"{metric}: a saved state has {length} numbers; got {state.Length}.");

    public abstract void Update(Tensor prediction, Tensor target);

    public abstract double Result();

    /// <summary>A metric by name: accuracy, top5_accuracy (any k), precision, recall, f1, mae, rmse, r2.</summary>
    public static Metric Create(string name) => name.ToLowerInvariant() switch
    {
        "accuracy" or "acc" => new Accuracy(),
        "precision" => new Precision(),
        "recall" => new Recall(),
        "f1" => new F1Score(),
        "mae" => new MeanAbsoluteError(),
        "rmse" => new RootMeanSquaredError(),
        "r2" => new RSquared(),
        var s when s.StartsWith("top", StringComparison.Ordinal) && s.EndsWith("_accuracy", StringComparison.Ordinal)
            && int.TryParse(s[3..^9], NumberStyles.None, CultureInfo.InvariantCulture, out var k) => new TopKAccuracy(k),
        _ => throw new ArgumentException($"Unknown metric '{name}'; expected one of: {string.Join(", ", Names)}."),
    };

    public static IReadOnlyList<string> Names { get; } = ["accuracy", "top5_accuracy", "precision", "recall", "f1", "mae", "rmse", "r2"];
}

/// <summary>What one score per example ([N] or [N, 1] predictions) means for binary classification.</summary>
public enum BinaryScores
{
    /// <summary>Probabilities when every score of the batch lies in [0, 1], logits otherwise. NOTE: a batch of logits that all happen to lie in [0, 1] is misread; name the kind when you know it.</summary>
    Auto,

    /// <summary>Probabilities of class 1, thresholded at 0.5.</summary>
    Probabilities,

    /// <summary>Logits of class 1, thresholded at 0.</summary>
    Logits,
}

/// <summary>Shared reading of classification outputs: class scores [N, C] (or one logit/probability [N] or [N, 1] for binary) and labels [N] or one-hot [N, C].</summary>
internal static class Classes
{
    public static (int[] Predicted, int[] Actual, int Count) Read(Tensor prediction, Tensor target, string metric, BinaryScores binaryScores = BinaryScores.Auto)
    {
        var n = prediction.Rank == 0 ? 0 : prediction.Shape[0];
        if (target.Rank == 0 || target.Shape[0] != n)
        {
            throw new ArgumentException($"{metric}: predictions {prediction.Shape} and targets {target.Shape} need the same number of examples.");
        }
        int[] predicted;
        int classes;
        if (prediction.Rank == 1 || (prediction.Rank == 2 && prediction.Shape[1] == 1))
        {
            // One score per example: a logit (threshold 0) or a probability (threshold 0.5) of class 1.
            var p = prediction.Reshape(-1).ToArray();
            var probabilities = binaryScores == BinaryScores.Probabilities || (binaryScores == BinaryScores.Auto && p.All(v => v is >= 0f and <= 1f));
            predicted = [.. p.Select(v => (probabilities ? v >= 0.5f : v >= 0f) ? 1 : 0)];
            classes = 2;
        }
        else if (prediction.Rank == 2)
        {
            predicted = [.. prediction.ArgMax(1).ToArray().Select(v => (int)v)];
            classes = prediction.Shape[1];
        }
        else
        {
            throw new ArgumentException($"{metric}: predictions must be [N, C] class scores or [N] binary scores; got {prediction.Shape}.");
        }
        var actual = target.Rank == 2 && target.Shape[1] == classes && classes > 1
            ? [.. target.ArgMax(1).ToArray().Select(v => (int)v)]
            : target.Reshape(-1).ToArray().Select(v => (int)v).ToArray();
        if (actual.Length != n) throw new ArgumentException($"{metric}: targets {target.Shape} do not hold one label per example.");
        return (predicted, actual, classes);
    }

    /// <summary>Labels [N] (or [N, 1]) or one-hot rows [N, C] as class indices, each checked to be in [0, C).</summary>
    public static int[] Labels(Tensor target, int n, int classes, string metric)
    {
        var labels = target.Rank == 2 && target.Shape[1] == classes && classes > 1
            ? [.. target.ArgMax(1).ToArray().Select(v => (int)v)]
            : target.Reshape(-1).ToArray().Select(v => (int)v).ToArray();
        if (labels.Length != n) throw new ArgumentException($"{metric}: targets {target.Shape} do not hold one label per example for {n} predictions.");
        if (labels.Any(l => l < 0 || l >= classes)) throw new ArgumentException($"{metric}: class labels must be in [0, {classes}); got {labels.First(l => l < 0 || l >= classes)}.");
        return labels;
    }
}

/// <summary>Fraction of examples whose highest-scoring class is the target class.</summary>
public sealed class Accuracy(BinaryScores binaryScores = BinaryScores.Auto) : Metric
{
    private long _correct, _total;

    public override string Name => "accuracy";
    public override void Reset() => (_correct, _total) = (0, 0);
    public override double[] GetState() => [_correct, _total];
    public override void SetState(double[] state) => (_correct, _total) = ((long)Expect(state, 2, Name)[0], (long)state[1]);

    public override void Update(Tensor prediction, Tensor target)
    {
        var (p, a, _) = Classes.Read(prediction, target, Name, binaryScores);
        for (var i = 0; i < p.Length; i++) _correct += p[i] == a[i] ? 1 : 0;
        _total += p.Length;
    }

    public override double Result() => _total == 0 ? double.NaN : (double)_correct / _total;
}

/// <summary>Fraction of examples whose target is among the k highest-scoring classes.</summary>
public sealed class TopKAccuracy : Metric
{
    private long _hits, _total;

    public TopKAccuracy(int k)
    {
        if (k <= 0) throw new ArgumentException($"TopKAccuracy: k must be positive; got {k}.");
        K = k;
    }

    public int K { get; }
    public override string Name => $"top{K}_accuracy";
    public override void Reset() => (_hits, _total) = (0, 0);
    public override double[] GetState() => [_hits, _total];
    public override void SetState(double[] state) => (_hits, _total) = ((long)Expect(state, 2, Name)[0], (long)state[1]);

    public override void Update(Tensor prediction, Tensor target)
    {
        if (prediction.Rank != 2) throw new ArgumentException($"{Name}: predictions must be [N, C]; got {prediction.Shape}.");
        int n = prediction.Shape[0], c = prediction.Shape[1];
        var scores = prediction.ToArray();
        var labels = Classes.Labels(target, n, c, Name);
        for (var i = 0; i < n; i++)
        {
            var label = labels[i];
            var own = scores[i * c + label];
            var better = 0;
            for (var j = 0; j < c; j++)
            {
                if (scores[i * c + j] > own || (scores[i * c + j] == own && j < label)) better++;
            }
            if (better < K) _hits++;
        }
        _total += n;
    }

    public override double Result() => _total == 0 ? double.NaN : (double)_hits / _total;
}

/// <summary>Counts of (actual, predicted) class pairs; rows are actual classes.</summary>
public sealed class ConfusionMatrix(BinaryScores binaryScores = BinaryScores.Auto) : Metric
{
    private long[,] _counts = new long[0, 0];

    public override string Name => "confusion_matrix";
    public override void Reset() => _counts = new long[0, 0];

    /// <summary>[k, counts row by row].</summary>
    public override double[] GetState() => [_counts.GetLength(0), .. _counts.Cast<long>().Select(c => (double)c)];

    public override void SetState(double[] state)
    {
        var k = state.Length == 0 ? -1 : (int)state[0];
        if (k < 0 || state.Length != 1 + k * k) throw new ArgumentException($"{Name}: a saved state holds k and k² counts; got {state.Length} numbers.");
        _counts = new long[k, k];
        for (var i = 0; i < k * k; i++) _counts[i / k, i % k] = (long)state[1 + i];
    }

    public override void Update(Tensor prediction, Tensor target)
    {
        var (p, a, classes) = Classes.Read(prediction, target, Name, binaryScores);
        if (a.Any(label => label < 0)) throw new ArgumentException($"{Name}: class labels must be >= 0; got {a.Min()}.");
        var size = Math.Max(classes, Math.Max(p.DefaultIfEmpty(0).Max(), a.DefaultIfEmpty(0).Max()) + 1);
        Grow(size);
        for (var i = 0; i < p.Length; i++) _counts[a[i], p[i]]++;
    }

    private void Grow(int size)
    {
        if (_counts.GetLength(0) >= size) return;
        var bigger = new long[size, size];
        for (var i = 0; i < _counts.GetLength(0); i++)
        for (var j = 0; j < _counts.GetLength(1); j++) bigger[i, j] = _counts[i, j];
        _counts = bigger;
    }

    /// <summary>counts[actual, predicted].</summary>
    public long[,] Counts => (long[,])_counts.Clone();

    /// <summary>The accuracy read off the diagonal.</summary>
    public override double Result()
    {
        long diagonal = 0, total = 0;
        for (var i = 0; i < _counts.GetLength(0); i++)
        for (var j = 0; j < _counts.GetLength(1); j++)
        {
            total += _counts[i, j];
            if (i == j) diagonal += _counts[i, j];
        }
        return total == 0 ? double.NaN : (double)diagonal / total;
    }

    /// <summary>Per-class precision TP/(TP+FP), recall TP/(TP+FN) and F1 (their harmonic mean); 0 where undefined.</summary>
    public (double[] Precision, double[] Recall, double[] F1) PerClass()
    {
        var k = _counts.GetLength(0);
        var precision = new double[k];
        var recall = new double[k];
        var f1 = new double[k];
        for (var c = 0; c < k; c++)
        {
            long tp = _counts[c, c], predicted = 0, actual = 0;
            for (var i = 0; i < k; i++)
            {
                predicted += _counts[i, c];
                actual += _counts[c, i];
            }
            precision[c] = predicted == 0 ? 0 : (double)tp / predicted;
            recall[c] = actual == 0 ? 0 : (double)tp / actual;
            f1[c] = precision[c] + recall[c] == 0 ? 0 : 2 * precision[c] * recall[c] / (precision[c] + recall[c]);
        }
        return (precision, recall, f1);
    }

    /// <summary>A plain-text table: one row per actual class, one column per predicted class.</summary>
    public string Format(IReadOnlyList<string>? classNames = null)
    {
        var k = _counts.GetLength(0);
        string Label(int c) => classNames is not null && c < classNames.Count ? classNames[c] : c.ToString(CultureInfo.InvariantCulture);
        var width = Math.Max(6, Enumerable.Range(0, k).Select(c => Math.Max(Label(c).Length, _counts.Cast<long>().DefaultIfEmpty(0).Max().ToString(CultureInfo.InvariantCulture).Length)).DefaultIfEmpty(1).Max() + 1);
        var lines = new List<string> { "actual \\ predicted".PadRight(20) + string.Concat(Enumerable.Range(0, k).Select(c => Label(c).PadLeft(width))) };
        for (var i = 0; i < k; i++)
        {
            lines.Add(Label(i).PadRight(20) + string.Concat(Enumerable.Range(0, k).Select(j => _counts[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(width))));
        }
        return string.Join(Environment.NewLine, lines);
    }
}

/// <summary>
/// Base of the macro-averaged precision, recall and F1: the unweighted mean over the classes that occur among the
/// targets or the predictions (a class the model can output but that never appears would only add a meaningless 0).
/// </summary>
public abstract class MacroMetric(BinaryScores binaryScores = BinaryScores.Auto) : Metric
{
    private readonly ConfusionMatrix _matrix = new(binaryScores);

    public override void Reset() => _matrix.Reset();
    public override double[] GetState() => _matrix.GetState();
    public override void SetState(double[] state) => _matrix.SetState(state);
    public override void Update(Tensor prediction, Tensor target) => _matrix.Update(prediction, target);

    /// <summary>The per-class values behind the macro average.</summary>
    public double[] PerClass() => Select(_matrix.PerClass());

    public override double Result()
    {
        var values = PerClass();
        var counts = _matrix.Counts;
        var present = Enumerable.Range(0, values.Length)
            .Where(c => Enumerable.Range(0, values.Length).Any(i => counts[c, i] != 0 || counts[i, c] != 0)).ToList();
        return present.Count == 0 ? double.NaN : present.Average(c => values[c]);
    }

    private protected abstract double[] Select((double[] Precision, double[] Recall, double[] F1) perClass);
}

public sealed class Precision(BinaryScores binaryScores = BinaryScores.Auto) : MacroMetric(binaryScores)
{
    public override string Name => "precision";
    private protected override double[] Select((double[] Precision, double[] Recall, double[] F1) m) => m.Precision;
}

public sealed class Recall(BinaryScores binaryScores = BinaryScores.Auto) : MacroMetric(binaryScores)
{
    public override string Name => "recall";
    private protected override double[] Select((double[] Precision, double[] Recall, double[] F1) m) => m.Recall;
}

public sealed class F1Score(BinaryScores binaryScores = BinaryScores.Auto) : MacroMetric(binaryScores)
{
    public override string Name => "f1";
    private protected override double[] Select((double[] Precision, double[] Recall, double[] F1) m) => m.F1;
}

/// <summary>Regression metrics accumulate sums in double over every predicted value.</summary>
public abstract class RegressionMetric : Metric
{
    private protected double SumAbs, SumSquares, SumTarget, SumTargetSquares;
    private protected long Count;

    public override void Reset() => (SumAbs, SumSquares, SumTarget, SumTargetSquares, Count) = (0, 0, 0, 0, 0);
    public override double[] GetState() => [SumAbs, SumSquares, SumTarget, SumTargetSquares, Count];

    public override void SetState(double[] state)
    {
        Expect(state, 5, Name);
        (SumAbs, SumSquares, SumTarget, SumTargetSquares, Count) = (state[0], state[1], state[2], state[3], (long)state[4]);
    }

    public override void Update(Tensor prediction, Tensor target)
    {
        if (prediction.Count != target.Count)
        {
            throw new ArgumentException($"{Name}: predictions {prediction.Shape} and targets {target.Shape} must hold the same number of values.");
        }
        var p = prediction.ToArray();
        var t = target.ToArray();
        for (var i = 0; i < p.Length; i++)
        {
            double e = p[i] - t[i];
            SumAbs += Math.Abs(e);
            SumSquares += e * e;
            SumTarget += t[i];
            SumTargetSquares += (double)t[i] * t[i];
        }
        Count += p.Length;
    }
}

public sealed class MeanAbsoluteError : RegressionMetric
{
    public override string Name => "mae";
    public override bool HigherIsBetter => false;
    public override double Result() => Count == 0 ? double.NaN : SumAbs / Count;
}

public sealed class RootMeanSquaredError : RegressionMetric
{
    public override string Name => "rmse";
    public override bool HigherIsBetter => false;
    public override double Result() => Count == 0 ? double.NaN : Math.Sqrt(SumSquares / Count);
}

/// <summary>Coefficient of determination R² = 1 - SS_res / SS_tot.</summary>
public sealed class RSquared : RegressionMetric
{
    public override string Name => "r2";

    public override double Result()
    {
        if (Count == 0) return double.NaN;
        var mean = SumTarget / Count;
        var total = SumTargetSquares - Count * mean * mean;
        return total == 0 ? double.NaN : 1 - SumSquares / total;
    }
}
