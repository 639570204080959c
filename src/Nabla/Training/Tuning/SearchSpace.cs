using System.Collections;
using System.Globalization;

namespace Nabla.Training.Tuning;

/// <summary>One named hyperparameter: how to draw it at random and, when it has one, its list of grid values.</summary>
public abstract class Parameter
{
    protected Parameter(string name)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("SearchSpace: a hyperparameter needs a name.");
        Name = name;
    }

    public string Name { get; }

    /// <summary>The values a grid search tries, or null for a continuous range given without a grid.</summary>
    public abstract IReadOnlyList<object>? GridValues { get; }

    /// <summary>A random value, drawn with <paramref name="generator"/>.</summary>
    public abstract object Sample(Generator generator);

    /// <summary>True when <paramref name="value"/> is one this parameter can produce.</summary>
    public abstract bool Contains(object value);

    private protected static IReadOnlyList<object>? CheckGrid(string what, IReadOnlyList<double>? grid, Func<double, bool> inside)
    {
        if (grid is null) return null;
        if (grid.Count == 0) throw new ArgumentException($"SearchSpace: {what} has an empty grid; omit it or list at least one value.");
        var outside = grid.Where(v => !inside(v)).ToList();
        if (outside.Count > 0) throw new ArgumentException($"SearchSpace: {what} has grid values outside its range: {string.Join(", ", outside.Select(v => v.ToString(CultureInfo.InvariantCulture)))}.");
        return [.. grid.Select(v => (object)v)];
    }
}

/// <summary>One of a list of values (strings, numbers, switches), each equally likely.</summary>
public sealed class ChoiceParameter : Parameter
{
    public ChoiceParameter(string name, IReadOnlyList<object> values) : base(name)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0) throw new ArgumentException($"SearchSpace: Choice '{name}' needs at least one value.");
        if (values.Any(v => v is null)) throw new ArgumentException($"SearchSpace: Choice '{name}' has a null value.");
        Values = [.. values];
    }

    public IReadOnlyList<object> Values { get; }
    public override IReadOnlyList<object> GridValues => Values;
    public override object Sample(Generator generator) => Values[(int)generator.NextInt64(0, Values.Count)];
    public override bool Contains(object value) => Values.Contains(value);
    public override string ToString() => $"{Name}: one of {string.Join(", ", Values.Select(Configuration.Display))}";
}

/// <summary>A real number uniform in [low, high); a double.</summary>
public sealed class UniformParameter : Parameter
{
    public UniformParameter(string name, double low, double high, IReadOnlyList<double>? grid = null) : base(name)
    {
        if (!(low < high) || !double.IsFinite(low) || !double.IsFinite(high)) throw new ArgumentException($"SearchSpace: Uniform '{name}' needs finite low < high; got [{low}, {high}].");
        (Low, High) = (low, high);
        GridValues = CheckGrid($"Uniform '{name}'", grid, v => v >= low && v <= high);
    }

    public double Low { get; }
    public double High { get; }
    public override IReadOnlyList<object>? GridValues { get; }
    public override object Sample(Generator generator) => Low + (High - Low) * generator.NextDouble();
    public override bool Contains(object value) => value is double d && d >= Low && d <= High;
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}: uniform [{Low}, {High})");
}

/// <summary>A positive real number whose logarithm is uniform: exp(U[ln low, ln high)), for scales such as learning rates; a double.</summary>
public sealed class LogUniformParameter : Parameter
{
    public LogUniformParameter(string name, double low, double high, IReadOnlyList<double>? grid = null) : base(name)
    {
        if (!(low > 0 && low < high) || !double.IsFinite(high)) throw new ArgumentException($"SearchSpace: LogUniform '{name}' needs 0 < low < high (finite); got [{low}, {high}].");
        (Low, High) = (low, high);
        GridValues = CheckGrid($"LogUniform '{name}'", grid, v => v >= low && v <= high);
    }

    public double Low { get; }
    public double High { get; }
    public override IReadOnlyList<object>? GridValues { get; }

    public override object Sample(Generator generator)
    {
        double lo = Math.Log(Low), hi = Math.Log(High);
        return Math.Min(Math.Exp(lo + (hi - lo) * generator.NextDouble()), High);
    }

