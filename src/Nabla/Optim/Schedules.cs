using System.Globalization;

namespace Nabla.Optim;

/// <summary>
/// The learning-rate schedules by name, for discovery (<c>nabla list schedules</c>) and for model specs, where
/// options arrive as text: <c>Schedules.Create("cosine", optimizer, new Dictionary&lt;string, string&gt; { ["tMax"] = "100" })</c>.
/// Option keys are the constructor's parameter names in camel case or PyTorch's snake case (<c>tMax</c>, <c>t_max</c>);
/// lists are comma-separated (<c>milestones: "30,60"</c>). <c>linearwarmup</c> takes <c>then</c>, the name of the
/// schedule that follows the warm-up, and passes it the options it does not use itself.
/// </summary>
public static class Schedules
{
    private sealed record Entry(string Name, string Summary, string[] Aliases, Func<Optimizer, OptionReader, LearningRateSchedule> Create);

    private static readonly Entry[] s_entries =
    [
        new("step", "StepLR: multiply by gamma every stepSize epochs (stepSize, gamma=0.1)", ["steplr"],
            (o, r) => new StepLR(o, r.Int("stepSize"), r.Float("gamma", 0.1f))),
        new("multistep", "MultiStepLR: multiply by gamma at each milestone epoch (milestones, gamma=0.1)", ["multisteplr"],
            (o, r) => new MultiStepLR(o, r.Ints("milestones"), r.Float("gamma", 0.1f))),
        new("exponential", "ExponentialLR: multiply by gamma every epoch (gamma)", ["exponentiallr"],
            (o, r) => new ExponentialLR(o, r.Float("gamma"))),
        new("cosine", "CosineAnnealingLR: half a cosine from the base rate to etaMin over tMax epochs (tMax, etaMin=0)", ["cosineannealing", "cosineannealinglr"],
            (o, r) => new CosineAnnealingLR(o, r.Int("tMax"), r.Float("etaMin", 0f))),
        new("cosinewarmrestarts", "CosineAnnealingWarmRestarts: cosine periods of t0, t0*tMult, ... epochs (t0, tMult=1, etaMin=0)", ["cosineannealingwarmrestarts", "sgdr"],
            (o, r) => new CosineAnnealingWarmRestarts(o, r.Int("t0"), r.Int("tMult", 1), r.Float("etaMin", 0f))),
        new("linearwarmup", "LinearWarmup: linear ramp from startFactor times the rate over warmupSteps steps, optionally followed by another schedule (warmupSteps, startFactor=1/3, then)", ["warmup", "linearlr"],
            CreateWarmup),
        new("onecycle", "OneCycleLR: one cycle up to maxLr and down over totalSteps batches, momentum cycled inversely (maxLr, totalSteps, pctStart=0.3, anneal=cos|linear, cycleMomentum=true, baseMomentum=0.85, maxMomentum=0.95, divFactor=25, finalDivFactor=1e4, threePhase=false)", ["onecyclelr"],
            (o, r) => new OneCycleLR(o, r.Float("maxLr"), r.Int("totalSteps"), r.Float("pctStart", 0.3f), r.Choice("anneal", AnnealStrategy.Cos),
                r.Bool("cycleMomentum", true), r.Float("baseMomentum", 0.85f), r.Float("maxMomentum", 0.95f), r.Float("divFactor", 25f), r.Float("finalDivFactor", 1e4f), r.Bool("threePhase", false))),
        new("reduceonplateau", "ReduceLROnPlateau: multiply by factor when a metric stops improving for patience epochs (mode=min|max, factor=0.1, patience=10, threshold=1e-4, thresholdMode=relative|absolute, cooldown=0, minLr=0, eps=1e-8)", ["reducelronplateau", "plateau"],
            (o, r) => new ReduceLROnPlateau(o, r.Choice("mode", PlateauMode.Min), r.Float("factor", 0.1f), r.Int("patience", 10), r.Float("threshold", 1e-4f),
                r.Choice("thresholdMode", ThresholdMode.Relative), r.Int("cooldown", 0), r.Float("minLr", 0f), r.Float("eps", 1e-8f))),
    ];

    /// <summary>Registered names: step, multistep, exponential, cosine, cosinewarmrestarts, linearwarmup, onecycle, reduceonplateau.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. s_entries.Select(e => e.Name)];

    /// <summary>A one-line description of the named schedule with its options and defaults.</summary>
    public static string Describe(string name) => Find(name).Summary;

