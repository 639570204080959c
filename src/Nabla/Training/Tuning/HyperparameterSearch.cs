using System.Diagnostics;
using Nabla.Data;

namespace Nabla.Training.Tuning;

/// <summary>
/// A way to choose which configurations to evaluate and with how many epochs (<see cref="GridSearch"/>,
/// <see cref="RandomSearch"/>, <see cref="SuccessiveHalving"/>). Evaluations run one after another (the objective
/// itself may use every core), so a search is as deterministic as its objective.
/// </summary>
public abstract class HyperparameterSearch
{
    /// <summary>Evaluates one configuration with a budget of epochs in a round, records and returns the trial.</summary>
    private protected delegate Trial Evaluator(Configuration configuration, int epochs, int round);

    /// <summary>
    /// Runs the search with <paramref name="objective"/> (configuration, epochs) -> score; <paramref name="mode"/> says
    /// whether a higher score is better (Max, also for Auto) or a lower one (Min). Cancelling stops before the next
    /// evaluation and returns the ones done.
    /// </summary>
    public SearchResult Run(Func<Configuration, int, TrialResult> objective, MonitorMode mode = MonitorMode.Max, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        var maximize = mode != MonitorMode.Min;
        var evaluations = new List<Trial>();
        Trial Evaluate(Configuration configuration, int epochs, int round)
        {
            var clock = Stopwatch.StartNew();
            var result = objective(configuration, epochs) ?? throw new InvalidOperationException($"{GetType().Name}: the objective returned null for {configuration}.");
            var trial = new Trial(evaluations.Count, configuration, result.Score, result.Epochs ?? epochs, clock.Elapsed.TotalSeconds,
                result.Logs ?? new Dictionary<string, double>(), round);
            evaluations.Add(trial);
            return trial;
        }
        Search(Evaluate, maximize, cancellationToken);
        return new SearchResult(evaluations, maximize);
    }

    /// <summary>
    /// Runs the search training the trainers <paramref name="makeTrainer"/> builds on <paramref name="train"/> and scoring each by
    /// <paramref name="metric"/> on <paramref name="validation"/> (see <see cref="Objectives.Validation"/>); Auto mode maximizes
    /// accuracy-like keys and minimizes losses.
    /// </summary>
    public SearchResult Run(Func<Configuration, Trainer> makeTrainer, IDataset train, IDataset validation, string metric = "val_loss", int batchSize = 32,
        ulong seed = 0, MonitorMode mode = MonitorMode.Auto, Func<Configuration, IEnumerable<Callback>>? callbacks = null, CancellationToken cancellationToken = default) =>
        Run(Objectives.Validation(makeTrainer, train, validation, metric, batchSize, seed, mode, callbacks, cancellationToken),
            Monitor.Maximize(metric, mode) ? MonitorMode.Max : MonitorMode.Min, cancellationToken);

    /// <summary>Runs the search scoring each configuration by the mean of <paramref name="metric"/> over a cross-validation (see <see cref="Objectives.CrossValidated"/>).</summary>
    public SearchResult RunCrossValidated(Func<Configuration, Trainer> makeTrainer, IDataset data, int folds, string metric = "val_loss", int batchSize = 32,
        ulong seed = 0, bool stratified = false, FoldPreparation? prepare = null, MonitorMode mode = MonitorMode.Auto, CancellationToken cancellationToken = default) =>
        Run(Objectives.CrossValidated(makeTrainer, data, folds, metric, batchSize, seed, stratified, prepare, mode, cancellationToken),
            Monitor.Maximize(metric, mode) ? MonitorMode.Max : MonitorMode.Min, cancellationToken);

    /// <summary>Evaluates configurations through <paramref name="evaluate"/> until done or cancelled.</summary>
    private protected abstract void Search(Evaluator evaluate, bool maximize, CancellationToken cancellationToken);

    /// <summary>Best first: higher (or lower) score, NaN last, ties in evaluation order.</summary>
    private protected static IEnumerable<Trial> Ranked(IEnumerable<Trial> trials, bool maximize) => trials
        .OrderBy(t => double.IsNaN(t.Score) ? 1 : 0)
        .ThenBy(t => double.IsNaN(t.Score) ? 0 : maximize ? -t.Score : t.Score)
        .ThenBy(t => t.Id);

    private protected static void CheckEpochs(int epochs, string who)
    {
        if (epochs <= 0) throw new ArgumentException($"{who}: epochs must be positive; got {epochs}.");
    }
}

/// <summary>Tries every point of the space's grid (the cartesian product of the choices and the grids given for ranges), each for the same epochs.</summary>
public sealed class GridSearch : HyperparameterSearch
{
    public GridSearch(SearchSpace space, int epochs = 10)
    {
        ArgumentNullException.ThrowIfNull(space);
        CheckEpochs(epochs, nameof(GridSearch));
        (Space, Epochs) = (space, epochs);
        _ = space.GridSize; // fails now, naming any range without a grid
    }