    public override bool Contains(object value) => value is double d && d >= Low && d <= High;
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}: log-uniform [{Low}, {High})");
}

/// <summary>An integer in low, low + step, ..., up to high (inclusive), each equally likely; the grid is all of them.</summary>
public sealed class IntRangeParameter : Parameter
{
    public IntRangeParameter(string name, int low, int high, int step = 1) : base(name)
    {
        if (low > high || step <= 0) throw new ArgumentException($"SearchSpace: IntRange '{name}' needs low <= high and step > 0; got {low}..{high} step {step}.");
        (Low, High, Step) = (low, high, step);
        GridValues = [.. Enumerable.Range(0, (high - low) / step + 1).Select(i => (object)(low + i * step))];
    }

    public int Low { get; }
    public int High { get; }
    public int Step { get; }
    public override IReadOnlyList<object> GridValues { get; }
    public override object Sample(Generator generator) => GridValues[(int)generator.NextInt64(0, GridValues.Count)];
    public override bool Contains(object value) => value is int i && i >= Low && i <= High && (i - Low) % Step == 0;
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}: integer {Low}..{High}{(Step == 1 ? "" : $" step {Step}")}");
}

/// <summary>
/// The hyperparameters to search, by name, built fluently:
/// <code>
/// var space = new SearchSpace()
///     .Choice("activation", "relu", "tanh")
///     .LogUniform("lr", 1e-4, 1e-1, grid: [1e-3, 1e-2])
///     .Uniform("dropout", 0, 0.5)
///     .IntRange("hidden", 16, 128, step: 16);
/// </code>
/// Random search and successive halving sample every kind; grid search needs every continuous range to list a grid.
/// </summary>
public sealed class SearchSpace : IEnumerable<Parameter>
{
    private readonly List<Parameter> _parameters = [];

    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Adds a hyperparameter (names must be unique).</summary>
    public SearchSpace Add(Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (_parameters.Any(p => p.Name == parameter.Name)) throw new ArgumentException($"SearchSpace: the name '{parameter.Name}' is already used.");
        _parameters.Add(parameter);
        return this;
    }

    public SearchSpace Choice(string name, params object[] values) => Add(new ChoiceParameter(name, values));

    public SearchSpace Uniform(string name, double low, double high, IReadOnlyList<double>? grid = null) => Add(new UniformParameter(name, low, high, grid));

    public SearchSpace LogUniform(string name, double low, double high, IReadOnlyList<double>? grid = null) => Add(new LogUniformParameter(name, low, high, grid));

    public SearchSpace IntRange(string name, int low, int high, int step = 1) => Add(new IntRangeParameter(name, low, high, step));

    /// <summary>One random configuration, its parameters drawn in order from <paramref name="generator"/>.</summary>
    public Configuration Sample(Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        return new Configuration(_parameters.Select(p => KeyValuePair.Create(p.Name, p.Sample(generator))));
    }

    /// <summary>Number of grid points: the product of the grid sizes.</summary>
    public long GridSize => _parameters.Aggregate(1L, (n, p) => n * (GridValues(p).Count));

    /// <summary>The cartesian product of the grids, in order (the last parameter varies fastest).</summary>
    public IEnumerable<Configuration> Grid()
    {
        var grids = _parameters.Select(GridValues).ToArray();
        if (grids.Length == 0) yield break;
        var position = new int[grids.Length];
        while (true)
        {
            yield return new Configuration(_parameters.Select((p, i) => KeyValuePair.Create(p.Name, grids[i][position[i]])));
            var axis = grids.Length - 1;
            while (axis >= 0 && ++position[axis] == grids[axis].Count) position[axis--] = 0;
            if (axis < 0) yield break;
        }
    }

    private static IReadOnlyList<object> GridValues(Parameter p) => p.GridValues
        ?? throw new InvalidOperationException($"SearchSpace: '{p.Name}' is a continuous range without a grid; give it one (grid: [...]) for grid search, or use random search.");

    public IEnumerator<Parameter> GetEnumerator() => _parameters.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => string.Join(Environment.NewLine, _parameters);
}
