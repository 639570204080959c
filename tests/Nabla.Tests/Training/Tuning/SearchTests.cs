using Nabla.Training;
using Nabla.Training.Tuning;

namespace Nabla.Tests.Training.Tuning;

/// <summary>Searches driven by fake objectives whose score is a known function of the configuration and the budget.</summary>
public class SearchTests
{
    [Fact]
    public void Grid_search_evaluates_every_point_once_and_sorts_best_first()
    {
        var space = new SearchSpace().IntRange("a", 1, 3).Uniform("b", 0, 1, grid: [0, 0.5, 1]);
        var calls = new List<(Configuration Config, int Epochs)>();
        // Highest at a = 2, b = 0.5.
        var result = new GridSearch(space, epochs: 4).Run((c, e) =>
        {
            calls.Add((c, e));
            return new TrialResult(-Math.Abs(c.GetInt("a") - 2) - Math.Abs(c.GetDouble("b") - 0.5));
        });
        Assert.Equal(space.Grid(), calls.Select(c => c.Config));
        Assert.All(calls, c => Assert.Equal(4, c.Epochs));
        Assert.Equal(9, result.Trials.Count);
        Assert.Equal(Configuration.Of(("a", 2), ("b", 0.5)), result.BestConfiguration);
        Assert.Equal(result.Trials.Select(t => t.Score).OrderDescending(), result.Trials.Select(t => t.Score));
        // Ties (score −0.5 for four configurations) keep the order they were evaluated in.
        var tied = result.Trials.Where(t => t.Score == -0.5).Select(t => t.Id).ToList();
        Assert.Equal(tied.Order(), tied);
    }

    [Fact]
    public void Random_search_evaluates_its_candidates_and_can_minimize_with_NaN_last()
    {
        var space = new SearchSpace().LogUniform("lr", 1e-4, 1);
        var search = new RandomSearch(space, trials: 8, epochs: 2, seed: 4);
        var seen = new List<Configuration>();
        // Loss |log10 lr + 2|, best near lr = 0.01; above 0.3 the "training" diverges.
        var result = search.Run((c, _) =>
        {
            seen.Add(c);
            var lr = c.GetDouble("lr");
            return new TrialResult(lr > 0.3 ? double.NaN : Math.Abs(Math.Log10(lr) + 2));
        }, MonitorMode.Min);
        Assert.Equal(search.Candidates(), seen);
        Assert.False(result.Maximize);
        var scores = result.Trials.Select(t => t.Score).ToList();
        var finite = scores.Where(double.IsFinite).ToList();
        Assert.Equal(finite.Order(), finite);
        Assert.Equal(finite.Count, scores.FindLastIndex(double.IsFinite) + 1);
        Assert.Equal(seen.MinBy(c => Math.Abs(Math.Log10(c.GetDouble("lr")) + 2) + (c.GetDouble("lr") > 0.3 ? 1e9 : 0)), result.BestConfiguration);
    }

    [Fact]
    public void Successive_halving_keeps_the_best_third_and_triples_the_budget_worked_example()
    {
        // Nine configurations x = 1..9. Score x at budget 1, 10 − x at budget 3, x at budget 9.
        // Round 0 (1 epoch) keeps 9, 8, 7 (survivors go on best first); round 1 (3 epochs) scores them 1, 2, 3 and keeps 7;
        // round 2 trains 7 for 9 epochs.
        var candidates = Enumerable.Range(1, 9).Select(x => Configuration.Of(("x", x))).ToList();
        var result = new SuccessiveHalving(candidates, minEpochs: 1, eta: 3).Run((c, epochs) =>
        {
            var x = c.GetInt("x");
            return new TrialResult(epochs == 3 ? 10 - x : x);
        });
        Assert.Equal([(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1), (7, 1), (8, 1), (9, 1), (9, 3), (8, 3), (7, 3), (7, 9)],
            result.Evaluations.Select(t => (t.Configuration.GetInt("x"), t.Epochs)));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2], result.Evaluations.Select(t => t.Round));
        Assert.Equal(7, result.BestConfiguration.GetInt("x"));
        Assert.Equal(9, result.Best.Epochs);
        // The table: furthest round first, then score.
        Assert.Equal([7, 8, 9, 6, 5, 4, 3, 2, 1], result.Trials.Select(t => t.Configuration.GetInt("x")));
    }

    [Theory]
    [InlineData(27, 1, 3, null, new[] { 27, 9, 3, 1 }, new[] { 1, 3, 9, 27 })]
    [InlineData(27, 1, 3, 3, new[] { 27, 9 }, new[] { 1, 3 })]
    [InlineData(10, 2, 3, null, new[] { 10, 3, 1 }, new[] { 2, 6, 18 })]
    [InlineData(8, 1, 2, null, new[] { 8, 4, 2, 1 }, new[] { 1, 2, 4, 8 })]
    [InlineData(1, 5, 3, null, new[] { 1 }, new[] { 5 })]
    public void Successive_halving_matches_a_reference_run(int configurations, int minEpochs, int eta, int? maxEpochs, int[] counts, int[] budgets)
    {
        var space = new SearchSpace().Uniform("x", 0, 1);
        static double Score(Configuration c, int epochs) => Math.Sin(7 * c.GetDouble("x") + epochs);
        var search = new SuccessiveHalving(space, configurations, minEpochs, eta, maxEpochs, seed: 3);
        var result = search.Run((c, e) => new TrialResult(Score(c, e)));

        // Reference: rank each round's survivors by score at that round's budget and keep ⌊n / eta⌋ (at least one).
        var survivors = search.Candidates().ToList();
        var expected = new List<(Configuration, int)>();
        for (var round = 0; round < counts.Length; round++)
        {
            Assert.Equal(counts[round], survivors.Count);
            expected.AddRange(survivors.Select(c => (c, budgets[round])));
            var budget = budgets[round];
            survivors = [.. survivors.OrderByDescending(c => Score(c, budget)).Take(Math.Max(1, survivors.Count / eta))];
        }
        Assert.Equal(expected, result.Evaluations.Select(t => (t.Configuration, t.Epochs)));
        Assert.Equal(counts.Length - 1, result.Best.Round);
    }

    [Fact]
    public void Cancelling_stops_before_the_next_evaluation()
    {
        using var source = new CancellationTokenSource();
        var space = new SearchSpace().IntRange("a", 1, 10);
        var result = new GridSearch(space, epochs: 1).Run((c, _) =>
        {
            if (c.GetInt("a") == 3) source.Cancel();
            return new TrialResult(c.GetInt("a"));
        }, cancellationToken: source.Token);
        Assert.Equal(3, result.Evaluations.Count);
        Assert.Equal(3, result.BestConfiguration.GetInt("a"));
    }

    [Fact]
    public void The_table_lists_rank_score_epochs_seconds_and_each_hyperparameter()
    {
        var space = new SearchSpace().Choice("activation", "relu", "tanh").LogUniform("lr", 1e-3, 1, grid: [0.001, 0.1]);
        var result = new GridSearch(space, epochs: 5).Run((c, _) => new TrialResult(c.GetDouble("lr") + (c.GetString("activation") == "tanh" ? 1 : 0)));
        var lines = result.Format().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.Equal(["rank", "score", "epochs", "seconds", "activation", "lr"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var best = lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["1", "1.1000", "5"], best[..3]);
        Assert.Equal(["tanh", "0.1"], best[4..]);
        Assert.Equal(3, result.Format(top: 2).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
