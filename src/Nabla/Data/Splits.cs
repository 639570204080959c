namespace Nabla.Data;

/// <summary>Ways to divide example indices into training, validation and test parts, reproducibly from a seed.</summary>
public static class Splits
{
    /// <summary>A random permutation of 0..count-1.</summary>
    public static int[] Permutation(int count, ulong seed)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++) order[i] = i;
        var g = new Generator(seed);
        for (var i = count - 1; i > 0; i--)
        {
            var j = (int)g.NextInt64(0, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Shuffles 0..count-1 and cuts off the last <paramref name="testFraction"/> (rounded) as the second part.</summary>
    public static (int[] Train, int[] Test) Random(int count, double testFraction, ulong seed = 0)
    {
        CheckFraction(testFraction);
        var order = Permutation(count, seed);
        var test = (int)Math.Round(count * testFraction);
        return (order[..(count - test)], order[(count - test)..]);
    }

    /// <summary>Like <see cref="Random"/>, but each class keeps (as nearly as rounding allows) its share in both parts.</summary>
    public static (int[] Train, int[] Test) Stratified(IReadOnlyList<int> labels, double testFraction, ulong seed = 0)
    {
        CheckFraction(testFraction);
        var train = new List<int>();
        var test = new List<int>();
        foreach (var members in ByClass(labels, seed))
        {
            var cut = (int)Math.Round(members.Count * testFraction);
            test.AddRange(members.Take(cut));
            train.AddRange(members.Skip(cut));
        }
        return (Shuffled(train, seed + 1), Shuffled(test, seed + 2));
    }

    /// <summary>k folds: fold i validates on the i-th of k near-equal parts of a shuffled order and trains on the rest.</summary>
    public static IReadOnlyList<(int[] Train, int[] Validation)> KFold(int count, int k, ulong seed = 0, bool shuffle = true)
    {
        CheckFolds(count, k);
        var order = shuffle ? Permutation(count, seed) : Enumerable.Range(0, count).ToArray();
        var parts = new List<int>[k];
        for (var f = 0; f < k; f++) parts[f] = [];
        // Sizes differ by at most one: the first count % k folds get one more.
        var start = 0;
        for (var f = 0; f < k; f++)
        {
            var size = count / k + (f < count % k ? 1 : 0);
            parts[f].AddRange(order.AsSpan(start, size).ToArray());
            start += size;
        }
        return Folds(parts);
    }

    /// <summary>k folds in which every class is spread evenly (members of each class dealt round-robin to the folds).</summary>
    public static IReadOnlyList<(int[] Train, int[] Validation)> StratifiedKFold(IReadOnlyList<int> labels, int k, ulong seed = 0)
    {
        CheckFolds(labels.Count, k);
        var parts = new List<int>[k];
        for (var f = 0; f < k; f++) parts[f] = [];
        var next = 0;
        foreach (var members in ByClass(labels, seed))
        {
            foreach (var index in members)
            {
                parts[next].Add(index);
                next = (next + 1) % k;
            }
        }
        return Folds(parts);
    }

    private static List<(int[] Train, int[] Validation)> Folds(List<int>[] parts)
    {
        var folds = new List<(int[], int[])>(parts.Length);
        for (var f = 0; f < parts.Length; f++)
        {
            var train = parts.Where((_, i) => i != f).SelectMany(p => p).Order().ToArray();
            folds.Add((train, parts[f].Order().ToArray()));
        }
        return folds;
    }

    /// <summary>The indices of each class (in class order), each list shuffled.</summary>
    private static IEnumerable<List<int>> ByClass(IReadOnlyList<int> labels, ulong seed)
    {
        var order = Permutation(labels.Count, seed);
        return order.GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.ToList());
    }

    private static int[] Shuffled(List<int> items, ulong seed)
    {
        var order = Permutation(items.Count, seed);
        return [.. order.Select(i => items[i])];
    }

    private static void CheckFraction(double fraction)
    {
        if (!(fraction >= 0 && fraction <= 1)) throw new ArgumentException($"Splits: the fraction must be in [0, 1]; got {fraction}.");
    }

    private static void CheckFolds(int count, int k)
    {
        if (k < 2 || k > count) throw new ArgumentException($"Splits: k-fold needs 2 <= k <= number of examples ({count}); got k = {k}.");
    }
}
