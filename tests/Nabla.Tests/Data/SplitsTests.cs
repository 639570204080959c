using Nabla.Data;

namespace Nabla.Tests.Data;

public class SplitsTests
{
    [Fact]
    public void A_random_split_partitions_the_indices()
    {
        var (train, test) = Splits.Random(100, 0.2, seed: 1);
        Assert.Equal(80, train.Length);
        Assert.Equal(20, test.Length);
        Assert.Equal(Enumerable.Range(0, 100), train.Concat(test).Order());
        Assert.Equal(test, Splits.Random(100, 0.2, seed: 1).Test);
        Assert.NotEqual(test, Splits.Random(100, 0.2, seed: 2).Test);
    }

    [Fact]
    public void A_stratified_split_keeps_each_class_share()
    {
        var labels = Enumerable.Range(0, 100).Select(i => i < 70 ? 0 : i < 90 ? 1 : 2).ToArray(); // 70/20/10
        var (train, test) = Splits.Stratified(labels, 0.3, seed: 5);
        Assert.Equal(Enumerable.Range(0, 100), train.Concat(test).Order());
        Assert.Equal([21, 6, 3], Enumerable.Range(0, 3).Select(c => test.Count(i => labels[i] == c)).ToArray());
    }

    [Theory]
    [InlineData(10, 3)]
    [InlineData(12, 4)]
    [InlineData(7, 7)]
    public void K_fold_validation_parts_are_disjoint_cover_everything_and_differ_in_size_by_at_most_one(int n, int k)
    {
        var folds = Splits.KFold(n, k, seed: 3);
        Assert.Equal(k, folds.Count);
        Assert.Equal(Enumerable.Range(0, n), folds.SelectMany(f => f.Validation).Order());
        foreach (var (train, validation) in folds)
        {
            Assert.Empty(train.Intersect(validation));
            Assert.Equal(n, train.Length + validation.Length);
        }
        var sizes = folds.Select(f => f.Validation.Length).ToArray();
        Assert.True(sizes.Max() - sizes.Min() <= 1);
    }

    [Fact]
    public void Stratified_k_fold_spreads_every_class_evenly()
    {
        var labels = Enumerable.Range(0, 30).Select(i => i % 3 == 0 ? 1 : 0).ToArray(); // 10 of class 1, 20 of class 0
        var folds = Splits.StratifiedKFold(labels, 5, seed: 2);
        Assert.All(folds, f =>
        {
            Assert.Equal(2, f.Validation.Count(i => labels[i] == 1));
            Assert.Equal(4, f.Validation.Count(i => labels[i] == 0));
        });
        Assert.Equal(Enumerable.Range(0, 30), folds.SelectMany(f => f.Validation).Order());
        Assert.Contains("2 <= k", Assert.Throws<ArgumentException>(() => Splits.KFold(3, 4)).Message);
    }
}