    /// <summary>Attaches the named schedule (case-insensitive; PyTorch class names also work) to <paramref name="optimizer"/>.</summary>
    public static LearningRateSchedule Create(string name, Optimizer optimizer, IReadOnlyDictionary<string, string>? options = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var entry = Find(name);
        var reader = new OptionReader(entry.Name, options);
        var schedule = entry.Create(optimizer, reader);
        reader.CheckAllUsed();
        return schedule;
    }

    private static LearningRateSchedule CreateWarmup(Optimizer optimizer, OptionReader reader)
    {
        var warmupSteps = reader.Int("warmupSteps");
        var startFactor = reader.Float("startFactor", 1f / 3f);
        var thenName = reader.Text("then");
        var then = thenName is null ? null : Create(thenName, optimizer, reader.TakeUnused());
        return new LinearWarmup(optimizer, warmupSteps, startFactor, then);
    }

    private static Entry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var key = Optimizers.Normalize(name);
        return s_entries.FirstOrDefault(e => e.Name == key || e.Aliases.Contains(key))
            ?? throw new ArgumentException($"Schedules: unknown schedule '{name}'; known: {string.Join(", ", Names)}.", nameof(name));
    }

    internal static void CheckPositive(float value, string parameter, string schedule)
    {
        if (!(value > 0f) || float.IsInfinity(value)) throw new ArgumentOutOfRangeException(parameter, $"{schedule}: {parameter} must be a finite number > 0; got {value}.");
    }

    internal static void CheckNonNegative(float value, string parameter, string schedule)
    {
        if (!(value >= 0f) || float.IsInfinity(value)) throw new ArgumentOutOfRangeException(parameter, $"{schedule}: {parameter} must be a finite number >= 0; got {value}.");
    }

    /// <summary>Reads text options by normalised key, remembering which were used so leftovers can be reported.</summary>
    private sealed class OptionReader(string schedule, IReadOnlyDictionary<string, string>? options)
    {
        private readonly Dictionary<string, (string Key, string Value)> _options = (options ?? new Dictionary<string, string>())
            .ToDictionary(kv => Optimizers.Normalize(kv.Key), kv => (kv.Key, kv.Value));
        private readonly HashSet<string> _used = [];
        private readonly List<string> _known = [];

        public string? Text(string name)
        {
            var key = Optimizers.Normalize(name);
            _known.Add(name);
            if (!_options.TryGetValue(key, out var entry)) return null;
            _used.Add(key);
            return entry.Value.Trim();
        }

        public int Int(string name, int? fallback = null) => Parse(name, fallback, s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : null, "a whole number");

        public float Float(string name, float? fallback = null) => Parse(name, fallback, s => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null, "a number");

        public bool Bool(string name, bool fallback) => Parse<bool>(name, fallback, s => s.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => null,
        }, "true or false");

        public T Choice<T>(string name, T fallback) where T : struct, Enum => Parse<T>(name, fallback, s =>
        {
            var key = Optimizers.Normalize(s);
            foreach (var value in Enum.GetValues<T>())
            {
                var label = Optimizers.Normalize(value.ToString());
                if (label == key || (key.Length >= 3 && label.StartsWith(key, StringComparison.Ordinal))) return value;
            }
            return null;
        }, string.Join(" or ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant())));

        public int[] Ints(string name)
        {
            var text = Text(name) ?? throw new ArgumentException($"Schedules.Create({schedule}): option '{name}' is required.");
            var parts = text.Trim('[', ']').Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries);
            var values = new int[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out values[i]))
                {
                    throw new ArgumentException($"Schedules.Create({schedule}): option '{name}' should be a comma-separated list of whole numbers; got '{text}'.");
                }
            }
            return values;
        }

        /// <summary>The options not read so far, for a following schedule.</summary>
        public Dictionary<string, string> TakeUnused()
        {
            var rest = _options.Where(kv => !_used.Contains(kv.Key)).ToDictionary(kv => kv.Value.Key, kv => kv.Value.Value);
            foreach (var key in _options.Keys) _used.Add(key);
            return rest;
        }

        public void CheckAllUsed()
        {
            var unused = _options.Where(kv => !_used.Contains(kv.Key)).Select(kv => kv.Value.Key).ToList();
            if (unused.Count > 0)
            {
                throw new ArgumentException($"Schedules.Create({schedule}): unknown option(s) {string.Join(", ", unused)}; its options are {string.Join(", ", _known)}.");
            }
        }

        private T Parse<T>(string name, T? fallback, Func<string, T?> parse, string expected) where T : struct
        {
            var text = Text(name);
            if (text is null) return fallback ?? throw new ArgumentException($"Schedules.Create({schedule}): option '{name}' is required.");
            return parse(text) ?? throw new ArgumentException($"Schedules.Create({schedule}): option '{name}' should be {expected}; got '{text}'.");
        }
    }
}