    public SearchSpace Space { get; }
    public int Epochs { get; }

    /// <summary>The configurations in the order they are tried.</summary>
    public IEnumerable<Configuration> Candidates() => Space.Grid();

    private protected override void Search(Evaluator evaluate, bool maximize, CancellationToken cancellationToken)
    {
        foreach (var configuration in Candidates())
        {
            if (cancellationToken.IsCancellationRequested) return;
            evaluate(configuration, Epochs, 0);
        }
    }
}

/// <summary>Tries <c>trials</c> configurations drawn at random from the space (reproducibly from the seed), each for the same epochs.</summary>
public sealed class RandomSearch : HyperparameterSearch
{
    public RandomSearch(SearchSpace space, int trials, int epochs = 10, ulong seed = 0)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (trials <= 0) throw new ArgumentException($"RandomSearch: trials must be positive; got {trials}.");
        CheckEpochs(epochs, nameof(RandomSearch));
        (Space, TrialCount, Epochs, Seed) = (space, trials, epochs, seed);
    }

    public SearchSpace Space { get; }
    public int TrialCount { get; }
    public int Epochs { get; }
    public ulong Seed { get; }

    /// <summary>The configurations in the order they are tried (the same for the same seed).</summary>
    public IReadOnlyList<Configuration> Candidates()
    {
        var generator = new Generator(Seed);
        return [.. Enumerable.Range(0, TrialCount).Select(_ => Space.Sample(generator))];
    }

    private protected override void Search(Evaluator evaluate, bool maximize, CancellationToken cancellationToken)
    {
        foreach (var configuration in Candidates())
        {
            if (cancellationToken.IsCancellationRequested) return;
            evaluate(configuration, Epochs, 0);
        }
    }
}

/// <summary>
/// Successive halving (Jamieson and Talwalkar, 2016): evaluate many configurations with a small budget, keep the best
/// 1/eta of them (at least one; they go on best first), multiply the budget by eta, and repeat until one configuration is left (it gets the
/// largest budget) or the next budget would exceed <c>maxEpochs</c>. With 27 configurations, minEpochs 1 and eta 3:
/// 27 × 1 epoch, 9 × 3, 3 × 9, 1 × 27. Every evaluation trains from scratch with its budget.
/// </summary>
public sealed class SuccessiveHalving : HyperparameterSearch
{
    private readonly IReadOnlyList<Configuration> _candidates;

    /// <summary>Starts from <paramref name="configurations"/> configurations drawn at random from <paramref name="space"/>.</summary>
    public SuccessiveHalving(SearchSpace space, int configurations, int minEpochs = 1, int eta = 3, int? maxEpochs = null, ulong seed = 0)
        : this(Draw(space, configurations, seed), minEpochs, eta, maxEpochs) { }

    /// <summary>Starts from the given configurations.</summary>
    public SuccessiveHalving(IEnumerable<Configuration> candidates, int minEpochs = 1, int eta = 3, int? maxEpochs = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        _candidates = [.. candidates];
        if (_candidates.Count == 0) throw new ArgumentException("SuccessiveHalving: needs at least one configuration.");
        CheckEpochs(minEpochs, nameof(SuccessiveHalving));
        if (eta < 2) throw new ArgumentException($"SuccessiveHalving: eta must be >= 2; got {eta}.");
        if (maxEpochs < minEpochs) throw new ArgumentException($"SuccessiveHalving: maxEpochs ({maxEpochs}) must be >= minEpochs ({minEpochs}).");
        (MinEpochs, Eta, MaxEpochs) = (minEpochs, eta, maxEpochs);
    }

    public int MinEpochs { get; }
    public int Eta { get; }
    public int? MaxEpochs { get; }

    /// <summary>The configurations of the first round.</summary>
    public IReadOnlyList<Configuration> Candidates() => _candidates;

    private static List<Configuration> Draw(SearchSpace space, int count, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        if (count <= 0) throw new ArgumentException($"SuccessiveHalving: configurations must be positive; got {count}.");
        var generator = new Generator(seed);
        return [.. Enumerable.Range(0, count).Select(_ => space.Sample(generator))];
    }

    private protected override void Search(Evaluator evaluate, bool maximize, CancellationToken cancellationToken)
    {
        var survivors = _candidates;
        var budget = (long)MinEpochs;
        for (var round = 0; ; round++)
        {
            var trials = new List<Trial>();
            foreach (var configuration in survivors)
            {
                if (cancellationToken.IsCancellationRequested) return;
                trials.Add(evaluate(configuration, (int)budget, round));
            }
            if (survivors.Count == 1 || budget * Eta > (MaxEpochs ?? int.MaxValue)) return;
            survivors = [.. Ranked(trials, maximize).Take(Math.Max(1, survivors.Count / Eta)).Select(t => t.Configuration)];
            budget *= Eta;
        }
    }
}
