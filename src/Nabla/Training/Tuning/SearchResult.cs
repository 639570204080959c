using System.Globalization;

namespace Nabla.Training.Tuning;

/// <summary>
/// What an objective reports for one configuration and budget: the score (e.g. validation accuracy), optional
/// logs to keep beside it, and the epochs actually trained when fewer than the budget ran (early stopping).
/// </summary>
public sealed record TrialResult(double Score, IReadOnlyDictionary<string, double>? Logs = null, int? Epochs = null);

/// <summary>One evaluation of a configuration: its score, the epochs it trained, the seconds it took, its logs and the round (successive halving) it ran in.</summary>
public sealed record Trial(int Id, Configuration Configuration, double Score, int Epochs, double Seconds, IReadOnlyDictionary<string, double> Logs, int Round);

/// <summary>
/// The outcome of a search: every evaluation in the order run, and the table of configurations (each at its last,
/// largest-budget evaluation) best first: furthest round reached, then score (NaN last), then order of first evaluation.
/// </summary>
public sealed class SearchResult
{
    internal SearchResult(IReadOnlyList<Trial> evaluations, bool maximize)
    {
        Evaluations = evaluations;
        Maximize = maximize;
        var first = new Dictionary<Configuration, int>();
        foreach (var t in evaluations) first.TryAdd(t.Configuration, t.Id);
        Trials = [.. evaluations.GroupBy(t => t.Configuration).Select(g => g.Last())
            .OrderByDescending(t => t.Round)
            .ThenBy(t => double.IsNaN(t.Score) ? 1 : 0)
            .ThenBy(t => double.IsNaN(t.Score) ? 0 : Maximize ? -t.Score : t.Score)
            .ThenBy(t => first[t.Configuration])];
    }

    /// <summary>True when a higher score is better.</summary>
    public bool Maximize { get; }

    /// <summary>Every evaluation, in the order they ran.</summary>
    public IReadOnlyList<Trial> Evaluations { get; }

    /// <summary>One row per configuration, best first.</summary>
    public IReadOnlyList<Trial> Trials { get; }

    public Trial Best => Trials.Count > 0 ? Trials[0] : throw new InvalidOperationException("SearchResult: the search evaluated no configuration.");

    public Configuration BestConfiguration => Best.Configuration;

    /// <summary>The table: rank, score, epochs, seconds, then one column per hyperparameter; the first <paramref name="top"/> rows when given.</summary>
    public string Format(int? top = null)
    {
        var names = Trials.SelectMany(t => t.Configuration.Keys).Distinct().ToList();
        List<string[]> rows = [["rank", "score", "epochs", "seconds", .. names]];
        foreach (var (t, i) in Trials.Take(top ?? Trials.Count).Select((t, i) => (t, i)))
        {
            rows.Add([
                (i + 1).ToString(CultureInfo.InvariantCulture), CrossValidationResult.Number(t.Score), t.Epochs.ToString(CultureInfo.InvariantCulture),
                t.Seconds.ToString("0.00", CultureInfo.InvariantCulture),
                .. names.Select(n => Cell(t.Configuration, n)),
            ]);
        }
        return CrossValidationResult.Table(rows);
    }

    private static string Cell(Configuration configuration, string name) =>
        configuration.TryGetValue(name, out var value) ? Configuration.Display(value) : "";
}
